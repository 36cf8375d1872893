/// A username and password for the index itself, as a link answers it when the index's
/// own token service is the credential source (Chainguard, JFrog).
package struct BasicCredential: Sendable {
  package var username: String
  package var password: Secret
  package var expiresAt: UnixTime?

  package init(username: String, password: Secret, expiresAt: UnixTime?) {
    self.username = username
    self.password = password
    self.expiresAt = expiresAt
  }
}
