/// The index a keyring SERVICE names, once recognised.
package struct KeyringIndex: Sendable {
  package var registry: any Registry.Type
  package var target: IndexTarget
  /// True when the service was a bare `host[:port]` (or `scheme://host[:port]`): the
  /// answer is the host's credential, not one feed's.
  package var hostOnly: Bool

  package init(registry: any Registry.Type, target: IndexTarget, hostOnly: Bool) {
    self.registry = registry
    self.target = target
    self.hostOnly = hostOnly
  }
}

/// Maps what pip and uv pass as the keyring SERVICE to a registry and an index.
///
/// pip passes the index URL (credentials stripped, ending in `/`), then the bare
/// `host[:port]`; uv passes the configured index URL, then `host[:port]`, then for
/// plain-http indexes `http://host[:port]` (PROTOCOLS.md §10, FORMATS.md §6.3).
/// The registry comes from ``Registries/recognise(_:)`` (so every registry in
/// ``Registries/all`` is served), or for hosts indexkey cannot recognise, from
/// ``registryVariable``.
package enum KeyringServices {
  /// `HOST[:PORT]=REGISTRY` entries, separated by spaces or commas, naming the registry
  /// of hosts indexkey does not recognise (self-hosted servers, a loopback test index).
  ///
  /// An entry applies to that exact host and port only; it also overrides recognition.
  package static let registryVariable = "INDEXKEY_REGISTRY"

  /// The index `service` names, or nil when it is not one indexkey handles.
  ///
  /// - Throws: ``ConfigError`` when ``registryVariable`` is malformed, or when the
  ///   service is one indexkey handles but over plain http to another machine.
  package static func resolve(_ service: String, environment: Environment) throws(ConfigError) -> KeyringIndex? {
    let hosts = try hostRegistries(environment)
    guard let (url, hostOnly) = parse(service) else { return nil }
    guard let registry = hosts[url.authority] ?? Registries.recognise(url) else { return nil }
    if url.scheme != "https" && !url.isLoopback {
      throw ConfigError(
        "Refusing to hand a \(registry.displayName) credential to '\(service)': it is plain http to another machine. Use the index's https URL."
      )
    }
    if hostOnly {
      // A host whose credential is for uploads only (PyPI) is never answered by its name.
      if let own = try? registry.target(for: url.with(path: "/")), !own.installable { return nil }
      // One entry per host, whichever way it was written (`host:port`, `http://host:port`).
      var root = url.with(path: "/")
      root.scheme = "https"
      return KeyringIndex(
        registry: registry, target: IndexTarget(given: url, simpleURL: root, uploadURL: nil, name: url.authority),
        hostOnly: true)
    }
    guard let target = try? registry.target(for: url) else { return nil }
    // An upload-only credential (a trusted-publishing token) goes to its upload URL
    // (`uv publish`), never to an installer asking for the index.
    if !target.installable && !(target.uploadURL.map { sameLocation($0, url) } ?? false) { return nil }
    return KeyringIndex(registry: registry, target: target, hostOnly: false)
  }

  /// Same scheme, host, port and path, ignoring a trailing slash.
  static func sameLocation(_ a: WebURL, _ b: WebURL) -> Bool {
    func path(_ u: WebURL) -> String { u.path.hasSuffix("/") ? String(u.path.dropLast()) : u.path }
    return a.scheme == b.scheme && a.authority == b.authority && path(a) == path(b)
  }

  /// A URL, or a bare `host[:port]` (read as https); nil for anything else.
  static func parse(_ service: String) -> (url: WebURL, hostOnly: Bool)? {
    let text = service.trimmingSpaces
    guard !text.isEmpty, !text.contains(where: { $0 == " " || $0 == "@" || $0 == "\\" }) else { return nil }
    if text.contains("://") {
      guard let url = try? WebURL(text, what: "The service") else { return nil }
      return (url, url.path == "/" && url.query == nil)
    }
    guard !text.contains("/"), !text.contains("?"), !text.contains("#"),
      let url = try? WebURL("https://" + text, what: "The service")
    else { return nil }
    return (url, true)
  }

  /// ``registryVariable`` parsed: authority (`host` or `host:port`, lower case) → registry.
  package static func hostRegistries(_ environment: Environment) throws(ConfigError) -> [String: any Registry.Type] {
    guard let text = environment[registryVariable] else { return [:] }
    var out: [String: any Registry.Type] = [:]
    let entries = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\n" })
    for entry in entries {
      let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let (url, hostOnly) = parse(parts[0]), hostOnly, !parts[0].contains("://") else {
        throw ConfigError(
          "\(registryVariable) entry '\(entry)' is not HOST[:PORT]=REGISTRY (for example 127.0.0.1:8080=azure-artifacts); registries: \(Registries.names)."
        )
      }
      let registry: any Registry.Type
      do {
        registry = try Registries.named(parts[1])
      } catch {
        throw ConfigError(
          "\(registryVariable) entry '\(entry)' names an unknown registry '\(parts[1])'; use one of: \(Registries.names)."
        )
      }
      out[url.authority] = registry
    }
    return out
  }
}
