/// The one rule for text that must stay on one line: no C0 control character (CR, LF,
/// NUL, tab, escape, …) and no DEL.
///
/// Used by every sink, the keyring answer and its cache.
package enum SingleLine {
  package static func holds(_ text: String) -> Bool {
    !text.unicodeScalars.contains { isControl($0) }
  }

  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F
  }

  /// Text made safe to print as (part of) one line of a CI log, whoever wrote it (a
  /// server's `error_description`, an index's refusal): every control character becomes
  /// a space, so nothing starts a new line, and the markers CI runners act on are broken
  /// (`##vso[` and `##[` for Azure Pipelines, anywhere; `::` for GitHub Actions, at the start).
  package static func neutralised(_ text: String) -> String {
    var line = String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    line = line.replacing("##vso[", with: "# #vso[").replacing("##[", with: "# #[")
    if line.hasPrefix("::") { line = ": :" + line.dropFirst(2) }
    return line
  }
}
