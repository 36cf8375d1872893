/// CodeArtifact `GetAuthorizationToken`, signed with SigV4 (service `codeartifact`,
/// PROTOCOLS.md §6b).
package struct CodeArtifactClient: Sendable {
  /// The API's base URL (`https://codeartifact.REGION.amazonaws.com`).
  package var endpoint: WebURL
  /// The signing region: the repository's.
  package var region: String

  package init(endpoint: WebURL, region: String) {
    self.endpoint = endpoint
    self.region = region
  }

  package static func defaultEndpoint(region: String) -> String {
    "https://codeartifact.\(region).\(CodeArtifactRepository.dnsSuffix(region: region))"
  }

  /// The request URL: `/v1/authorization-token?domain=…&domain-owner=…[&duration=…]`.
  func url(_ repository: CodeArtifactRepository, duration: Int?) -> String {
    var path = endpoint.path
    while path.hasSuffix("/") { path.removeLast() }
    var query =
      "domain=\(PercentEncoding.encode(repository.domain))&domain-owner=\(PercentEncoding.encode(repository.owner))"
    if let duration { query += "&duration=\(duration)" }
    return "\(endpoint.origin)\(path)/v1/authorization-token?\(query)"
  }

  /// A token for `repository`'s domain, valid `duration` seconds (nil: CodeArtifact's default).
  /// - Parameters:
  ///   - repository: the domain, owner and region to ask for.
  ///   - duration: the token's lifetime in seconds; nil leaves it to CodeArtifact.
  ///   - credentials: the AWS keys that sign the request.
  ///   - principal: who signs, in words, for refusal messages.
  ///   - context: the context the request runs in (transport, clock).
  /// - Returns: the token and its expiry (nil when neither the answer nor the token says).
  /// - Throws: ``ExchangeError`` when CodeArtifact refuses or answers no token,
  ///   ``ExpiredCredential`` when the token is already expired, or the error of signing or
  ///   sending the request.
  package func authorizationToken(
    for repository: CodeArtifactRepository, duration: Int?, credentials: AWSCredentials, principal: String,
    in context: Context
  ) throws -> (token: Secret, expiresAt: UnixTime?) {
    let unsigned = HTTPRequest(
      method: .post, url: url(repository, duration: duration), purpose: "CodeArtifact GetAuthorizationToken request")
    let signer = SigV4(credentials: credentials, region: region, service: "codeartifact")
    var request = try signer.sign(unsigned, at: Int64(context.clock.now().rounded(.down))).request
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      throw refusal(response, repository: repository, principal: principal)
    }
    let document = "CodeArtifact GetAuthorizationToken response"
    let body = try response.jsonObject(document, endpoint: endpoint.description)
    let token: Secret
    do {
      token = Secret(try body.string("authorizationToken", in: document))
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    let expiresAt = try Freshness.check(
      "an authorization token", from: "CodeArtifact", stated: Self.expiration(body["expiration"]), token: token,
      now: context.clock.now())
    return (token, expiresAt)
  }

  /// `expiration` as epoch seconds (rest-json's number) or an ISO 8601 string.
  static func expiration(_ value: JSON?) -> UnixTime? {
    let seconds: Double? =
      switch value {
      case .integer(let i): Double(i)
      case .double(let d): d
      case .string(let s): RFC3339.parse(s) ?? Double(s)
      default: nil
      }
    return seconds.flatMap(ServerTime.instant)
  }

  /// The error type from `x-amzn-ErrorType` (`Type:uri` → `Type`) or the body's `__type`.
  static func errorType(_ response: HTTPResponse, body: JSON?) -> String? {
    let raw = response.header("x-amzn-ErrorType") ?? body?["__type"]?.stringValue
    guard var type = raw?.split(separator: ":").first.map(String.init) else { return nil }
    if let hash = type.lastIndex(of: "#") { type = String(type[type.index(after: hash)...]) }
    return type.isEmpty ? nil : type
  }

  private func refusal(_ response: HTTPResponse, repository: CodeArtifactRepository, principal: String) -> ExchangeError
  {
    let body = try? JSON(parsing: response.body, document: "CodeArtifact error")
    let type = Self.errorType(response, body: body)
    if response.isServerFailure {
      return .unavailable(
        ServiceFailure.message(
          service: "CodeArtifact", endpoint: endpoint.description, status: response.status, detail: type,
          provider: "AWS"))
    }
    guard let type else {
      return .unavailable(
        "The CodeArtifact endpoint \(endpoint) answered HTTP \(response.status) without an error type; check --aws-codeartifact-endpoint."
      )
    }
    let message = body?["message"]?.stringValue ?? body?["Message"]?.stringValue ?? ""
    return .refused(AWSErrors.codeArtifact(type: type, message: message, repository: repository, principal: principal))
  }
}
