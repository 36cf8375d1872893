internal import CJansson
internal import Glibc

extension JSON {
  /// Parses a whole document.
  ///
  /// Duplicate keys are rejected (a token response with two `access_token` members
  /// is ambiguous); `document` names it in errors.
  package init(parsing bytes: [UInt8], document: String) throws(JSONError) {
    var error = json_error_t()
    let flags = Int(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL)
    let root = bytes.withUnsafeBufferPointer { buf in
      buf.withMemoryRebound(to: CChar.self) { json_loadb($0.baseAddress, buf.count, flags, &error) }
    }
    guard let root else {
      let text = withUnsafeBytes(of: &error.text) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      throw JSONError(
        document: document,
        problem:
          "is not valid JSON (\(Self.reason(text)) at line \(error.line), column \(error.column), byte \(error.position))"
      )
    }
    defer { json_decref(root) }
    self = Self.convert(root)
  }

  /// jansson's message without the bytes it quotes (`… near 'eyJhbGci'`, `byte 0x…`): a
  /// malformed token response must not show pieces of the token.
  ///
  /// The position says where.
  static func reason(_ text: String) -> String {
    let template = text.firstRange(of: " near ").map { text[..<$0.lowerBound] } ?? Substring(text)
    let reason = template.split(separator: " ").filter { !$0.hasPrefix("0x") }.joined(separator: " ")
    return reason.isEmpty ? "syntax error" : reason
  }

  /// Compact JSON with keys in the order they were given.
  package func serialized() -> String {
    guard let tree = makeTree() else { return "null" }
    defer { json_decref(tree) }
    guard let text = json_dumps(tree, Int(JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)) else { return "null" }
    defer { free(text) }
    return String(cString: text)
  }

  private static func convert(_ j: UnsafeMutablePointer<json_t>) -> JSON {
    switch cjansson_typeof(j) {
    case JSON_OBJECT:
      var members: [(String, JSON)] = []
      var iter = json_object_iter(j)
      while let it = iter {
        let key = String(cString: json_object_iter_key(it))
        if let v = json_object_iter_value(it) { members.append((key, convert(v))) }
        iter = json_object_iter_next(j, it)
      }
      return .object(members)
    case JSON_ARRAY:
      return .array((0..<json_array_size(j)).compactMap { json_array_get(j, $0).map(convert) })
    case JSON_STRING:
      let length = json_string_length(j)
      guard let p = json_string_value(j) else { return .string("") }
      return .string(
        p.withMemoryRebound(to: UInt8.self, capacity: length) {
          String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        })
    case JSON_INTEGER: return .integer(json_integer_value(j))
    case JSON_REAL: return .double(json_real_value(j))
    case JSON_TRUE: return .bool(true)
    case JSON_FALSE: return .bool(false)
    default: return .null
    }
  }

  private func makeTree() -> UnsafeMutablePointer<json_t>? {
    switch self {
    case .null: return json_null()
    case .bool(let b): return b ? json_true() : json_false()
    case .integer(let i): return json_integer(i)
    case .double(let d): return json_real(d)
    case .string(let s):
      var bytes = Array(s.utf8)
      let count = bytes.count
      bytes.append(0)  // json_stringn reads `count` bytes; the NUL keeps the pointer valid when empty
      return bytes.withUnsafeBufferPointer { buf in
        buf.withMemoryRebound(to: CChar.self) { json_stringn($0.baseAddress, count) }
      }
    case .array(let items):
      let a = json_array()
      for item in items { if let t = item.makeTree() { json_array_append_new(a, t) } }
      return a
    case .object(let members):
      let o = json_object()
      for (k, v) in members { if let t = v.makeTree() { json_object_set_new(o, k, t) } }
      return o
    }
  }
}
