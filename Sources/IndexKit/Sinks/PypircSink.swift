/// `~/.pypirc` for twine: one section per upload index, listed in `index-servers`
/// (FORMATS.md §5.1).
///
/// Every other byte of an existing file is kept, other keys of our sections
/// (`ca_cert`, `client_cert`) included.
package struct PypircSink: Sink {
  package var path: String?

  package init(path: String? = nil) { self.path = path }

  package var name: String { "pypirc" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let file = path.map({ FileIO.expandTilde($0, home: context.home) }) ?? context.home.map({ "\($0)/.pypirc" })
    else {
      throw SinkError("--write pypirc needs a home directory (HOME is not set); give --pypirc PATH.")
    }
    let uploadable = credentials.filter { $0.index.uploadURL != nil }
    guard !uploadable.isEmpty else { return [] }
    let existing = try SecureFile.existing(file)
    var doc = try IniDocument.editing(existing, file: file)
    var sections: [String] = []
    var warnings: [String] = []
    for credential in uploadable {
      guard let upload = credential.index.uploadURL else { continue }
      let section = Self.sectionName(credential.index.name)
      let password = SecretText("\(credential.password)")
      try VariableRules.requireSingleLine(password, name: "the password for [\(section)] in \(file)")
      try VariableRules.requireSingleLine(credential.usernameText, name: "the username for [\(section)] in \(file)")
      try VariableRules.requireSingleLine(
        SecretText(plain: upload.description), name: "the repository for [\(section)] in \(file)")
      doc.ensureListed(
        section, key: "index-servers", in: "distutils", defaults: existing == nil ? [] : ["pypi", "testpypi"])
      doc.setValue("repository", [SecretText(plain: upload.description)], in: section)
      doc.setValue("username", [credential.usernameText], in: section)
      doc.setValue("password", [password], in: section)
      sections.append("[\(section)]")
      if credential.password.revealed.contains("%") {
        warnings.append(
          "The password in [\(section)] contains '%': twine reads it as written, but Hatch (and old flit) read .pypirc with interpolation and fail on it; for those use the HATCH_INDEX_* variables."
        )
      }
    }
    var output = PlannedOutput(
      sink: name, action: .replaceFile(file), content: doc.text, items: sections, warnings: warnings)
    output.anchor = path == nil ? context.home : nil
    return [output]
  }

  /// A section name twine can use with `-r`: the index name without spaces or brackets.
  static func sectionName(_ name: String) -> String {
    let cleaned = String(name.map { $0.isLetter || $0.isNumber || "-_.@".contains($0) ? $0 : "-" })
    return cleaned.isEmpty ? "indexkey" : cleaned
  }
}
