/// The password alone on stdout (`indexkey token`), for scripts that need just the secret.
///
/// Like every output it is masked in CI before it is printed.
package struct PasswordSink: Sink {
  package init() {}

  package var name: String { "password" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let credential = credentials.first else { return [] }
    try VariableRules.requireSingleLine("\(credential.password)", name: "the password")
    return [PlannedOutput(sink: name, action: .stdout, content: "\(credential.password)\n", summary: "the password")]
  }
}
