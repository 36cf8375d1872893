internal import CMsgpack

/// msgpack through msgpack-c, for the plaintext of acct files (its default serial plugin).
///
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
    return data.withMemoryRebound(to: UInt8.self, capacity: buffer.size) {
      Array(UnsafeBufferPointer(start: $0, count: buffer.size))
    }
  }

  /// Parses one msgpack document (nesting beyond msgpack-c's limit, trailing bytes, binary
  /// that is not UTF-8 text and extension types are refused).
  static func decode(_ bytes: [UInt8]) throws(ProfileError) -> JSON {
    guard declaresNoMoreThanItHolds(bytes) else { throw ProfileError.plaintext("is not one complete msgpack document") }
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

  /// msgpack-c allocates a container's slots from its declared length before reading them, so a
  /// few bytes claiming a map of four billion entries would ask for gigabytes.
  ///
  /// Every declared element needs at least one byte of input: the lengths are summed in one
  /// pass over the headers first, and a document whose lengths promise more than it holds never
  /// reaches it.
  static func declaresNoMoreThanItHolds(_ bytes: [UInt8]) -> Bool {
    var position = 0
    var declared = 0
    func number(_ width: Int) -> Int? {
      guard position + width <= bytes.count else { return nil }
      var value = 0
      for byte in bytes[position..<position + width] { value = value << 8 | Int(byte) }
      position += width
      return value
    }
    while position < bytes.count {
      let head = bytes[position]
      position += 1
      var payload = 0
      var elements = 0
      switch head {
      case 0x80...0x8f: elements = 2 * Int(head & 0x0f)
      case 0x90...0x9f: elements = Int(head & 0x0f)
      case 0xa0...0xbf: payload = Int(head & 0x1f)
      case 0xc4, 0xd9:
        guard let n = number(1) else { return false }
        payload = n
      case 0xc5, 0xda:
        guard let n = number(2) else { return false }
        payload = n
      case 0xc6, 0xdb:
        guard let n = number(4) else { return false }
        payload = n
      case 0xc7:
        guard let n = number(1) else { return false }
        payload = n + 1
      case 0xc8:
        guard let n = number(2) else { return false }
        payload = n + 1
      case 0xc9:
        guard let n = number(4) else { return false }
        payload = n + 1
      case 0xcc, 0xd0: payload = 1
      case 0xcd, 0xd1: payload = 2
      case 0xca, 0xce, 0xd2: payload = 4
      case 0xcb, 0xcf, 0xd3: payload = 8
      case 0xd4: payload = 2
      case 0xd5: payload = 3
      case 0xd6: payload = 5
      case 0xd7: payload = 9
      case 0xd8: payload = 17
      case 0xdc:
        guard let n = number(2) else { return false }
        elements = n
      case 0xdd:
        guard let n = number(4) else { return false }
        elements = n
      case 0xde:
        guard let n = number(2) else { return false }
        elements = 2 * n
      case 0xdf:
        guard let n = number(4) else { return false }
        elements = 2 * n
      default: break  // fixints, nil, booleans, and 0xc1 (never used), which msgpack-c refuses
      }
      guard payload <= bytes.count - position else { return false }
      position += payload
      declared += elements
      guard declared <= bytes.count else { return false }
    }
    return true
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
      guard o.via.u64 <= UInt64(Int64.max) else {
        throw ProfileError.plaintext("holds an integer too large for 64 bits")
      }
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
    let bytes = pointer.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
      Array(UnsafeBufferPointer(start: $0, count: Int(size)))
    }
    guard let s = String(validating: bytes, as: UTF8.self) else {
      throw ProfileError.plaintext("holds bytes that are not UTF-8 text")
    }
    return s
  }
}
