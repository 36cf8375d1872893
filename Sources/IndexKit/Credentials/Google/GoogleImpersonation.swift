/// Service-account impersonation through IAM Credentials `generateAccessToken`
/// (PROTOCOLS.md §5b), authorised by the federated (or key-derived) token.
package struct GoogleImpersonation: Sendable {
  package var serviceAccount: String
  /// The full `…/serviceAccounts/EMAIL:generateAccessToken` URL.
  package var endpoint: WebURL
  /// Requested lifetime in seconds (Google's default and usual maximum: 3600).
  package var lifetime: Int

  package static let defaultBase = "https://iamcredentials.googleapis.com"

  package init(serviceAccount: String, endpoint: WebURL, lifetime: Int = 3600) {
    self.serviceAccount = serviceAccount
    self.endpoint = endpoint
    self.lifetime = lifetime
  }

  /// `{base}/v1/projects/-/serviceAccounts/{email}:generateAccessToken`.
  package static func url(base: WebURL, serviceAccount: String) -> WebURL {
    var path = base.path
    while path.hasSuffix("/") { path.removeLast() }
    return base.with(
      path: "\(path)/v1/projects/-/serviceAccounts/\(PercentEncoding.encode(serviceAccount)):generateAccessToken")
  }

  /// The service account an impersonation URL names, if it has the usual shape.
  package static func serviceAccount(in url: WebURL) -> String? {
    guard let last = url.segments.last, last.hasSuffix(":generateAccessToken") else { return nil }
    let email = PercentEncoding.decode(String(last.dropLast(":generateAccessToken".count)))
    return email?.isEmpty == false ? email : nil
  }

  /// Who asked, for messages about missing rights.
  package enum Caller: Sendable {
    case federated(WorkloadIdentityProvider?, presented: JWTClaims?)
    case serviceAccount(String)
    /// A signed-in user (an `authorized_user` credential, the gcloud CLI), described in words.
    case user(String)
  }

  package func accessToken(using bearer: Secret, caller: Caller, in context: Context) throws -> GoogleToken {
    let body = JSON.object([
      ("scope", .array([.string(GoogleHosts.cloudPlatformScope)])),
      ("lifetime", .string("\(lifetime)s")),
    ])
    var request = HTTPRequest(
      method: .post, url: endpoint.description, body: Array(body.serialized().utf8),
      purpose: "IAM Credentials generateAccessToken request")
    request.setHeader("Authorization", "Bearer \(bearer.revealed)")
    request.setHeader("Content-Type", "application/json")
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    guard response.status == 200 else { throw refusal(response, caller: caller) }
    let document = "IAM Credentials generateAccessToken response"
    let json = try response.jsonObject(document, endpoint: endpoint.description)
    do throws(JSONError) {
      let token = try json.string("accessToken", in: document)
      let expiry = try json.string("expireTime", in: document)
      guard let expiresAt = RFC3339.parse(expiry) else {
        throw JSONError(document: document, problem: "has \"expireTime\" '\(expiry)', which is not an RFC 3339 time")
      }
      return GoogleToken(value: Secret(token), expiresAt: expiresAt)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
  }

  private func refusal(_ response: HTTPResponse, caller: Caller) -> ExchangeError {
    let error = (try? JSON(parsing: response.body, document: "IAM Credentials error"))?["error"]
    let status = error?["status"]?.stringValue
    if response.isServerFailure {
      return .unavailable(
        ServiceFailure.message(
          service: "IAM Credentials", endpoint: endpoint.description, status: response.status, detail: status,
          provider: "Google"))
    }
    guard let error, let status else {
      return .unavailable(
        "The IAM Credentials endpoint \(endpoint) answered HTTP \(response.status) without a Google API error body; check --gcp-iam-credentials-endpoint."
      )
    }
    return .refused(
      GoogleErrors.impersonation(
        status: status, message: error["message"]?.stringValue ?? "", httpStatus: response.status, impersonation: self,
        caller: caller))
  }
}
