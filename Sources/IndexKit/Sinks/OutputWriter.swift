/// Masks, then writes, the planned outputs of every sink.
package enum OutputWriter {
  /// - Parameters:
  ///   - outputs: what the sinks planned.
  ///   - credentials: every form of their passwords is masked too (``Credential/secretForms``),
  ///     whatever the sinks embed, so logs of the clients that use them are covered.
  ///   - dryRun: print what would be written (secrets as `***`) and write nothing.
  ///   - context: the console and CI to mask and print with.
  /// - Throws: ``SinkError`` when a file cannot be written.
  package static func apply(_ outputs: [PlannedOutput], credentials: [Credential], dryRun: Bool, in context: Context)
    throws
  {
    if dryRun {
      for output in outputs {
        context.console.err("would write to \(output.destination) (\(output.sink)):")
        for line in output.content.redacted.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty
        {
          context.console.err("  \(line)")
        }
      }
      return
    }
    let secrets = credentials.flatMap(\.secretForms) + outputs.flatMap(\.maskForms)
    CIMasker(context.ci).mask(secrets, console: context.console)
    for output in outputs {
      let bytes = output.content.revealedBytes
      switch output.action {
      case .replaceFile(let path): try SecureFile.replace(path, with: bytes, below: output.anchor)
      case .appendFile(let path): try SecureFile.append(path, bytes)
      case .stdout:
        var text = output.content.revealed
        if text.hasSuffix("\n") { text.removeLast() }
        context.console.out(text)
      }
    }
  }
}
