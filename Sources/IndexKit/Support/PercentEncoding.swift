/// RFC 3986 percent-encoding of everything outside `A-Z a-z 0-9 - . _ ~`, upper-case
/// hex over UTF-8 — the same form GitHub's masker derives (`Uri.EscapeDataString`)
/// and Python's `quote(s, safe="")` produces (FORMATS.md §4.3).
package enum PercentEncoding {
  package static func encode(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    let hex = Array("0123456789ABCDEF")
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        out.append("%")
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0x0F)])
      }
    }
    return out
  }

  /// Decodes `%XX` sequences; nil when one is malformed or the result is not UTF-8.
  package static func decode(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var it = Array(text.utf8)[...]
    while let b = it.popFirst() {
      if b == UInt8(ascii: "%") {
        guard let h = it.popFirst(), let l = it.popFirst(), let hi = hexValue(h), let lo = hexValue(l)
        else { return nil }
        bytes.append(hi << 4 | lo)
      } else {
        bytes.append(b)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  /// `application/x-www-form-urlencoded` body from ordered fields.
  package static func form(_ fields: [(String, String)]) -> String {
    fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
  }

  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - 48
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
    default: nil
    }
  }
}
