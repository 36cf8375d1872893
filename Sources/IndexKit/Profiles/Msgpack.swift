internal import CMsgpack

/// msgpack through msgpack-c, for the plaintext of acct files (its default serial plugin).
/// The only file that imports CMsgpack; values cross as ``JSON``.
enum Msgpack {
  /// Serialises `value` as Python's msgpack does for the same data (str as str, not bin).
  static func encode(_ value: JSON) -> [UInt8] {
    var buffer = msgpack_sbuffer()
    var packer = msgpack_packer()
    cmsgpack_start(&buffer, &packer)
    defer { cmsgpack_finish(&buffer) }
    pack(value, &packer)
    guard let data = buffer.data else { return [] }
    return data.withMemoryRebound(to: UInt8.self, capacity: buffer.size) { Array(UnsafeBufferPointer(start: $0, count: buffer.size)) }
  }

  /// Parses one msgpack document (nesting beyond msgpack-c's limit, trailing bytes, binary
  /// that is not UTF-8 text and extension types are refused).
  static func decode(_ bytes: [UInt8]) throws(ProfileError) -> JSON {
    var result = msgpack_unpacked()
    cmsgpack_unpacked_init(&result)
    defer { cmsgpack_unpacked_destroy(&result) }
    var offset = 0
    let status = bytes.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { msgpack_unpack_next(&result, $0.baseAddress, $0.count, &offset) }
    }
    guard status == MSGPACK_UNPACK_SUCCESS, offset == bytes.count else {
      throw ProfileError.plaintext("is not one complete msgpack document")
    }
    return try convert(result.data)
  }

  private static func pack(_ value: JSON, _ p: inout msgpack_packer) {
    switch value {
    case .null: cmsgpack_nil(&p)
    case .bool(let b): cmsgpack_bool(&p, b ? 1 : 0)
    case .integer(let i): cmsgpack_int(&p, i)
    case .double(let d): cmsgpack_double(&p, d)
    case .string(let s): packString(s, &p)
    case .array(let items):
      cmsgpack_array(&p, items.count)
      for item in items { pack(item, &p) }
    case .object(let members):
      cmsgpack_map(&p, members.count)
      for (key, item) in members {
        packString(key, &p)
        pack(item, &p)
      }
    }
  }

  private static func packString(_ s: String, _ p: inout msgpack_packer) {
    let utf8 = Array(s.utf8)
    utf8.withUnsafeBufferPointer { _ = cmsgpack_str(&p, $0.baseAddress, $0.count) }
  }

  private static func convert(_ o: msgpack_object) throws(ProfileError) -> JSON {
    switch o.type {
    case MSGPACK_OBJECT_NIL: return .null
    case MSGPACK_OBJECT_BOOLEAN: return .bool(o.via.boolean)
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
      guard o.via.u64 <= UInt64(Int64.max) else { throw ProfileError.plaintext("holds an integer too large for 64 bits") }
      return .integer(Int64(o.via.u64))
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return .integer(o.via.i64)
    case MSGPACK_OBJECT_FLOAT32, MSGPACK_OBJECT_FLOAT64: return .double(o.via.f64)
    case MSGPACK_OBJECT_STR, MSGPACK_OBJECT_BIN:
      let raw = o.type == MSGPACK_OBJECT_STR ? (o.via.str.ptr, o.via.str.size) : (o.via.bin.ptr, o.via.bin.size)
      return .string(try text(raw.0, raw.1))
    case MSGPACK_OBJECT_ARRAY:
      var items: [JSON] = []
      for i in 0..<Int(o.via.array.size) { items.append(try convert(o.via.array.ptr[i])) }
      return .array(items)
    case MSGPACK_OBJECT_MAP:
      var members: [(String, JSON)] = []
      for i in 0..<Int(o.via.map.size) {
        let pair = o.via.map.ptr[i]
        let key: String
        switch try convert(pair.key) {
        case .string(let s): key = s
        case .integer(let n): key = String(n)
        default: throw ProfileError.plaintext("has a map key that is neither text nor a number")
        }
        members.append((key, try convert(pair.val)))
      }
      return .object(members)
    default:
      throw ProfileError.plaintext("holds a msgpack extension type, which acct never writes")
    }
  }

  private static func text(_ pointer: UnsafePointer<CChar>?, _ size: UInt32) throws(ProfileError) -> String {
    guard let pointer, size > 0 else { return "" }
    let bytes = pointer.withMemoryRebound(to: UInt8.self, capacity: Int(size)) { Array(UnsafeBufferPointer(start: $0, count: Int(size))) }
    guard let s = String(validating: bytes, as: UTF8.self) else { throw ProfileError.plaintext("holds bytes that are not UTF-8 text") }
    return s
  }
}
