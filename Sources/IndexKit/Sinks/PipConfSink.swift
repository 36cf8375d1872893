/// pip's configuration file (FORMATS.md §4.2), merged: `index-url` and `extra-index-url`
/// in `[global]` are set, every other setting, section and comment is kept.
///
/// The file is `pip-conf=PATH`, else `PIP_CONFIG_FILE`, else the user file
/// (`$XDG_CONFIG_HOME/pip/pip.conf`, default `~/.config/pip/pip.conf`); `pip-conf=venv` is
/// the active virtual environment's own file, `$VIRTUAL_ENV/pip.conf`, and only that one. Roles are those of
/// the variables: the first index is `index-url`, the others are added to
/// `extra-index-url` (all of them with `--extra`), next to the extra indexes already listed.
/// When the netrc sink is also written, the URLs carry no credentials.
package struct PipConfSink: Sink {
  package var path: String?
  package var options: ClientOptions

  package init(path: String? = nil, options: ClientOptions = ClientOptions()) {
    self.path = path
    self.options = options
  }

  package var name: String { "pip-conf" }

  /// pip normalises option names: case-insensitive, `_` same as `-`.
  static func normalize(_ key: String) -> String {
    key.lowercased().replacing("_", with: "-")
  }

  /// `pip-conf=venv`: the active virtual environment's file (a file named venv is `./venv`).
  static let virtualEnvironment = "venv"

  func file(in context: Context) throws(SinkError) -> String {
    if path == Self.virtualEnvironment {
      guard let venv = context.environment["VIRTUAL_ENV"] else {
        throw SinkError(
          "--write pip-conf=venv writes the active virtual environment's pip.conf, but VIRTUAL_ENV is not set; activate the environment first (or give pip-conf=PATH; a file named venv is pip-conf=./venv)."
        )
      }
      return "\(venv.hasSuffix("/") ? String(venv.dropLast()) : venv)/pip.conf"
    }
    if let path { return FileIO.expandTilde(path, home: context.home) }
    if let configured = context.environment["PIP_CONFIG_FILE"] {
      guard configured != "/dev/null" else {
        throw SinkError(
          "PIP_CONFIG_FILE is /dev/null, which makes pip ignore every configuration file; give the file to write as pip-conf=PATH, or use the PIP_* variables."
        )
      }
      return FileIO.expandTilde(configured, home: context.home)
    }
    if let xdg = context.environment["XDG_CONFIG_HOME"] { return "\(xdg)/pip/pip.conf" }
    guard let home = context.home else {
      throw SinkError("--write pip-conf needs a home directory (HOME is not set); give pip-conf=PATH.")
    }
    return "\(home)/.config/pip/pip.conf"
  }

  /// The trusted directory of the user file indexkey picks; nil for a file named by the user.
  func anchor(in context: Context) -> String? {
    if path == Self.virtualEnvironment { return context.environment["VIRTUAL_ENV"] }
    guard path == nil, context.environment["PIP_CONFIG_FILE"] == nil else { return nil }
    return context.environment["XDG_CONFIG_HOME"] ?? context.home
  }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let credentials = credentials.filter(\.index.installable)
    guard !credentials.isEmpty else { return [] }
    let file = try file(in: context)
    let existing = try SecureFile.existing(file)
    var doc = try IniDocument.editing(existing, file: file)
    let urls = credentials.map { ClientVariables.pipURL($0, options: options) }
    for (url, credential) in zip(urls, credentials) {
      try VariableRules.requireSingleLine(url, name: "the URL of \(credential.index.name) in \(file)")
    }
    var items: [String] = []
    var warnings: [String] = []
    var extras = Array(urls.dropFirst())
    if options.extra {
      extras = urls
      let main = doc.values(of: "index-url", in: "global", normalize: Self.normalize)?.first
      if options.mainIndexIsPublic && main.map(ClientOptions.isPublicPyPI) ?? true {
        warnings.append(ClientVariables.dependencyConfusionWarning)
      }
    } else {
      if let old = doc.values(of: "index-url", in: "global", normalize: Self.normalize)?.first,
        !credentials.contains(where: { IndexURLText.sameIndex(old, $0.index.simpleURL.description) })
      {
        warnings.append(
          "\(file): index-url \(IndexURLText.withoutCredentials(old)) was replaced by \(credentials[0].index.simpleURL)."
        )
      }
      doc.setValue("index-url", [urls[0]], in: "global", normalize: Self.normalize)
      items.append("index-url")
      if let warning = ClientVariables.publicFirstWarning(credentials) { warnings.append(warning) }
    }
    // Our indexes leave the extra list (an earlier run may have put them there with a token
    // that has since expired), then the extras of this run join the user's own.
    let listed = doc.values(of: "extra-index-url", in: "global", normalize: Self.normalize) ?? []
    let kept = listed.filter { old in
      !credentials.contains { IndexURLText.sameIndex(old, $0.index.simpleURL.description) }
    }
    if !extras.isEmpty {
      doc.setValue(
        "extra-index-url", kept.map { SecretText(plain: $0) } + extras, in: "global", normalize: Self.normalize)
      items.append(
        "extra-index-url (\(extras.count == 1 ? "1 index" : "\(extras.count) indexes")\(kept.isEmpty ? "" : ", \(kept.count) kept"))"
      )
    } else if kept.count < listed.count {
      if kept.isEmpty {
        doc.removeValue("extra-index-url", in: "global", normalize: Self.normalize)
      } else {
        doc.setValue("extra-index-url", kept.map { SecretText(plain: $0) }, in: "global", normalize: Self.normalize)
      }
      items.append("extra-index-url (\(listed.count - kept.count) removed)")
    }
    for section in doc.sectionNames where section != "global" {
      for key in ["index-url", "extra-index-url"]
      where doc.values(of: key, in: section, normalize: Self.normalize) != nil {
        warnings.append("\(file): [\(section)] sets \(key), which overrides [global] for `pip \(section)`.")
      }
    }
    var output = PlannedOutput(
      sink: name, action: .replaceFile(file), content: doc.text, summary: "[global] " + items.joined(separator: ", "),
      items: items,
      warnings: warnings)
    output.anchor = anchor(in: context)
    return [output]
  }
}
