internal import Glibc

/// RFC 3339 timestamps as Google (`expireTime`) and AWS STS (`Expiration`) write them.
package enum RFC3339 {
  /// `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.123456789Z` or with a `±hh:mm` offset;
  /// nil for anything else.
  package static func parse(_ text: String) -> UnixTime? {
    let chars = Array(text.trimmingSpaces.utf8)
    guard chars.count >= 20 else { return nil }
    func number(_ range: Range<Int>) -> Int32? {
      var value: Int32 = 0
      for i in range {
        guard i < chars.count, (48...57).contains(chars[i]) else { return nil }
        value = value * 10 + Int32(chars[i] - 48)
      }
      return value
    }
    guard let year = number(0..<4), chars[4] == UInt8(ascii: "-"), let month = number(5..<7),
      chars[7] == UInt8(ascii: "-"), let day = number(8..<10),
      chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"),
      let hour = number(11..<13), chars[13] == UInt8(ascii: ":"), let minute = number(14..<16),
      chars[16] == UInt8(ascii: ":"), let second = number(17..<19),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
    else { return nil }
    var index = 19
    var fraction = 0.0
    if chars[index] == UInt8(ascii: ".") {
      index += 1
      var scale = 0.1
      let start = index
      while index < chars.count, (48...57).contains(chars[index]) {
        fraction += Double(chars[index] - 48) * scale
        scale /= 10
        index += 1
      }
      guard index > start else { return nil }
    }
    guard index < chars.count else { return nil }
    var offset: Int32 = 0
    switch chars[index] {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      guard index + 1 == chars.count else { return nil }
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard index + 6 == chars.count, let h = number(index + 1..<index + 3), chars[index + 3] == UInt8(ascii: ":"),
        let m = number(index + 4..<index + 6)
      else { return nil }
      offset = (h * 60 + m) * 60 * (chars[index] == UInt8(ascii: "-") ? -1 : 1)
    default:
      return nil
    }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = month - 1
    parts.tm_mday = day
    parts.tm_hour = hour
    parts.tm_min = minute
    parts.tm_sec = second
    return Double(timegm(&parts) - Int(offset)) + fraction
  }
}
