/// Bytes of a user's file seen as text one scalar per byte (ISO 8859-1): lossless for any
/// bytes, UTF-8 or not, and equal to the text itself where it is ASCII.
///
/// The documents we edit in place (INI, netrc) match names in this form and write
/// unchanged lines back as the bytes they were.
enum ByteText {
  static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  static func scalars(_ bytes: some Sequence<UInt8>) -> String {
    var text = ""
    text.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return text
  }

  /// `text`'s UTF-8 bytes in this form, to compare with what a file holds.
  static func scalars(_ text: String) -> String { scalars(text.utf8) }

  /// The bytes back (every scalar of `text` is below 256).
  static func bytes(_ text: String) -> [UInt8] {
    text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
  }

  /// The bytes back, decoded as UTF-8 (invalid bytes as U+FFFD), for messages and callers.
  static func decoded(_ text: String) -> String { String(decoding: bytes(text), as: UTF8.self) }
}
