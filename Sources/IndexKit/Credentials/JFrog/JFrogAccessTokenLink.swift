/// An access token in `JF_ACCESS_TOKEN` (or `_FILE`), as the JFrog CLI reads it, used as
/// given; only for the platform `JF_URL`/`--jfrog-url` names.
package struct JFrogAccessTokenLink: CredentialLink {
  package static let name = "access-token"
  package static let settings = [JFrogSettings.accessToken, JFrogSettings.username, JFrogSettings.url]
  package var token: Secret
  /// nil: the user in the token's `sub`.
  package var username: String?

  package init(token: Secret, username: String?) {
    self.token = token
    self.username = username
  }

  static let platformNeeded =
    "JF_ACCESS_TOKEN is handed only to the JFrog platform it is for, and none is named: set JF_URL (or pass --jfrog-url) to the platform URL, e.g. https://acme.jfrog.io."

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let env = input.environment
    guard input.settings.isSet(JFrogSettings.accessToken) else { return .skipped("JF_ACCESS_TOKEN is not set") }
    return .configured(env.has("JF_ACCESS_TOKEN") ? "JF_ACCESS_TOKEN is set" : "JF_ACCESS_TOKEN_FILE is set")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    guard let token = try settings.secret(JFrogSettings.accessToken) else {
      throw ConfigError(
        "The access-token credential needs a token in JF_ACCESS_TOKEN (or a file named by JF_ACCESS_TOKEN_FILE).")
    }
    let user = settings[JFrogSettings.username]
    if user == nil && Self.username(fromAccessToken: token) == nil {
      throw ConfigError(
        "JF_ACCESS_TOKEN is not a JWT access token, so the username cannot be read from it; set JF_USER or pass --jfrog-username."
      )
    }
    if try JFrog.platform(settings) == nil { throw ConfigError(Self.platformNeeded) }
    self.init(token: token, username: user)
  }

  package func fetch(_ request: JFrogTokenRequest, in context: Context) throws -> BasicCredential {
    BasicCredential(
      username: username ?? Self.username(fromAccessToken: token) ?? "", password: token,
      expiresAt: JWTClaims(token: token)?.expiresAt)
  }

  package func preview(_ request: JFrogTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: ["no exchange: the access token from JF_ACCESS_TOKEN is the password"],
      username: username ?? Self.username(fromAccessToken: token))
  }

  /// The user in an access token's `sub` (`jfrt@ID/users/NAME` → `NAME`), as the JFrog CLI reads it.
  static func username(fromAccessToken token: Secret) -> String? {
    guard let sub = JWTClaims(token: token)?.subject, !sub.isEmpty else { return nil }
    if sub.hasPrefix("jfrt@") || sub.hasPrefix("jfac@") || sub.contains("/users/"),
      let slash = sub.lastIndex(of: "/")
    {
      let user = String(sub[sub.index(after: slash)...])
      return user.isEmpty ? nil : user
    }
    return sub
  }
}
