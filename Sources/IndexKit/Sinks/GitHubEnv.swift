/// `$GITHUB_ENV`: `NAME=value` lines the runner applies to later steps (FORMATS.md §1.1).
///
/// Values are single-line (CR/LF refused), names validated, and the file appended to,
/// never truncated. Masking happens before this is written (``OutputWriter``).
public struct GitHubEnvSink: Sink {
  public var path: String?

  public init(path: String? = nil) { self.path = path }

  public var name: String { "github-env" }

  static let forbidden: Set<String> = ["NODE_OPTIONS"]

  public func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let file = path ?? context.environment["GITHUB_ENV"] else {
      throw SinkError("--write github-env needs the GITHUB_ENV file, which GitHub Actions sets in every step; outside Actions give a path as github-env=PATH.")
    }
    var content = SecretText()
    var names: [String] = []
    for (name, value) in ClientVariables.build(credentials) {
      try VariableRules.validate(name: name)
      if Self.forbidden.contains(name) || name.hasPrefix("GITHUB_") || name.hasPrefix("RUNNER_") {
        throw SinkError("Refusing to set \(name) through GITHUB_ENV: the runner reserves it.")
      }
      try VariableRules.requireSingleLine(value, name: name)
      content += "\(name)=\(value)\n"
      names.append(name)
    }
    return [PlannedOutput(sink: name, action: .appendFile(file), content: content, summary: names.joined(separator: ", "))]
  }
}
