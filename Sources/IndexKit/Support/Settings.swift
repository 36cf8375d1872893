/// Cloud parameters from flags, with each cloud SDK's environment variables as fallback.
///
/// Flags are stored under their long name without dashes (`azure-client-id`); each
/// registry reads what it needs with ``value(_:env:)``, so adding a registry never
/// touches a shared options type.
public struct Settings: Sendable {
  public var flags: [String: String]
  public var environment: Environment

  public init(flags: [String: String] = [:], environment: Environment) {
    self.flags = flags
    self.environment = environment
  }

  /// The flag's value, else the first non-empty environment variable of `env`.
  public func value(_ flag: String, env names: [String] = []) -> String? {
    if let v = flags[flag], !v.isEmpty { return v }
    for name in names {
      if let v = environment[name] { return v }
    }
    return nil
  }

  /// Like ``value(_:env:)`` but throws a ConfigError naming both ways to set it.
  public func require(_ flag: String, env names: [String] = [], for purpose: String) throws(ConfigError) -> String {
    guard let v = value(flag, env: names) else {
      let envText = names.isEmpty ? "" : "set \(names.joined(separator: " or ")) or "
      throw ConfigError("\(purpose): \(envText)pass --\(flag).")
    }
    return v
  }

  /// True when the flag was given explicitly.
  public func has(_ flag: String) -> Bool { flags[flag] != nil }

  /// An endpoint URL from a flag or variable (or the default), checked to be https unless loopback.
  public func endpoint(_ flag: String, env names: [String] = [], default fallback: String, what: String) throws(ConfigError) -> WebURL {
    var text = value(flag, env: names) ?? fallback
    if !text.contains("://") { text = "https://" + text }
    let url = try WebURL(text, what: what)
    try url.requireSecureTransport(what)
    return url
  }
}
