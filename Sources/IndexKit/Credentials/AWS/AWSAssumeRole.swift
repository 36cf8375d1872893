/// STS `AssumeRole`, SigV4-signed with the source profile's keys (PROTOCOLS.md §6a's query
/// protocol; the answer is XML like `AssumeRoleWithWebIdentity`'s).
package struct AWSAssumeRole: Sendable {
  package var endpoint: WebURL
  /// The signing region: the STS endpoint's (us-east-1 for the global one).
  package var region: String

  package init(endpoint: WebURL, region: String) {
    self.endpoint = endpoint
    self.region = region
  }

  func form(_ call: AWSRoleAssumption) -> [(String, String)] {
    var fields = [
      ("Action", "AssumeRole"), ("Version", AWSSTS.apiVersion), ("RoleArn", call.roleARN),
      ("RoleSessionName", call.sessionName),
    ]
    if let duration = call.duration { fields.append(("DurationSeconds", String(duration))) }
    if let external = call.externalID { fields.append(("ExternalId", external)) }
    return fields
  }

  /// Assumes `call`'s role with `source`'s keys.
  package func assume(_ call: AWSRoleAssumption, with source: AWSSession, in context: Context) throws -> AWSSession {
    var unsigned = HTTPRequest(
      method: .post, url: endpoint.description, body: Array(PercentEncoding.form(form(call)).utf8),
      purpose: "AWS STS AssumeRole request")
    unsigned.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    var request = try SigV4(credentials: source.credentials, region: region, service: "sts").sign(
      unsigned, at: Int64(context.clock.now().rounded(.down))
    ).request
    request.setHeader("Accept", "text/xml")
    request.expectedRoot = "AssumeRoleResponse"
    let response = try context.transport.send(request)
    guard response.status == 200 else { throw refusal(response, call: call, source: source) }
    let document = "AWS STS AssumeRole response"
    let session: AWSSession
    do {
      let root = try XML(parsing: response.body, document: document)
      guard root.name == "AssumeRoleResponse" else {
        throw XMLError(
          document: document, problem: "has the root element <\(root.name)>, expected <AssumeRoleResponse>")
      }
      let path = ["AssumeRoleResult", "Credentials"]
      let expiration = try root.text(at: path + ["Expiration"], in: document)
      guard let expiresAt = RFC3339.parse(expiration) else {
        throw XMLError(document: document, problem: "has an <Expiration> '\(expiration)' that is not an ISO 8601 time")
      }
      let keys = AWSCredentials(
        accessKeyID: try root.text(at: path + ["AccessKeyId"], in: document),
        secretAccessKey: Secret(try root.text(at: path + ["SecretAccessKey"], in: document)),
        sessionToken: Secret(try root.text(at: path + ["SessionToken"], in: document)))
      guard !keys.accessKeyID.isEmpty, !keys.secretAccessKey.revealed.isEmpty else {
        throw XMLError(document: document, problem: "has empty credentials")
      }
      session = AWSSession(
        credentials: keys, expiresAt: expiresAt, principal: "the role \(call.roleARN) (profile \(call.profile))")
    } catch let error as XMLError {
      throw ExchangeError.unavailable("\(error.description) (HTTP \(response.status) from \(endpoint))")
    }
    try Freshness.check(
      "a role session", from: "AWS STS", stated: session.expiresAt, token: nil, now: context.clock.now())
    return session
  }

  private func refusal(_ response: HTTPResponse, call: AWSRoleAssumption, source: AWSSession) -> ExchangeError {
    let error = AWSSTS.error(from: response.body)
    if response.isServerFailure {
      return .unavailable(
        ServiceFailure.message(
          service: "AWS STS", endpoint: endpoint.description, status: response.status, detail: error?.code,
          provider: "AWS"))
    }
    guard let (code, message) = error else {
      return .unavailable(
        "The AWS STS endpoint \(endpoint) answered HTTP \(response.status) without an STS error document; check AWS_ENDPOINT_URL_STS."
      )
    }
    let head =
      "AWS STS refused to let \(source.principal) assume \(call.roleARN) (profile \(call.profile)): \(Refusal.code(code, message, keepingFinalPeriod: true))."
    switch code {
    case "AccessDenied":
      return .refused(
        head
          + " The role's trust policy must allow sts:AssumeRole for that principal\(call.externalID == nil ? "" : " with this external_id"), and the principal's own policy must allow sts:AssumeRole on the role."
      )
    case "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken":
      return .refused(
        head
          + " The source keys are not valid (deleted, mistyped or expired); renew them, e.g. with `aws configure --profile PROFILE`."
      )
    default:
      return .refused(head)
    }
  }
}
