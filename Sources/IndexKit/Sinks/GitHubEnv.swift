/// `$GITHUB_ENV`: `NAME=value` lines the runner applies to later steps (FORMATS.md §1.1).
///
/// Names are validated and the file appended to, never truncated. Single-line values are
/// written `NAME=value`; a value with a line break uses the heredoc form with a fresh random
/// delimiter, refused if the value contains it. Masking happens before this is written
/// (``OutputWriter``).
package struct GitHubEnvSink: Sink {
  package var path: String?
  package var options: ClientOptions

  package init(path: String? = nil, options: ClientOptions = ClientOptions()) {
    self.path = path
    self.options = options
  }

  package var name: String { "github-env" }

  static let forbidden: Set<String> = ["NODE_OPTIONS"]

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let file = path ?? context.environment["GITHUB_ENV"] else {
      throw SinkError(
        "--write github-env needs the GITHUB_ENV file, which GitHub Actions sets in every step; outside Actions give a path as github-env=PATH."
      )
    }
    let set = ClientVariables.build(credentials, options: options)
    for name in set.names where Self.forbidden.contains(name) || name.hasPrefix("GITHUB_") || name.hasPrefix("RUNNER_")
    {
      throw SinkError("Refusing to set \(name) through GITHUB_ENV: the runner reserves it.")
    }
    return [
      try VariableRules.render(
        set, sink: name, action: .appendFile(file), singleLine: false, line: GitHubFileCommand.line)
    ]
  }
}

/// The syntax `GITHUB_ENV` and `GITHUB_OUTPUT` share (the runner's `EnvFileKeyValuePairs`).
enum GitHubFileCommand {
  static func line(_ name: String, _ value: SecretText) throws(SinkError) -> SecretText {
    guard value.contains(anyOf: ["\r", "\n", "\r\n"]) else { return "\(name)=\(value)\n" }
    let delimiter = "ghadelimiter_" + randomHex(16)
    if value.revealed.contains(delimiter) {
      throw SinkError("Refusing to write \(name): its value contains the heredoc delimiter.")
    }
    return "\(name)<<\(delimiter)\n" + value + "\n\(delimiter)\n"
  }
}

/// `$GITHUB_OUTPUT`: the same variables as step outputs, read as
/// `${{ steps.<id>.outputs.<NAME> }}` (FORMATS.md §1.2).
///
/// Same syntax and checks as `GITHUB_ENV`. Outputs holding a secret work within the
/// job only: GitHub drops them from job outputs.
package struct GitHubOutputSink: Sink {
  package var path: String?
  package var options: ClientOptions

  package init(path: String? = nil, options: ClientOptions = ClientOptions()) {
    self.path = path
    self.options = options
  }

  package var name: String { "github-output" }

  static let jobOutputWarning =
    "Step outputs that hold a secret work only within this job: GitHub drops them from job outputs (\"Skip output since it may contain secret\"). Run indexkey again in each job that needs the index, and pass outputs to scripts through env:, never ${{ }} inside run:."

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let file = path ?? context.environment["GITHUB_OUTPUT"] else {
      throw SinkError(
        "--write github-output needs the GITHUB_OUTPUT file, which GitHub Actions sets in every step; outside Actions give a path as github-output=PATH."
      )
    }
    let set = ClientVariables.build(credentials, options: options)
    return [
      try VariableRules.render(
        set, sink: name, action: .appendFile(file), singleLine: false, extraWarnings: [Self.jobOutputWarning],
        line: GitHubFileCommand.line)
    ]
  }
}
