/// A JSON value.
///
/// Parsed from and serialised to bytes by jansson (`JSON+Jansson.swift`).
package enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case integer(Int64)
  case double(Double)
  case string(String)
  case array([JSON])
  /// Members in document order (order matters for deterministic output).
  case object([(String, JSON)])

  package static func == (a: JSON, b: JSON) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.integer(let x), .integer(let y)): x == y
    case (.double(let x), .double(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.array(let x), .array(let y)): x == y
    case (.object(let x), .object(let y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  /// The member named `key` of an object; nil for other values or a missing key.
  package subscript(_ key: String) -> JSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  package var intValue: Int64? {
    switch self {
    case .integer(let i): i
    case .double(let d) where d == d.rounded() && abs(d) < 9e15: Int64(d)
    case .string(let s): Int64(s)
    default: nil
    }
  }

  package var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }

  package var objectValue: [(String, JSON)]? {
    if case .object(let o) = self { return o }
    return nil
  }

  /// A short name of the value's type, for error messages.
  package var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .integer, .double: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

/// A JSON document that could not be read, or lacked what was needed.
package typealias JSONError = DocumentError

extension JSON {
  /// The string member `key`, or an error naming the document and the field.
  package func string(_ key: String, in document: String) throws(JSONError) -> String {
    guard let value = self[key] else {
      throw JSONError(document: document, problem: "has no \"\(key)\" field")
    }
    guard let s = value.stringValue else {
      throw JSONError(document: document, problem: "has \"\(key)\" as \(value.typeName), expected a string")
    }
    return s
  }

  /// The integer member `key` (numbers and numeric strings accepted).
  package func integer(_ key: String, in document: String) throws(JSONError) -> Int64 {
    guard let value = self[key] else {
      throw JSONError(document: document, problem: "has no \"\(key)\" field")
    }
    guard let i = value.intValue else {
      throw JSONError(document: document, problem: "has \"\(key)\" as \(value.typeName), expected a number")
    }
    return i
  }

  /// The object member `key`.
  package func object(_ key: String, in document: String) throws(JSONError) -> JSON {
    guard let value = self[key] else {
      throw JSONError(document: document, problem: "has no \"\(key)\" field")
    }
    guard case .object = value else {
      throw JSONError(document: document, problem: "has \"\(key)\" as \(value.typeName), expected an object")
    }
    return value
  }

  /// Requires the value itself to be an object.
  package func requireObject(_ document: String) throws(JSONError) -> JSON {
    guard case .object = self else {
      throw JSONError(document: document, problem: "is \(typeName), expected a JSON object")
    }
    return self
  }
}
