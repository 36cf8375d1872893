/// A credential or token that must never reach a log, an error message or argv.
///
/// `description` is `***`, so interpolating a `Secret` into a message cannot leak it.
/// The raw value is reachable only through ``revealed``, which sinks and request
/// bodies use and nothing else should.
package struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
  /// The raw value.
  ///
  /// Use only to put the secret where it is meant to go.
  package let revealed: String

  package init(_ value: String) {
    self.revealed = value
  }

  package var description: String { "***" }
  package var debugDescription: String { "Secret(***)" }

  /// True when the value is empty or only whitespace.
  package var isBlank: Bool {
    revealed.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
  }
}
