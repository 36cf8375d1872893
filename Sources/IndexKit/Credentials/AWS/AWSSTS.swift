/// AWS STS `AssumeRoleWithWebIdentity` (PROTOCOLS.md §6a): unsigned, query protocol,
/// answered in XML (parsed with libxml2, never searched as text).
package struct AWSSTS: Sendable {
  package var endpoint: WebURL

  package static let apiVersion = "2011-06-15"

  package init(endpoint: WebURL) {
    self.endpoint = endpoint
  }

  /// `https://sts.REGION.amazonaws.com/` (regional, as botocore defaults to).
  package static func defaultEndpoint(region: String, legacy: Bool = false) -> String {
    if legacy && legacyGlobalRegions.contains(region) { return "https://sts.amazonaws.com/" }
    return "https://sts.\(region).\(CodeArtifactRepository.dnsSuffix(region: region))/"
  }

  /// The regions whose STS calls the SDKs send to the global `sts.amazonaws.com` under
  /// `AWS_STS_REGIONAL_ENDPOINTS=legacy` (botocore's list; opt-in regions stay regional).
  static let legacyGlobalRegions: Set<String> = [
    "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  ]

  /// What one call asks for, besides the token.
  package struct Request: Sendable {
    package var roleARN: String
    package var sessionName: String
    /// `DurationSeconds` (900–43200); nil for the role's default.
    package var duration: Int?

    package init(roleARN: String, sessionName: String, duration: Int?) {
      self.roleARN = roleARN
      self.sessionName = sessionName
      self.duration = duration
    }
  }

  func form(_ call: Request, token: Secret) -> [(String, String)] {
    var fields = [
      ("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.apiVersion), ("RoleArn", call.roleARN),
      ("RoleSessionName", call.sessionName), ("WebIdentityToken", token.revealed),
    ]
    if let duration = call.duration { fields.append(("DurationSeconds", String(duration))) }
    return fields
  }

  /// Assumes the role; refusals explain the STS error code with the presented claims.
  package func assumeRole(_ call: Request, token: Secret, in context: Context) throws -> (
    credentials: AWSCredentials, expiresAt: UnixTime
  ) {
    var request = HTTPRequest(
      method: .post, url: endpoint.description, body: Array(PercentEncoding.form(form(call, token: token)).utf8),
      purpose: "AWS STS AssumeRoleWithWebIdentity request")
    request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    request.setHeader("Accept", "text/xml")
    request.expectedRoot = "AssumeRoleWithWebIdentityResponse"
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      throw refusal(response, call: call, presented: JWTClaims(token: token))
    }
    let session: (credentials: AWSCredentials, expiresAt: UnixTime)
    do {
      session = try Self.credentials(from: response.body)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (HTTP \(response.status) from \(endpoint))")
    }
    try Freshness.check(
      "a role session", from: "AWS STS", stated: session.expiresAt, token: nil, now: context.clock.now())
    return session
  }

  /// Reads `AssumeRoleWithWebIdentityResponse/…Result/Credentials`.
  static func credentials(from body: [UInt8]) throws(XMLError) -> (credentials: AWSCredentials, expiresAt: UnixTime) {
    let document = "AWS STS AssumeRoleWithWebIdentity response"
    let root = try XML(parsing: body, document: document)
    guard root.name == "AssumeRoleWithWebIdentityResponse" else {
      throw XMLError(
        document: document, problem: "has the root element <\(root.name)>, expected <AssumeRoleWithWebIdentityResponse>"
      )
    }
    let path = ["AssumeRoleWithWebIdentityResult", "Credentials"]
    let keyID = try root.text(at: path + ["AccessKeyId"], in: document)
    let secret = try root.text(at: path + ["SecretAccessKey"], in: document)
    let session = try root.text(at: path + ["SessionToken"], in: document)
    let expiration = try root.text(at: path + ["Expiration"], in: document)
    guard !keyID.isEmpty, !secret.isEmpty, !session.isEmpty else {
      throw XMLError(document: document, problem: "has empty credentials")
    }
    guard let expiresAt = RFC3339.parse(expiration) else {
      throw XMLError(document: document, problem: "has an <Expiration> '\(expiration)' that is not an ISO 8601 time")
    }
    return (
      AWSCredentials(accessKeyID: keyID, secretAccessKey: Secret(secret), sessionToken: Secret(session)), expiresAt
    )
  }

  /// The `Code` and `Message` of an `<ErrorResponse>`, if the body is one.
  static func error(from body: [UInt8]) -> (code: String, message: String)? {
    guard let root = try? XML(parsing: body, document: "AWS STS error"), root.name == "ErrorResponse",
      let error = root.child("Error"), let code = error.child("Code")?.text.trimmingSpaces, !code.isEmpty
    else { return nil }
    return (code, error.child("Message")?.text.trimmingSpaces ?? "")
  }

  private func refusal(_ response: HTTPResponse, call: Request, presented: JWTClaims?) -> ExchangeError {
    let error = Self.error(from: response.body)
    if response.isServerFailure {
      return .unavailable(
        ServiceFailure.message(
          service: "AWS STS", endpoint: endpoint.description, status: response.status, detail: error?.code,
          provider: "AWS"))
    }
    guard let (code, message) = error else {
      return .unavailable(
        "The AWS STS endpoint \(endpoint) answered HTTP \(response.status) without an STS error document; check --aws-sts-endpoint."
      )
    }
    let text = AWSErrors.sts(code: code, message: message, call: call, presented: presented)
    return code == "IDPCommunicationError" ? .unavailable(text) : .refused(text)
  }
}
