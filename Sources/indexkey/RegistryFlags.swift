import ArgumentParser
import IndexKit

/// The registries' flags (`--azure-client-id ID`, `--gcp-key-as-password`, …).
///
/// They are declared by the registries as ``Setting``s rather than as ArgumentParser properties: before
/// ArgumentParser reads a `login`, `token` or `doctor` line, each is rewritten to the one
/// hidden option `--registry-setting NAME=VALUE` (or `NAME` for a toggle), which
/// ``IndexInputs`` turns back into settings. Their help is the commands' discussion.
enum RegistryFlags {
  /// The hidden option that carries them.
  static let carrier = "registry-setting"

  /// The commands that take registry settings.
  static let commands: Set<String> = ["login", "token", "doctor"]

  /// `arguments` (without the program name) with every registry flag in carrier form.
  static func rewrite(_ arguments: [String]) -> [String] {
    guard let verb = arguments.first, commands.contains(verb) else { return arguments }
    var result = [verb]
    var i = 1
    while i < arguments.count {
      let argument = arguments[i]
      i += 1
      if argument == "--" {
        result += arguments[(i - 1)...]
        break
      }
      guard argument.hasPrefix("--") else {
        result.append(argument)
        continue
      }
      let body = argument.dropFirst(2)
      let name = String(body.prefix { $0 != "=" })
      guard let setting = SettingsCatalog.setting(flag: name) else {
        result.append(argument)
        continue
      }
      if body.contains("=") || setting.kind == .toggle || i >= arguments.count || arguments[i].hasPrefix("-") {
        result += ["--\(carrier)", String(body)]
      } else {
        result += ["--\(carrier)", "\(name)=\(arguments[i])"]
        i += 1
      }
    }
    return result
  }

  /// The carried settings, checked against their declarations.
  static func given(_ carried: [String]) throws -> [String: Settings.Given] {
    var given: [String: Settings.Given] = [:]
    for item in carried {
      let name = String(item.prefix { $0 != "=" })
      let value = item.contains("=") ? String(item.drop { $0 != "=" }.dropFirst()) : nil
      guard let setting = SettingsCatalog.setting(flag: name) else {
        throw ValidationError("Unknown option '--\(name)'.")
      }
      switch (setting.kind, value) {
      case (.toggle, nil): given[name] = .on
      case (.toggle, _?): throw ValidationError("--\(name) takes no value.")
      case (.value, let value?) where !value.isEmpty: given[name] = .value(value)
      case (.value, _): throw ValidationError("Missing value for '--\(name) <\(placeholder(setting))>'.")
      }
    }
    return given
  }

  static func placeholder(_ setting: Setting) -> String {
    if case .value(let placeholder) = setting.kind { return placeholder.lowercased() }
    return ""
  }

  /// The registry flags' help, for the commands' discussion.
  static var help: String { SettingsCatalog.flagHelp }
}
