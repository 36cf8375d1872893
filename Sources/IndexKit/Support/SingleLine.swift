/// The one rule for text that must stay on one line: no C0 control character (CR, LF,
/// NUL, tab, escape, …) and no DEL. Used by every sink, the keyring answer and its cache.
public enum SingleLine {
  public static func holds(_ text: String) -> Bool {
    !text.unicodeScalars.contains { isControl($0) }
  }

  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F
  }
}
