/// Registers secrets with the CI's log masker. Runs before anything is written.
public enum CIMasker: Sendable, Equatable {
  case github
  case none

  public static func detect(_ environment: Environment) -> CIMasker {
    environment["GITHUB_ACTIONS"] == "true" ? .github : .none
  }

  /// Emits the mask commands for every value (and, for multi-line values, every line).
  public func mask(_ values: [String], console: Console) {
    guard self == .github else { return }
    var seen: Set<String> = []
    for value in values {
      var forms = [value]
      if value.contains(where: \.isNewline) {
        forms += value.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
      }
      for form in forms where !form.trimmingSpaces.isEmpty && seen.insert(form).inserted {
        console.err("::add-mask::\(Self.escapeGitHub(form))")
      }
    }
  }

  /// `%`→`%25` first, then CR→`%0D`, LF→`%0A` (the runner unescapes in reverse).
  static func escapeGitHub(_ value: String) -> String {
    value.replacing("%", with: "%25").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
  }
}

/// Masks, then writes, the planned outputs of every sink.
public enum OutputWriter {
  /// - Parameters:
  ///   - outputs: what the sinks planned.
  ///   - credentials: their raw passwords are masked too, whatever the sinks embed.
  ///   - dryRun: print what would be written (secrets as `***`) and write nothing.
  public static func apply(_ outputs: [PlannedOutput], credentials: [Credential], dryRun: Bool, in context: Context) throws {
    if dryRun {
      for output in outputs {
        context.console.err("would write to \(output.destination) (\(output.sink)):")
        for line in output.content.redacted.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
          context.console.err("  \(line)")
        }
      }
      return
    }
    let secrets = credentials.map(\.password.revealed) + outputs.flatMap(\.content.secretParts)
    CIMasker.detect(context.environment).mask(secrets, console: context.console)
    for output in outputs {
      let bytes = Array(output.content.revealed.utf8)
      switch output.action {
      case .replaceFile(let path): try SecureFile.replace(path, with: bytes)
      case .appendFile(let path): try SecureFile.append(path, bytes)
      case .stdout:
        var text = output.content.revealed
        if text.hasSuffix("\n") { text.removeLast() }
        context.console.out(text)
      }
    }
  }
}
