/// An AWS access key pair, with the session token that temporary (STS) credentials carry.
public struct AWSCredentials: Sendable, Equatable {
  /// `AKIA…` for long-term keys, `ASIA…` for temporary ones; not a secret.
  public var accessKeyID: String
  public var secretAccessKey: Secret
  /// Present for temporary credentials; sent (and signed) as `X-Amz-Security-Token`.
  public var sessionToken: Secret?

  public init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
  }
}
