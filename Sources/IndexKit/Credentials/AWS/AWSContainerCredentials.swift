/// Container credentials: the ECS agent (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, served at
/// 169.254.170.2) or the EKS Pod Identity agent and others (`AWS_CONTAINER_CREDENTIALS_FULL_URI`),
/// with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN` as
/// the `Authorization` header.
package struct AWSContainerCredentials: Sendable {
  package var url: WebURL
  /// Where the authorization token comes from, if any.
  package enum Authorization: Sendable, Equatable {
    case none
    case file(String)
    case value(Secret)
  }

  package var authorization: Authorization
  package static let timeout = 2.0
  static let ecsHost = "169.254.170.2"
  /// The hosts a full URI may name: loopback and the ECS and EKS agents' link-local addresses.
  static let agentHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

  package init(url: WebURL, authorization: Authorization) {
    self.url = url
    self.authorization = authorization
  }

  /// From the environment; nil when neither URI variable is set.
  package static func from(_ environment: Environment) throws(ConfigError) -> AWSContainerCredentials? {
    let url: WebURL
    if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
      let path = relative.hasPrefix("/") ? relative : "/" + relative
      url = try WebURL("http://\(ecsHost)\(path)", what: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
      url = try WebURL(full, what: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
      guard url.scheme == "http" || url.scheme == "https", url.isLoopback || agentHosts.contains(url.host) else {
        throw ConfigError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' names a host that is neither loopback nor the ECS or EKS credential agent (169.254.170.2, 169.254.170.23, fd00:ec2::23); the AWS SDKs refuse it too."
        )
      }
    } else {
      return nil
    }
    let authorization: Authorization
    if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
      authorization = .file(file)
    } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
      authorization = .value(Secret(token))
    } else {
      authorization = .none
    }
    return AWSContainerCredentials(url: url, authorization: authorization)
  }

  func token() throws -> Secret? {
    let token: Secret
    switch authorization {
    case .none: return nil
    case .value(let value): token = value
    case .file(let path):
      do {
        var text = String(decoding: try FileIO.read(path, limit: 64 << 10), as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        token = Secret(text)
      } catch {
        throw IdentityError(
          "Could not read the container authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): \(error.description)."
        )
      }
    }
    guard !token.revealed.contains(where: { $0 == "\r" || $0 == "\n" }) else {
      throw IdentityError("The container authorization token has a line break inside; it cannot be sent as a header.")
    }
    return token
  }

  package func fetch(in context: Context) throws -> AWSSession {
    var request = HTTPRequest(url: url.description, purpose: "container credentials request")
    request.timeout = Self.timeout
    if let token = try token() { request.setHeader("Authorization", token.revealed) }
    request.setHeader("Accept", "application/json")
    let response: HTTPResponse
    do {
      response = try context.transport.send(request)
    } catch {
      throw IdentityError(
        "The container credentials endpoint \(url) could not be reached (\(error.description)). Outside ECS or EKS, unset AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI.",
        exitStatus: .network)
    }
    guard response.status == 200 else {
      let hint =
        response.status == 401 || response.status == 403
        ? " The agent refused the authorization token: check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (EKS Pod Identity mounts it for the pod's service account)."
        : " Check the task role (ECS) or the pod identity association (EKS)."
      throw IdentityError(
        "The container credentials endpoint \(url) answered HTTP \(response.status).\(hint)",
        exitStatus: response.isServerFailure ? .network : .noIdentity)
    }
    let document = "container credentials from \(url)"
    let session: AWSSession
    do {
      let json = try JSON(parsing: response.body, document: document).requireObject(document)
      session = try AWSSession.fromJSON(
        json, document: document,
        principal: json["RoleArn"]?.stringValue.map { "the role \($0) (container credentials)" }
          ?? "the container's role")
    } catch {
      throw ExchangeError.unavailable(error.description)
    }
    try Freshness.check(
      "keys", from: "the container credentials endpoint", stated: session.expiresAt, token: nil,
      now: context.clock.now())
    return session
  }
}
