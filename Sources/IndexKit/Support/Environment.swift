/// The process environment as a value, read once at the edge and passed down.
///
/// Library code never calls `getenv`; tests build an `Environment` from a dictionary.
package struct Environment: Sendable, Equatable {
  package var values: [String: String]

  package init(_ values: [String: String] = [:]) {
    self.values = values
  }

  /// The value, or nil when the variable is unset **or empty** (CI systems often
  /// export empty variables; an empty value is treated as absent everywhere).
  package subscript(_ name: String) -> String? {
    guard let value = values[name], !value.isEmpty else { return nil }
    return value
  }

  /// True when the variable is set to a non-empty value.
  package func has(_ name: String) -> Bool { self[name] != nil }

  /// True for `1`, `true`, `yes`, `on` (any case).
  package func flag(_ name: String) -> Bool {
    guard let v = self[name]?.lowercased() else { return false }
    return ["1", "true", "yes", "on"].contains(v)
  }

  /// The environment with one variable changed.
  package func updating(_ name: String, _ value: String?) -> Environment {
    var copy = self
    copy.values[name] = value
    return copy
  }
}
