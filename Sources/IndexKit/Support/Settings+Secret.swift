extension Settings {
  /// A secret setting's value: from its variable, or (for ``Setting/Secrecy/secretOrFile``)
  /// from the file `NAME_FILE` names.
  ///
  /// Secrets never come from flags (argv is visible to every process on the machine).
  /// Giving both forms is an error, so a stale file cannot silently win over a variable.
  /// A trailing line break in the file is dropped, as editors and `echo` add one.
  package func secret(_ setting: Setting) throws(ConfigError) -> Secret? {
    guard let name = setting.variables.first else { return nil }
    guard setting.secrecy == .secretOrFile else { return environment[name].map(Secret.init) }
    let fileVariable = name + "_FILE"
    switch (environment[name], environment[fileVariable]) {
    case (.some, .some):
      throw ConfigError("Both \(name) and \(fileVariable) are set; set only one of them.")
    case (.some(let value), nil):
      return Secret(value)
    case (nil, .some(let path)):
      let text: String
      do {
        text = try FileIO.readText(path)
      } catch {
        throw ConfigError("Could not read the file \(fileVariable) names: \(error.description).")
      }
      var value = Substring(text)
      while let last = value.last, last.isNewline { value.removeLast() }
      if value.isEmpty {
        throw ConfigError("The file \(path) named by \(fileVariable) is empty.")
      }
      return Secret(String(value))
    case (nil, nil):
      return nil
    }
  }
}
