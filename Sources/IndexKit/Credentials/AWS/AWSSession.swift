/// AWS keys a credential source answered, with when they stop working and who they are.
public struct AWSSession: Sendable, Equatable {
  public var credentials: AWSCredentials
  public var expiresAt: UnixTime?
  /// Who signs, in words, for refusal messages ("the role … (profile dev)").
  public var principal: String

  public init(credentials: AWSCredentials, expiresAt: UnixTime?, principal: String) {
    self.credentials = credentials
    self.expiresAt = expiresAt
    self.principal = principal
  }

  /// Reads the JSON key shape the container agent, IMDS and `credential_process` answer:
  /// `AccessKeyId`, `SecretAccessKey`, `Token` or `SessionToken`, `Expiration` (ISO 8601).
  static func fromJSON(_ body: JSON, document: String, principal: String) throws(DocumentError) -> AWSSession {
    let keyID = try body.string("AccessKeyId", in: document)
    let secret = try body.string("SecretAccessKey", in: document)
    guard !keyID.isEmpty, !secret.isEmpty else { throw DocumentError(document: document, problem: "has an empty AccessKeyId or SecretAccessKey") }
    let token = (body["Token"] ?? body["SessionToken"])?.stringValue
    var expiresAt: UnixTime?
    if let text = body["Expiration"]?.stringValue {
      guard let parsed = RFC3339.parse(text) else {
        throw DocumentError(document: document, problem: "has an Expiration '\(text)' that is not an ISO 8601 time")
      }
      expiresAt = parsed
    }
    let credentials = AWSCredentials(accessKeyID: keyID, secretAccessKey: Secret(secret), sessionToken: token.flatMap { $0.isEmpty ? nil : Secret($0) })
    return AWSSession(credentials: credentials, expiresAt: expiresAt, principal: principal)
  }
}
