/// Standard (RFC 4648 §4) and URL-safe (§5) base64, without Foundation.
package enum Base64 {
  private static let standard = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let urlSafe = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  /// Encodes with `+/` and `=` padding.
  package static func encode(_ bytes: some Collection<UInt8>) -> String {
    encode(Array(bytes), alphabet: standard, pad: true)
  }

  /// Encodes with `-_` and no padding (JWT segments).
  package static func encodeURL(_ bytes: some Collection<UInt8>) -> String {
    encode(Array(bytes), alphabet: urlSafe, pad: false)
  }

  /// Decodes either alphabet, with or without padding; nil on any other character.
  package static func decode(_ text: String) -> [UInt8]? {
    var values: [UInt8] = []
    values.reserveCapacity(text.utf8.count)
    for c in text.utf8 {
      switch c {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(c - 65)
      case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(c - 71)
      case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c + 4)
      case UInt8(ascii: "+"), UInt8(ascii: "-"): values.append(62)
      case UInt8(ascii: "/"), UInt8(ascii: "_"): values.append(63)
      case UInt8(ascii: "="): continue
      default: return nil
      }
    }
    if values.count % 4 == 1 { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(values.count * 3 / 4)
    var i = 0
    while i + 1 < values.count {
      let a = values[i]
      let b = values[i + 1]
      out.append(a << 2 | b >> 4)
      if i + 2 < values.count {
        let c = values[i + 2]
        out.append((b & 0x0F) << 4 | c >> 2)
        if i + 3 < values.count { out.append((c & 0x03) << 6 | values[i + 3]) }
      }
      i += 4
    }
    return out
  }

  private static func encode(_ bytes: [UInt8], alphabet: [UInt8], pad: Bool) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = bytes[i]
      let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
      let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
      out.append(alphabet[Int(b0 >> 2)])
      out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
      if i + 1 < bytes.count {
        out.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)])
      } else if pad {
        out.append(UInt8(ascii: "="))
      }
      if i + 2 < bytes.count {
        out.append(alphabet[Int(b2 & 0x3F)])
      } else if pad {
        out.append(UInt8(ascii: "="))
      }
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}
