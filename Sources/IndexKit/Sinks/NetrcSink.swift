/// `.netrc` entries (`machine HOST login USER password SECRET`), merged by machine into the
/// existing file (0600, atomic), so credentials stay out of URLs (FORMATS.md §8).
///
/// pip (through requests) and uv read it; twine does not. The file is `netrc=PATH`, else
/// `NETRC`, else `~/.netrc`. A `default` entry is never written: pip would send it to
/// every host, PyPI included. netrc matches by host name only, so two indexes on one host
/// share one entry: allowed for one registry and user (the token is the user's), refused
/// otherwise. When this sink is used, pip's URLs (variables and pip.conf)
/// carry no credentials, and the variable sinks set `NETRC` when the file is not the default.
package struct NetrcSink: Sink {
  package var handOff: NetrcHandOff

  package init(handOff: NetrcHandOff) { self.handOff = handOff }

  package var name: String { "netrc" }

  /// Where the file goes, and whether that is where clients look without `NETRC`.
  package static func handOff(path: String?, environment: Environment, home: String?) throws(ConfigError)
    -> NetrcHandOff
  {
    if let path { return NetrcHandOff(path: FileIO.expandTilde(path, home: home), isDefault: false) }
    if let configured = environment["NETRC"] { return NetrcHandOff(path: configured, isDefault: true) }
    guard let home = home ?? environment["HOME"] else {
      throw ConfigError("--write netrc needs a home directory (HOME is not set); give netrc=PATH.")
    }
    return NetrcHandOff(path: "\(home)/.netrc", isDefault: true)
  }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    // Installers read netrc; an upload-only credential (a PyPI upload token) stays out of it.
    let credentials = credentials.filter(\.index.installable)
    guard !credentials.isEmpty else { return [] }
    let file = handOff.path
    var byHost: [(host: String, credential: Credential)] = []
    for credential in credentials {
      let host = Self.machine(credential.index.simpleURL)
      if let other = byHost.first(where: { $0.host == host }) {
        // Two indexes of one registry on one host, for the same user (two Azure Artifacts
        // feeds of an organisation): the registry's tokens are for the user, not the index,
        // so the first serves both. Anything else cannot share the host's one entry.
        guard other.credential.registry == credential.registry, other.credential.username == credential.username else {
          throw SinkError(
            "netrc holds one credential per host, but '\(other.credential.index.name)' and '\(credential.index.name)' are both on \(host) with different users or registries; write one of them another way (pip-conf or variables)."
          )
        }
        continue
      }
      try Self.check(credential.username, what: "the username for \(host)")
      try Self.check(credential.password.revealed, what: "the password for \(host)")
      byHost.append((host, credential))
    }
    let existing = try SecureFile.existing(file)
    var doc = try NetrcDocument.editing(existing, file: file)
    for (host, credential) in byHost {
      doc.set(host: host, login: credential.usernameText, password: credential.password)
    }
    var warnings: [String] = []
    if doc.hasDefault {
      warnings.append(
        "\(file) has a `default` entry: pip sends its credentials to every host without its own entry, PyPI included. Remove it if you did not mean that."
      )
    }
    var output = PlannedOutput(
      sink: name, action: .replaceFile(file), content: doc.text, items: byHost.map { "machine \($0.host)" },
      warnings: warnings)
    output.anchor = context.home.flatMap { file == "\($0)/.netrc" ? $0 : nil }
    return [output]
  }

  /// The host name as netrc readers match it: no scheme, no port, no brackets.
  static func machine(_ url: WebURL) -> String {
    var host = url.host
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return host
  }

  /// Tokens that every netrc reader takes literally: printable ASCII without space, `"`,
  /// `\` or a leading `#`.
  static func check(_ token: String, what: String) throws(SinkError) {
    let ok =
      !token.isEmpty && !token.hasPrefix("#")
      && token.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
    guard ok else {
      throw SinkError(
        "Refusing to write \(what) into netrc: it is empty or contains whitespace, a quote, a backslash, a leading '#' or non-ASCII characters, which netrc readers treat differently; use pip-conf or the variables instead."
      )
    }
  }
}
