/// Any index, with a username and password given in the environment (`--registry basic`).
///
/// For indexes without a token exchange (or to reuse a long-lived token) while still
/// getting every output indexkey writes. `INDEXKEY_USERNAME` and `INDEXKEY_PASSWORD`,
/// or `INDEXKEY_USERNAME_FILE`/`INDEXKEY_PASSWORD_FILE`; never flags.
package struct StaticIndex: Registry {
  package static let name = "basic"
  package static let aliases = ["static"]
  package static let displayName = "Static"
  package static let settings = [usernameSetting, passwordSetting]
  static let usernameSetting = Setting.secret(
    "INDEXKEY_USERNAME", file: true, help: "The username for --registry basic.")
  static let passwordSetting = Setting.secret(
    "INDEXKEY_PASSWORD", file: true, help: "The password or token for --registry basic.")

  package var username: String
  /// True when the username came from `INDEXKEY_USERNAME_FILE`: it may be a token too.
  package var usernameIsSecret: Bool
  package var password: Secret

  package init(username: String, password: Secret, usernameIsSecret: Bool = false) {
    self.username = username
    self.password = password
    self.usernameIsSecret = usernameIsSecret
  }

  /// Never recognised from a URL: only `--registry basic` selects it.
  package static func matchesHost(_ url: WebURL) -> Bool { false }

  /// A `…/simple/` URL uploads to its parent; any other URL is used for both.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    var segments = url.segments
    let simple = url.with(path: "/" + segments.map { $0 + "/" }.joined())
    if segments.last == "simple" {
      segments.removeLast()
      return IndexTarget(
        given: url, simpleURL: simple, uploadURL: url.with(path: "/" + segments.map { $0 + "/" }.joined()),
        name: url.host)
    }
    return IndexTarget(given: url, simpleURL: simple, uploadURL: simple, name: url.host)
  }

  package static func make(settings: Settings, identity: IdentitySpec) throws -> StaticIndex {
    guard let user = try settings.secret(Self.usernameSetting), !user.isBlank else {
      throw ConfigError(
        "--registry basic needs INDEXKEY_USERNAME (or INDEXKEY_USERNAME_FILE) and INDEXKEY_PASSWORD (or INDEXKEY_PASSWORD_FILE)."
      )
    }
    guard let password = try settings.secret(Self.passwordSetting), !password.isBlank else {
      throw ConfigError(
        "--registry basic needs INDEXKEY_PASSWORD (or INDEXKEY_PASSWORD_FILE) with the password or token for the user in INDEXKEY_USERNAME."
      )
    }
    return StaticIndex(
      username: user.revealed, password: password,
      usernameIsSecret: settings.environment["INDEXKEY_USERNAME_FILE"] != nil)
  }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    Credential(
      index: index, registry: Self.name, username: username, password: password, expiresAt: nil,
      usernameIsSecret: usernameIsSecret)
  }
}
