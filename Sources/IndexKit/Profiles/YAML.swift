internal import CYAML

/// YAML through libyaml, for the profile commands' input and output.
///
/// The only file that imports CYAML; values cross as ``JSON``, with plain scalars resolved
/// as PyYAML's `safe_load` (what acct uses) resolves them: null, booleans, integers,
/// floats, else text.
enum YAML {
  /// Nesting and size limits: an alias-laden document ("billion laughs") or deep nesting is
  /// refused instead of expanded.
  static let maximumDepth = 64
  static let maximumNodes = 100_000

  /// Parses a single-document YAML stream.
  static func parse(_ bytes: [UInt8]) throws(ProfileError) -> JSON {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { throw ProfileError("Could not start the YAML parser.") }
    defer { yaml_parser_delete(&parser) }
    let input = bytes.isEmpty ? [0] : bytes
    return try input.withUnsafeBufferPointer { buffer throws(ProfileError) -> JSON in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
      var document = yaml_document_t()
      guard yaml_parser_load(&parser, &document) == 1 else { throw parseError(parser) }
      defer { yaml_document_delete(&document) }
      guard let root = yaml_document_get_root_node(&document) else { return .null }
      var budget = maximumNodes
      let value = try convert(root, &document, depth: 0, budget: &budget)
      var next = yaml_document_t()
      guard yaml_parser_load(&parser, &next) == 1 else { throw parseError(parser) }
      defer { yaml_document_delete(&next) }
      if yaml_document_get_root_node(&next) != nil {
        throw ProfileError("holds more than one YAML document (a second '---'); keep one")
      }
      return value
    }
  }

  private static func parseError(_ parser: yaml_parser_t) -> ProfileError {
    let problem = parser.problem.map { String(cString: $0) } ?? "it is not valid YAML"
    return ProfileError(
      "is not valid YAML: \(problem) at line \(parser.problem_mark.line + 1), column \(parser.problem_mark.column + 1)")
  }

  private static func convert(
    _ node: UnsafeMutablePointer<yaml_node_t>, _ document: inout yaml_document_t, depth: Int, budget: inout Int
  ) throws(ProfileError) -> JSON {
    budget -= 1
    guard depth < maximumDepth, budget >= 0 else {
      throw ProfileError("is nested too deeply or expands to too many values (aliases?) to be a profile file")
    }
    switch node.pointee.type {
    case YAML_SCALAR_NODE:
      let scalar = node.pointee.data.scalar
      let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
      return resolve(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
    case YAML_SEQUENCE_NODE:
      var items: [JSON] = []
      var item = node.pointee.data.sequence.items.start
      while let current = item, current != node.pointee.data.sequence.items.top {
        guard let child = yaml_document_get_node(&document, current.pointee) else { break }
        items.append(try convert(child, &document, depth: depth + 1, budget: &budget))
        item = current + 1
      }
      return .array(items)
    case YAML_MAPPING_NODE:
      var members: [(String, JSON)] = []
      var pair = node.pointee.data.mapping.pairs.start
      while let current = pair, current != node.pointee.data.mapping.pairs.top {
        guard let keyNode = yaml_document_get_node(&document, current.pointee.key),
          let valueNode = yaml_document_get_node(&document, current.pointee.value)
        else { break }
        let key: String
        switch try convert(keyNode, &document, depth: depth + 1, budget: &budget) {
        case .string(let s): key = s
        case .integer(let n): key = String(n)
        case .bool(let b): key = b ? "true" : "false"
        default: throw ProfileError("has a mapping key that is not text")
        }
        if members.contains(where: { $0.0 == key }) { throw ProfileError("has the key '\(key)' twice in one mapping") }
        members.append((key, try convert(valueNode, &document, depth: depth + 1, budget: &budget)))
        pair = current + 1
      }
      return .object(members)
    default:
      return .null
    }
  }

  /// What PyYAML's resolver makes of a plain scalar (YAML 1.1): quoted scalars are always text.
  static func resolve(_ text: String, plain: Bool = true) -> JSON {
    guard plain else { return .string(text) }
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
    case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    if let n = integer(text) { return .integer(n) }
    if isFloat(text), let d = Double(text.filter { $0 != "_" }) { return .double(d) }
    return .string(text)
  }

  private static func integer(_ text: String) -> Int64? {
    var body = Substring(text)
    var negative = false
    if let sign = body.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      body = body.dropFirst()
    }
    guard let first = body.first, first.isASCII, first.isNumber else { return nil }
    var radix = 10
    if body.hasPrefix("0x") {
      radix = 16
      body = body.dropFirst(2)
    } else if body.hasPrefix("0b") {
      radix = 2
      body = body.dropFirst(2)
    } else if body.count > 1 && body.hasPrefix("0") {
      radix = 8
      body = body.dropFirst()
    }
    let digits = body.filter { $0 != "_" }
    guard !digits.isEmpty, let magnitude = Int64(digits, radix: radix) else { return nil }
    return negative ? -magnitude : magnitude
  }

  private static func isFloat(_ text: String) -> Bool {
    var body = Substring(text)
    if let sign = body.first, sign == "-" || sign == "+" { body = body.dropFirst() }
    guard let dot = body.firstIndex(of: ".") else { return false }
    let whole = body[..<dot]
    var rest = body[body.index(after: dot)...]
    var exponent: Substring = ""
    if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exponent = rest[rest.index(after: e)...]
      rest = rest[..<e]
      guard let s = exponent.first, s == "-" || s == "+", exponent.count > 1,
        exponent.dropFirst().allSatisfy(\.isWholeNumberASCII)
      else { return false }
    }
    let digitsOK = { (s: Substring) in s.allSatisfy { $0 == "_" || $0.isWholeNumberASCII } }
    return digitsOK(whole) && digitsOK(rest) && (whole.first?.isWholeNumberASCII ?? !rest.isEmpty)
  }
}

extension YAML {
  /// Renders `value` as block-style YAML; text that would read back as something else
  /// (`yes`, `123`, `null`, a date) is quoted.
  static func render(_ value: JSON) -> String {
    final class Output { var bytes: [UInt8] = [] }
    let output = Output()
    var emitter = yaml_emitter_t()
    guard yaml_emitter_initialize(&emitter) == 1 else { return "" }
    defer { yaml_emitter_delete(&emitter) }
    yaml_emitter_set_output(
      &emitter,
      { data, buffer, size in
        guard let data, let buffer else { return 0 }
        Unmanaged<Output>.fromOpaque(data).takeUnretainedValue().bytes.append(
          contentsOf: UnsafeBufferPointer(start: buffer, count: size))
        return 1
      }, Unmanaged.passUnretained(output).toOpaque())
    yaml_emitter_set_unicode(&emitter, 1)
    yaml_emitter_set_width(&emitter, -1)
    var event = yaml_event_t()
    yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
    yaml_emitter_emit(&emitter, &event)
    yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
    yaml_emitter_emit(&emitter, &event)
    emit(value, &emitter)
    yaml_document_end_event_initialize(&event, 1)
    yaml_emitter_emit(&emitter, &event)
    yaml_stream_end_event_initialize(&event)
    yaml_emitter_emit(&emitter, &event)
    yaml_emitter_flush(&emitter)
    return String(decoding: output.bytes, as: UTF8.self)
  }

  private static func emit(_ value: JSON, _ emitter: inout yaml_emitter_t) {
    var event = yaml_event_t()
    switch value {
    case .object(let members):
      yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE)
      yaml_emitter_emit(&emitter, &event)
      for (key, item) in members {
        scalar(key, plain: resolve(key) == .string(key), &emitter)
        emit(item, &emitter)
      }
      yaml_mapping_end_event_initialize(&event)
      yaml_emitter_emit(&emitter, &event)
    case .array(let items):
      yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE)
      yaml_emitter_emit(&emitter, &event)
      for item in items { emit(item, &emitter) }
      yaml_sequence_end_event_initialize(&event)
      yaml_emitter_emit(&emitter, &event)
    case .string(let text):
      scalar(text, plain: resolve(text) == .string(text) && !looksLikeDate(text), &emitter)
    case .null: scalar("null", plain: true, &emitter)
    case .bool(let b): scalar(b ? "true" : "false", plain: true, &emitter)
    case .integer(let n): scalar(String(n), plain: true, &emitter)
    case .double(let d):
      scalar(d.isNaN ? ".nan" : d.isInfinite ? (d < 0 ? "-.inf" : ".inf") : "\(d)", plain: true, &emitter)
    }
  }

  /// One scalar; `plain: false` makes the emitter quote it.
  private static func scalar(_ text: String, plain: Bool, _ emitter: inout yaml_emitter_t) {
    var event = yaml_event_t()
    let bytes = Array(text.utf8)
    let storage = bytes.isEmpty ? [0] : bytes
    storage.withUnsafeBufferPointer { b in
      _ = yaml_scalar_event_initialize(
        &event, nil, nil, b.baseAddress, Int32(bytes.count), plain ? 1 : 0, 1, YAML_ANY_SCALAR_STYLE)
    }
    yaml_emitter_emit(&emitter, &event)
  }

  /// PyYAML reads `2026-01-31` (and longer timestamps) as a date, not text.
  private static func looksLikeDate(_ text: String) -> Bool {
    let u = Array(text.utf8)
    guard u.count >= 8, u.count <= 40 else { return false }
    let digit = { (c: UInt8) in c >= 48 && c <= 57 }
    return u.prefix(4).allSatisfy(digit) && u[4] == UInt8(ascii: "-")
  }
}

extension Character {
  fileprivate var isWholeNumberASCII: Bool { isASCII && isNumber }
}
