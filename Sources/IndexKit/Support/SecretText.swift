/// Text that knows which of its parts are secret.
///
/// Sinks build every file body, variable value and stdout line as `SecretText`, so the
/// same value yields the bytes to write (``revealed``), the dry-run preview
/// (``redacted``), and the exact list of secret strings a CI must mask before
/// anything is written (``secretParts``) — including encoded forms, because the
/// part is recorded as it is embedded.
public struct SecretText: Sendable, Equatable, ExpressibleByStringInterpolation {
  public enum Part: Sendable, Equatable {
    case plain(String)
    case secret(String)
    /// Bytes of a user's file kept exactly as found (they need not be UTF-8).
    case raw([UInt8])
  }

  public private(set) var parts: [Part]

  public init(_ parts: [Part] = []) { self.parts = parts }
  public init(plain: String) { self.parts = [.plain(plain)] }
  public init(stringLiteral value: String) { self.parts = [.plain(value)] }

  public init(stringInterpolation: Interpolation) { self.parts = stringInterpolation.parts }

  public struct Interpolation: StringInterpolationProtocol {
    var parts: [Part] = []
    public init(literalCapacity: Int, interpolationCount: Int) {}
    public mutating func appendLiteral(_ literal: String) {
      if !literal.isEmpty { parts.append(.plain(literal)) }
    }
    public mutating func appendInterpolation(_ value: String) { parts.append(.plain(value)) }
    public mutating func appendInterpolation(_ value: SecretText) { parts += value.parts }
    /// A secret embedded as given (already encoded for its context, if needed).
    public mutating func appendInterpolation(secret: String) { parts.append(.secret(secret)) }
    public mutating func appendInterpolation(_ value: Secret) { parts.append(.secret(value.revealed)) }
  }

  public static func + (a: SecretText, b: SecretText) -> SecretText { SecretText(a.parts + b.parts) }
  public static func += (a: inout SecretText, b: SecretText) { a.parts += b.parts }

  /// The real text, to show or print (bytes that are not UTF-8 as U+FFFD).
  public var revealed: String {
    parts.map { part in
      switch part {
      case .plain(let s), .secret(let s): s
      case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
      }
    }.joined()
  }

  /// The real bytes, to write where they are meant to go: raw parts exactly as found.
  public var revealedBytes: [UInt8] {
    parts.reduce(into: []) { out, part in
      switch part {
      case .plain(let s), .secret(let s): out += s.utf8
      case .raw(let bytes): out += bytes
      }
    }
  }

  /// The text with every secret part shown as `***`.
  public var redacted: String {
    parts.map { part in
      switch part {
      case .plain(let s): s
      case .secret: "***"
      case .raw(let bytes): String(decoding: bytes, as: UTF8.self)
      }
    }.joined()
  }

  /// Every distinct secret string embedded in this text, in order of appearance.
  public var secretParts: [String] {
    var seen: Set<String> = []
    var out: [String] = []
    for case .secret(let s) in parts where !s.isEmpty && seen.insert(s).inserted {
      out.append(s)
    }
    return out
  }

  /// Applies a transformation to every part (for quoting); secret stays secret.
  public func mapParts(_ transform: (String) -> String) -> SecretText {
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
  public func contains(anyOf characters: Set<Character>) -> Bool {
    revealed.contains { characters.contains($0) }
  }
}
