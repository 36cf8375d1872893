/// One thing a sink will do: a file to replace or append to, or text for stdout.
public struct PlannedOutput: Sendable {
  public enum Action: Sendable, Equatable {
    /// Write the whole file atomically (0600, no symlinks).
    case replaceFile(String)
    /// Append to a CI command file (`$GITHUB_ENV`).
    case appendFile(String)
    /// Print on stdout (shell `export` lines, JSON).
    case stdout
  }

  public var sink: String
  public var action: Action
  public var content: SecretText
  /// What is written, in words, for the report: "PIP_INDEX_URL", "[feed] section".
  public var summary: String

  public init(sink: String, action: Action, content: SecretText, summary: String) {
    self.sink = sink
    self.action = action
    self.content = content
    self.summary = summary
  }

  /// False for an append or a print of nothing (no variable applied to these indexes).
  public var hasEffect: Bool {
    if case .replaceFile = action { return true }
    return !content.parts.isEmpty
  }

  /// Where, in words: a path or "stdout".
  public var destination: String {
    switch action {
    case .replaceFile(let p), .appendFile(let p): p
    case .stdout: "stdout"
    }
  }
}

/// Turns credentials into outputs. Sinks only plan; ``OutputWriter`` masks and writes,
/// so that every secret is registered with the CI before the first byte goes anywhere.
public protocol Sink: Sendable {
  /// The `--write` name ("github-env", "pypirc", "shell").
  var name: String { get }
  func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput]
}

/// Checks shared by every sink that writes `NAME=value` style variables.
enum VariableRules {
  /// `[A-Za-z_][A-Za-z0-9_]*`, as shells require.
  static func validate(name: String) throws(SinkError) {
    guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
      name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
    else {
      throw SinkError("Refusing to write the variable '\(name)': names must match [A-Za-z_][A-Za-z0-9_]*.")
    }
  }

  /// Refuses CR, LF and NUL in a single-line value (they would inject more variables).
  static func requireSingleLine(_ value: SecretText, name: String) throws(SinkError) {
    if value.contains(anyOf: ["\r", "\n", "\r\n", "\0"]) {
      throw SinkError("Refusing to write \(name): its value contains a line break or NUL, which would corrupt the file.")
    }
  }
}
