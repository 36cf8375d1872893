/// `~/.pypirc` for twine: one section per upload index, listed in `index-servers`
/// (FORMATS.md §5.1). Every other byte of an existing file is kept.
public struct PypircSink: Sink {
  public var path: String?

  public init(path: String? = nil) { self.path = path }

  public var name: String { "pypirc" }

  public func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    guard let file = path.map({ FileIO.expandTilde($0, home: context.home) }) ?? context.home.map({ "\($0)/.pypirc" }) else {
      throw SinkError("--write pypirc needs a home directory (HOME is not set); give --pypirc PATH.")
    }
    let uploadable = credentials.filter { $0.index.uploadURL != nil }
    guard !uploadable.isEmpty else { return [] }
    let existing = try SecureFile.existing(file)
    var doc = IniDocument(text: existing.map { String(decoding: $0, as: UTF8.self) } ?? "")
    var sections: [String] = []
    for credential in uploadable {
      guard let upload = credential.index.uploadURL else { continue }
      let section = Self.sectionName(credential.index.name)
      let password = SecretText("\(credential.password)")
      try VariableRules.requireSingleLine(password, name: "the password for [\(section)] in \(file)")
      try VariableRules.requireSingleLine(SecretText(plain: credential.username), name: "the username for [\(section)] in \(file)")
      doc.ensureListed(section, key: "index-servers", in: "distutils", defaults: existing == nil ? [] : ["pypi", "testpypi"])
      doc.setSection(section, [
        ("repository", SecretText(plain: upload.description)),
        ("username", SecretText(plain: credential.username)),
        ("password", password),
      ])
      sections.append("[\(section)]")
    }
    return [PlannedOutput(sink: name, action: .replaceFile(file), content: doc.text, summary: sections.joined(separator: ", "))]
  }

  /// A section name twine can use with `-r`: the index name without spaces or brackets.
  static func sectionName(_ name: String) -> String {
    let cleaned = String(name.map { $0.isLetter || $0.isNumber || "-_.@".contains($0) ? $0 : "-" })
    return cleaned.isEmpty ? "indexkey" : cleaned
  }
}
