/// The host, path and query of a request URL, as SigV4 needs them.
struct SigV4URL {
  /// `host` or `host:port` (default ports dropped, as curl does in its Host header).
  var host: String
  /// The path as written in the URL (still percent-encoded), "" if none.
  var path: Substring
  /// The text after `?` (before any `#`), "" if none.
  var query: Substring

  init?(_ url: String) {
    guard let schemeEnd = url.firstRange(of: "://") else { return nil }
    let scheme = url[..<schemeEnd.lowerBound].lowercased()
    var rest = url[schemeEnd.upperBound...]
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    var authority = rest[..<authorityEnd]
    if let at = authority.lastIndex(of: "@") {
      authority = authority[authority.index(after: at)...]
    }
    guard !authority.isEmpty else { return nil }
    let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
    if let defaultPort, authority.hasSuffix(defaultPort) {
      authority = authority.dropLast(defaultPort.count)
    }
    host = String(authority)
    let pathAndQuery = rest[authorityEnd...]
    if let mark = pathAndQuery.firstIndex(of: "?") {
      path = pathAndQuery[..<mark]
      query = pathAndQuery[pathAndQuery.index(after: mark)...]
    } else {
      path = pathAndQuery
      query = ""
    }
  }
}

extension SigV4 {
  /// Headers that proxies and HTTP stacks add or rewrite, so signing them breaks requests.
  private static let unsignedHeaders: Set<String> = [
    "authorization", "connection", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id",
  ]

  /// The canonical header block (`name:value\n` per header) and the signed-header list.
  ///
  /// Names are lowercased and sorted; values are trimmed with inner runs of
  /// whitespace collapsed to one space; repeated headers join with `,` in order.
  static func canonicalHeaders(_ headers: [HTTPHeader]) -> (block: String, signed: String) {
    var values: [String: [String]] = [:]
    for header in headers {
      let name = header.name.lowercased()
      guard !unsignedHeaders.contains(name) else { continue }
      values[name, default: []].append(collapsedWhitespace(header.value))
    }
    let names = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    let block = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
    return (block, names.joined(separator: ";"))
  }

  /// The path with dot segments and empty segments removed, each segment encoded.
  ///
  /// The path is encoded as it appears in the URL, so `%20` becomes `%2520`:
  /// the double encoding every AWS service except S3 expects.
  static func canonicalURI(_ path: Substring) -> String {
    var segments: [Substring] = []
    let raw = path.split(separator: "/", omittingEmptySubsequences: false)
    for segment in raw {
      switch segment {
      case "", ".": continue
      case "..": _ = segments.popLast()
      default: segments.append(segment)
      }
    }
    let endsInDirectory = path.hasSuffix("/") || raw.last == "." || raw.last == ".."
    let joined = segments.map { uriEncode(Array($0.utf8)) }.joined(separator: "/")
    if joined.isEmpty { return "/" }
    return "/" + joined + (endsInDirectory ? "/" : "")
  }

  /// Parameters decoded, re-encoded with the unreserved set, sorted by name then value.
  static func canonicalQuery(_ query: Substring) -> String {
    let pairs = query.split(separator: "&").map { item -> (name: [UInt8], value: [UInt8]) in
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = uriEncode(percentDecoded(parts[0]))
      let value = parts.count > 1 ? uriEncode(percentDecoded(parts[1])) : ""
      return (Array(name.utf8), Array(value.utf8))
    }
    return pairs.sorted {
      $0.name == $1.name
        ? $0.value.lexicographicallyPrecedes($1.value) : $0.name.lexicographicallyPrecedes($1.name)
    }
    .map { String(decoding: $0.name + [UInt8(ascii: "=")] + $0.value, as: UTF8.self) }
    .joined(separator: "&")
  }

  /// RFC 3986 percent-encoding of everything outside `A-Z a-z 0-9 - . _ ~`, uppercase hex.
  static func uriEncode(_ bytes: [UInt8]) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.append(byte)
      default:
        out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// `%XX` sequences turned into bytes; a `%` not followed by two hex digits stays as is.
  static func percentDecoded(_ text: Substring) -> [UInt8] {
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hexValue(bytes[i + 1]),
        let low = hexValue(bytes[i + 2])
      {
        out.append(high << 4 | low)
        i += 3
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return out
  }

  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  /// Trims spaces, tabs and line breaks at both ends and collapses inner runs to one space.
  private static func collapsedWhitespace(_ value: String) -> String {
    var out = ""
    var pendingSpace = false
    for c in value {
      if c == " " || c == "\t" || c.isNewline {
        pendingSpace = !out.isEmpty
      } else {
        if pendingSpace { out.append(" ") }
        pendingSpace = false
        out.append(c)
      }
    }
    return out
  }
}
