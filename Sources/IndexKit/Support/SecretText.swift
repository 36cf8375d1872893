/// Text that knows which of its parts are secret.
///
/// Sinks build every file body, variable value and stdout line as `SecretText`, so the
/// same value yields the bytes to write (``revealed``), the dry-run preview
/// (``redacted``), and the exact list of secret strings a CI must mask before
/// anything is written (``secretParts``) — including encoded forms, because the
/// part is recorded as it is embedded.
package struct SecretText: Sendable, Equatable, ExpressibleByStringInterpolation {
  package enum Part: Sendable, Equatable {
    case plain(String)
    case secret(String)
    /// Bytes of a user's file kept exactly as found (they need not be UTF-8).
    case raw([UInt8])
  }

  package private(set) var parts: [Part]

  package init(_ parts: [Part] = []) { self.parts = parts }
  package init(plain: String) { self.parts = [.plain(plain)] }
  package init(stringLiteral value: String) { self.parts = [.plain(value)] }

  package init(stringInterpolation: Interpolation) { self.parts = stringInterpolation.parts }

  package struct Interpolation: StringInterpolationProtocol {
    var parts: [Part] = []
    package init(literalCapacity: Int, interpolationCount: Int) {}
    package mutating func appendLiteral(_ literal: String) {
      if !literal.isEmpty { parts.append(.plain(literal)) }
    }
    package mutating func appendInterpolation(_ value: String) { parts.append(.plain(value)) }
    package mutating func appendInterpolation(_ value: SecretText) { parts += value.parts }
    /// A secret embedded as given (already encoded for its context, if needed).
    package mutating func appendInterpolation(secret: String) { parts.append(.secret(secret)) }
    package mutating func appendInterpolation(_ value: Secret) { parts.append(.secret(value.revealed)) }
  }

  package static func + (a: SecretText, b: SecretText) -> SecretText { SecretText(a.parts + b.parts) }
  package static func += (a: inout SecretText, b: SecretText) { a.parts += b.parts }

  /// The real text, to show or print (bytes that are not UTF-8 as U+FFFD).
  package var revealed: String {
    parts.map { part in
      switch part {
      case .plain(let s), .secret(let s): s
      case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
      }
    }.joined()
  }

  /// The real bytes, to write where they are meant to go: raw parts exactly as found.
  package var revealedBytes: [UInt8] {
    parts.reduce(into: []) { out, part in
      switch part {
      case .plain(let s), .secret(let s): out += s.utf8
      case .raw(let bytes): out += bytes
      }
    }
  }

  /// The text with every secret part shown as `***`.
  package var redacted: String {
    parts.map { part in
      switch part {
      case .plain(let s): s
      case .secret: "***"
      case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
      }
    }.joined()
  }

  /// Every distinct secret string embedded in this text, in order of appearance.
  package var secretParts: [String] {
    var seen: Set<String> = []
    var out: [String] = []
    for case .secret(let s) in parts where !s.isEmpty && seen.insert(s).inserted {
      out.append(s)
    }
    return out
  }

  /// Applies a transformation to every part (for quoting); secret stays secret.
  package func mapParts(_ transform: (String) -> String) -> SecretText {
    SecretText(
      parts.map { part in
        switch part {
        case .plain(let s): .plain(transform(s))
        case .secret(let s): .secret(transform(s))
        case .raw(let bytes): .raw(bytes)
        }
      })
  }

  /// True when any part contains one of these characters.
  package func contains(anyOf characters: Set<Character>) -> Bool {
    revealed.contains { characters.contains($0) }
  }
}
