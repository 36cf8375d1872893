/// The values of declared ``Setting``s: flags given on the command line (or by a profile),
/// with the environment's variables as fallback.
///
/// Registries and links read only through their declarations (`settings[AzureSettings.clientID]`),
/// so a misspelt name does not compile, and the declarations say what each one reads.
package struct Settings: Sendable {
  /// What a flag was given as.
  package enum Given: Sendable, Equatable {
    case value(String)
    case on
  }

  /// The flags given, by long name.
  package var given: [String: Given]
  package var environment: Environment

  package init(given: [String: Given] = [:], environment: Environment) {
    self.given = given
    self.environment = environment
  }

  /// Flags by long name as text (tests, profiles): a toggle is on for any value.
  package init(flags: [String: String], environment: Environment) {
    var given: [String: Given] = [:]
    for (name, value) in flags {
      given[name] = SettingsCatalog.setting(flag: name)?.kind == .toggle ? .on : .value(value)
    }
    self.init(given: given, environment: environment)
  }

  /// The flag's value, else the first non-empty variable; nil for toggles and secrets.
  package subscript(_ setting: Setting) -> String? {
    guard setting.kind != .toggle, !setting.isSecret else { return nil }
    if let flag = setting.flag, case .value(let v)? = given[flag], !v.isEmpty { return v }
    for name in setting.variables {
      if let v = environment[name] { return v }
    }
    return nil
  }

  /// True when the toggle's flag was given, or one of its variables says yes.
  package func isOn(_ setting: Setting) -> Bool {
    if let flag = setting.flag, given[flag] != nil { return true }
    return setting.variables.contains { environment.flag($0) }
  }

  /// True when the flag was given explicitly (not its variable).
  package func isGiven(_ setting: Setting) -> Bool {
    setting.flag.map { given[$0] != nil } ?? false
  }

  /// True when the flag or one of its variables (or `_FILE`) is set.
  package func isSet(_ setting: Setting) -> Bool {
    isGiven(setting) || setting.variableNames.contains(where: environment.has)
  }

  /// Like the subscript, but throws a ConfigError naming both ways to set it.
  package func require(_ setting: Setting, for purpose: String) throws(ConfigError) -> String {
    guard let v = self[setting] else {
      let envText = setting.variables.isEmpty ? "" : "set \(setting.variables.joined(separator: " or ")) or "
      throw ConfigError("\(purpose): \(envText)pass \(setting.label).")
    }
    return v
  }

  /// An endpoint URL from the setting (or the default), checked to be https unless loopback.
  package func endpoint(_ setting: Setting, default fallback: String, what: String) throws(ConfigError) -> WebURL {
    var text = self[setting] ?? fallback
    if !text.contains("://") { text = "https://" + text }
    let url = try WebURL(text, what: what)
    try url.requireSecureTransport(what)
    return url
  }

  /// The endpoint when the setting is given, nil otherwise.
  package func endpoint(_ setting: Setting, what: String) throws(ConfigError) -> WebURL? {
    guard self[setting] != nil else { return nil }
    return try endpoint(setting, default: "", what: what)
  }
}
