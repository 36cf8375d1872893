/// How the variable-style sinks (GitHub env and outputs, shells, GitLab env file, Azure
/// Pipelines) describe the indexes: which clients, and in which role.
package struct ClientOptions: Sendable {
  /// The clients whose variables are written, in this order.
  package var clients: [PackagingClient] = PackagingClient.allCases
  /// Add the indexes next to the client's main index instead of replacing it.
  package var extra = false
  /// With ``extra``: whether pip's main index is public PyPI (no `PIP_INDEX_URL` set, or it
  /// points at pypi.org), which makes the extra index a dependency-confusion risk.
  package var mainIndexIsPublic = true
  /// Set when the netrc sink holds the credentials: pip's URLs then carry none.
  package var netrc: NetrcHandOff?
  /// Set when the pypirc sink writes `~/.pypirc`, where twine looks without `--config-file`:
  /// twine then gets `TWINE_REPOSITORY` (a section name that `-r` can override) instead of
  /// `TWINE_REPOSITORY_URL`, which would make it ignore `-r` and the file.
  package var pypircIsDefault = false

  package init(clients: [PackagingClient] = PackagingClient.allCases, extra: Bool = false) {
    self.clients = clients
    self.extra = extra
  }

  /// Reads `--clients`, `--extra` and the environment's `PIP_INDEX_URL`.
  package static func from(_ login: LoginOptions, environment: Environment) throws(ConfigError) -> ClientOptions {
    var options = ClientOptions()
    if let list = login.clients, !list.isEmpty {
      var chosen: [PackagingClient] = []
      for item in list.split(separator: ",").map({ $0.trimmingSpaces.lowercased() }) where !item.isEmpty {
        guard let client = PackagingClient(rawValue: item) else {
          throw ConfigError(
            "--clients '\(item)' is not a known client; use any of: \(PackagingClient.allCases.map(\.rawValue).joined(separator: ", "))."
          )
        }
        if !chosen.contains(client) { chosen.append(client) }
      }
      guard !chosen.isEmpty else { throw ConfigError("--clients needs at least one client.") }
      options.clients = PackagingClient.allCases.filter(chosen.contains)
    }
    options.extra = login.extra
    if let main = environment["PIP_INDEX_URL"] {
      options.mainIndexIsPublic = isPublicPyPI(main)
    }
    return options
  }

  /// True for pypi.org's own index URLs.
  static func isPublicPyPI(_ url: String) -> Bool {
    guard let parsed = try? WebURL(IndexURLText.withoutCredentials(url), what: "") else { return false }
    return ["pypi.org", "pypi.python.org", "test.pypi.org", "files.pythonhosted.org"].contains(parsed.host)
  }
}

/// Where the netrc sink writes, so pip's URLs can leave the credentials out and the
/// variable sinks can point `NETRC` at a file that is not the default one.
package struct NetrcHandOff: Sendable, Equatable {
  package var path: String
  package var isDefault: Bool

  package init(path: String, isDefault: Bool) {
    self.path = path
    self.isDefault = isDefault
  }
}

/// Small helpers for index URLs given as text (existing config values).
enum IndexURLText {
  /// The URL without a `user:password@` part.
  static func withoutCredentials(_ text: String) -> String {
    guard let schemeEnd = text.firstRange(of: "://") else { return text }
    let rest = text[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
    return String(text[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
  }

  /// Compares two index URLs ignoring credentials, case of scheme and host, and a trailing slash.
  static func sameIndex(_ a: String, _ b: String) -> Bool {
    func key(_ s: String) -> String? {
      guard let url = try? WebURL(withoutCredentials(s), what: "") else { return nil }
      var path = url.path
      while path.hasSuffix("/") && path.count > 1 { path.removeLast() }
      return url.origin + path
    }
    guard let x = key(a), let y = key(b) else { return false }
    return x == y
  }
}
