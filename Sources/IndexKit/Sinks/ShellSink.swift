/// POSIX `export NAME='value'` lines on stdout, for `eval` (FORMATS.md §9.1).
package struct ShellSink: Sink {
  package var options: ClientOptions

  package init(options: ClientOptions = ClientOptions()) { self.options = options }

  package var name: String { "shell" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let set = ClientVariables.build(credentials, options: options)
    return [try VariableRules.render(set, sink: name, action: .stdout, singleLine: false) { Self.export($0, $1) }]
  }

  static func export(_ name: String, _ value: SecretText) -> SecretText {
    "export \(name)=\(quote(value))\n"
  }

  /// Single quotes, with `'` written as `'\''` (per scalar: a quote followed by a
  /// combining mark is still a quote to the shell); secret parts stay secret.
  static func quote(_ value: SecretText) -> SecretText {
    "'" + value.mapParts { escapeScalars($0, ["'": "'\\''"]) } + "'"
  }
}

/// fish `set -gx NAME 'value'` lines on stdout, for `indexkey … | source` (FORMATS.md §9.2).
package struct FishSink: Sink {
  package var options: ClientOptions

  package init(options: ClientOptions = ClientOptions()) { self.options = options }

  package var name: String { "fish" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let set = ClientVariables.build(credentials, options: options)
    return [
      try VariableRules.render(set, sink: name, action: .stdout, singleLine: false) {
        "set -gx \($0) \(Self.quote($1))\n"
      }
    ]
  }

  /// Inside fish single quotes only `\\` and `\'` are escapes.
  static func quote(_ value: SecretText) -> SecretText {
    "'" + value.mapParts { escapeScalars($0, ["\\": "\\\\", "'": "\\'"]) } + "'"
  }
}

/// PowerShell `$env:NAME = 'value'` lines on stdout, for
/// `indexkey … | Out-String | Invoke-Expression` (FORMATS.md §9.3).
package struct PowerShellSink: Sink {
  package var options: ClientOptions

  package init(options: ClientOptions = ClientOptions()) { self.options = options }

  package var name: String { "powershell" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let set = ClientVariables.build(credentials, options: options)
    return [
      try VariableRules.render(set, sink: name, action: .stdout, singleLine: false) {
        "$env:\($0) = \(Self.quote($1))\n"
      }
    ]
  }

  /// Verbatim single quotes: `'` and the curly quotes PowerShell also treats as quotes
  /// (U+2018–U+201B) are doubled.
  static func quote(_ value: SecretText) -> SecretText {
    "'"
      + value.mapParts { text in
        var out = ""
        for c in text.unicodeScalars {
          out.unicodeScalars.append(c)
          if c == "'" || (0x2018...0x201B).contains(c.value) { out.unicodeScalars.append(c) }
        }
        return out
      } + "'"
  }
}
