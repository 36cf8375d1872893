/// One `keyring get` call, in any of the three shapes pip and uv use (FORMATS.md §6.3).
///
/// 1. `get SERVICE USERNAME` → the password line (pip ≤ 26.1, uv with a username);
/// 2. `get SERVICE --mode creds` → username line, password line (uv, `authenticate = "always"`);
/// 3. `--mode=creds --output=json get SERVICE [USERNAME]` → JSON (pip ≥ 26.2).
package struct KeyringQuery: Sendable, Equatable {
  package enum Mode: String, Sendable, CaseIterable {
    /// The password alone; the keyring CLI requires a username in this mode.
    case password
    /// Username and password.
    case creds
  }

  package enum Output: String, Sendable, CaseIterable {
    case plain
    case json
  }

  package var service: String
  /// The username the caller knows, if any.
  ///
  /// Ignored: the registry's own username is answered.
  package var username: String?
  package var mode: Mode
  package var output: Output

  package init(service: String, username: String?, mode: Mode = .password, output: Output = .plain) {
    self.service = service
    self.username = username
    self.mode = mode
    self.output = output
  }

  /// Why the arguments do not form a lookup (the keyring CLI's own rule), or nil.
  package var usageProblem: String? {
    if mode == .password && username == nil {
      return "get in password mode requires SERVICE and USERNAME; pass --mode creds to look up without a username."
    }
    return nil
  }

  /// What goes to stdout, exactly as the keyring CLI prints it.
  package func answer(username: String, password: Secret) -> SecretText {
    switch (mode, output) {
    case (.password, .plain):
      return "\(password)\n"
    case (.creds, .plain):
      return "\(username)\n\(password)\n"
    case (.password, .json):
      return Self.json([("password", password.revealed)])
    case (.creds, .json):
      return Self.json([("username", username), ("password", password.revealed)])
    }
  }

  /// The JSON line (`json.dumps` of the credential's fields), all of it secret.
  private static func json(_ members: [(String, String)]) -> SecretText {
    SecretText([.secret(JSON.object(members.map { ($0.0, JSON.string($0.1)) }).serialized()), .plain("\n")])
  }
}
