/// POSIX `export NAME='value'` lines on stdout, for `eval` (FORMATS.md §9.1).
public struct ShellSink: Sink {
  public init() {}

  public var name: String { "shell" }

  public func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    var content = SecretText()
    var names: [String] = []
    for (name, value) in ClientVariables.build(credentials) {
      try VariableRules.validate(name: name)
      if value.contains(anyOf: ["\0"]) {
        throw SinkError("Refusing to export \(name): its value contains a NUL byte.")
      }
      content += "export \(name)=\(Self.quote(value))\n"
      names.append(name)
    }
    return [PlannedOutput(sink: name, action: .stdout, content: content, summary: names.joined(separator: ", "))]
  }

  /// Single quotes, with `'` written as `'\''`; secret parts stay secret.
  static func quote(_ value: SecretText) -> SecretText {
    "'" + value.mapParts { $0.replacing("'", with: "'\\''") } + "'"
  }
}
