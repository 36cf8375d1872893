/// One thing a sink will do: a file to replace or append to, or text for stdout.
package struct PlannedOutput: Sendable {
  package enum Action: Sendable, Equatable {
    /// Write the whole file atomically (0600, no symlinks).
    case replaceFile(String)
    /// Append to a CI command file (`$GITHUB_ENV`).
    case appendFile(String)
    /// Print on stdout (shell `export` lines, JSON).
    case stdout
  }

  package var sink: String
  package var action: Action
  package var content: SecretText
  /// What is written, in words, for the report: "PIP_INDEX_URL", "[feed] section".
  package var summary: String
  /// The variables, sections or entries written, one each (for `--json`).
  package var items: [String]
  /// Things the user should know about this output (shown once each in the report).
  package var warnings: [String]
  /// The strings to register with the CI's masker: the content's secret parts, unless the
  /// sink's syntax is decoded before anything is logged (Azure logging commands), in which
  /// case the decoded values.
  package var maskForms: [String]
  /// For a file indexkey chose itself: the directory it trusts (the home directory), below
  /// which no directory may be a symlink (``SecureFile/replace(_:with:mode:below:)``).
  package var anchor: String?

  package init(
    sink: String, action: Action, content: SecretText, summary: String, items: [String]? = nil, warnings: [String] = []
  ) {
    self.sink = sink
    self.action = action
    self.content = content
    self.summary = summary
    self.items = items ?? [summary]
    self.warnings = warnings
    self.maskForms = content.secretParts
  }

  /// An output listing `items`, summarised as their comma-separated list.
  package init(sink: String, action: Action, content: SecretText, items: [String], warnings: [String] = []) {
    self.init(
      sink: sink, action: action, content: content, summary: items.joined(separator: ", "), items: items,
      warnings: warnings)
  }

  /// False for an append or a print of nothing (no variable applied to these indexes).
  package var hasEffect: Bool {
    if case .replaceFile = action { return true }
    return !content.parts.isEmpty
  }

  /// Where, in words: a path or "stdout".
  package var destination: String {
    switch action {
    case .replaceFile(let p), .appendFile(let p): p
    case .stdout: "stdout"
    }
  }
}

/// Turns credentials into outputs.
///
/// Sinks only plan; ``OutputWriter`` masks and writes, so that every secret is
/// registered with the CI before the first byte goes anywhere.
package protocol Sink: Sendable {
  /// The `--write` name ("github-env", "pypirc", "shell").
  var name: String { get }
  func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput]
}

/// Checks shared by every sink that writes `NAME=value` style variables.
enum VariableRules {
  /// `[A-Za-z_][A-Za-z0-9_]*`, as shells require.
  static func validate(name: String) throws(SinkError) {
    guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
      name.unicodeScalars.allSatisfy({
        $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
      })
    else {
      throw SinkError("Refusing to write the variable '\(name)': names must match [A-Za-z_][A-Za-z0-9_]*.")
    }
  }

  /// Refuses line breaks, NUL and other control characters in a single-line value (they
  /// would inject more variables, sections or lines).
  ///
  /// Every sink checks with this one rule.
  static func requireSingleLine(_ value: SecretText, name: String) throws(SinkError) {
    if !SingleLine.holds(value.revealed) {
      throw SinkError(
        "Refusing to write \(name): its value contains a line break, NUL or another control character, which would corrupt the file."
      )
    }
  }

  /// Every field of `credential` that a sink writes, checked with ``requireSingleLine(_:name:)``
  /// before any sink plans: username, password, index name and URLs.
  static func requireSingleLine(_ credential: Credential) throws(SinkError) {
    let index = credential.index
    let fields: [(SecretText, String)] = [
      (credential.usernameText, "the username for \(index.name)"),
      ("\(credential.password)", "the password for \(index.name)"),
      (SecretText(plain: index.name), "the index name"),
      (SecretText(plain: index.simpleURL.description), "the URL of \(index.name)"),
      (SecretText(plain: index.uploadURL?.description ?? ""), "the upload URL of \(index.name)"),
    ]
    for (value, name) in fields { try requireSingleLine(value, name: name) }
  }

  /// Refuses NUL, which no environment variable can hold.
  static func requireNoNUL(_ value: SecretText, name: String) throws(SinkError) {
    if value.contains(anyOf: ["\0"]) {
      throw SinkError("Refusing to export \(name): its value contains a NUL byte.")
    }
  }

  /// The client variables as `(name, value)` lines, each checked, with one formatter for
  /// the sink's syntax; the output lists the variable names and carries the set's warnings.
  static func render(
    _ set: VariableSet, sink: String, action: PlannedOutput.Action, singleLine: Bool = true,
    extraWarnings: [String] = [], line: (String, SecretText) throws(SinkError) -> SecretText
  ) throws(SinkError) -> PlannedOutput {
    var content = SecretText()
    for (name, value) in set.variables {
      try validate(name: name)
      if singleLine {
        try requireSingleLine(value, name: name)
      } else {
        try requireNoNUL(value, name: name)
      }
      content += try line(name, value)
    }
    return PlannedOutput(
      sink: sink, action: action, content: content, items: set.names, warnings: set.warnings + extraWarnings)
  }
}
