/// A username and password for the index itself, as a link answers it when the index's
/// own token service is the credential source (Chainguard, JFrog).
public struct BasicCredential: Sendable {
  public var username: String
  public var password: Secret
  public var expiresAt: UnixTime?

  public init(username: String, password: Secret, expiresAt: UnixTime?) {
    self.username = username
    self.password = password
    self.expiresAt = expiresAt
  }
}
