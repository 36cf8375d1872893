/// An AWS access key pair, with the session token that temporary (STS) credentials carry.
package struct AWSCredentials: Sendable, Equatable {
  /// `AKIA…` for long-term keys, `ASIA…` for temporary ones; not a secret.
  package var accessKeyID: String
  package var secretAccessKey: Secret
  /// Present for temporary credentials; sent (and signed) as `X-Amz-Security-Token`.
  package var sessionToken: Secret?

  package init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil) {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
  }
}
