/// Every declared ``Setting`` of every registry, and what is derived from them for the
/// command line and the keyring helper's help.
package enum SettingsCatalog {
  /// Each registry's settings, each once, in registry order.
  package static let all: [Setting] = Registries.all.flatMap { $0.settings }.unique

  /// The settings that have a flag.
  package static var flags: [Setting] { all.filter { $0.flag != nil } }

  /// The setting whose flag is `name` (without dashes).
  package static func setting(flag name: String) -> Setting? {
    all.first { $0.flag == name }
  }

  /// The flags of each registry, under its display name; a flag shared by two (the AWS
  /// region) is listed under the first.
  package static var groups: [(title: String, settings: [Setting])] {
    var shown: Set<String> = []
    return Registries.all.compactMap { type in
      let own = type.settings.filter { setting in setting.flag.map { shown.insert($0).inserted } ?? false }
      return own.isEmpty ? nil : (type.displayName, own)
    }
  }

  /// The flags' help under a heading per registry: `  --flag <value>`, then the help
  /// wrapped below it (lines under 76 columns, which ArgumentParser leaves as they are).
  package static var flagHelp: String {
    groups.map { group in
      ([group.title.uppercased() + " (registry settings)"] + group.settings.flatMap(entry)).joined(separator: "\n")
    }.joined(separator: "\n\n")
  }

  static func entry(_ setting: Setting) -> [String] {
    var usage = "  --" + (setting.flag ?? "")
    if case .value(let placeholder) = setting.kind { usage += " <\(placeholder.lowercased())>" }
    let environment = setting.variables.isEmpty ? "" : " Environment: \(setting.variables.joined(separator: ", "))."
    return [usage] + wrap(setting.help + environment, indent: "        ", width: 76)
  }

  /// `text` in lines of at most `width` columns (longer words stand alone), each indented.
  static func wrap(_ text: String, indent: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ") {
      if !current.isEmpty && indent.count + current.count + 1 + word.count > width {
        lines.append(indent + current)
        current = ""
      }
      current += (current.isEmpty ? "" : " ") + word
    }
    if !current.isEmpty { lines.append(indent + current) }
    return lines
  }

  /// Every variable each registry reads, under its name: the keyring helper's
  /// configuration (a keyring call takes no flags).
  package static var variableHelp: String {
    var seen: Set<String> = []
    return Registries.all.compactMap { type in
      let names = type.settings.flatMap(\.variableNames).filter { seen.insert($0).inserted }
      guard !names.isEmpty else { return nil }
      return ([type.displayName + ":"] + wrap(names.joined(separator: " "), indent: "  ", width: 76)).joined(
        separator: "\n")
    }.joined(separator: "\n")
  }
}
