/// The server a credential held in the environment is for (a GitLab job token is for the
/// job's GitLab, `JF_ACCESS_TOKEN` for the platform `JF_URL` names): the credential is
/// handed to that host only, whoever asks — a URL on the command line, in a requirements
/// file or in a keyring lookup.
package struct ServerBinding: Sendable, Equatable {
  /// Lower-case host names (ports are not compared: one host, one server).
  package var hosts: [String]
  /// Where the hosts came from, for the message ("CI_SERVER_HOST", "JF_URL").
  package var source: String

  package init(hosts: [String], source: String) {
    var seen: Set<String> = []
    self.hosts = hosts.map { $0.lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    self.source = source
  }

  /// The hosts of these variables' values (a host name or a URL), in order; nil when none is set.
  package static func from(_ variables: [String], in environment: Environment) -> ServerBinding? {
    let set = variables.filter { environment[$0] != nil }
    let hosts = set.compactMap { name in environment[name].flatMap(host(of:)) }
    return hosts.isEmpty ? nil : ServerBinding(hosts: hosts, source: set.joined(separator: ", "))
  }

  /// The host of `text`, a URL or a bare `host[:port]`.
  static func host(of text: String) -> String? {
    (try? WebURL(text.contains("://") ? text : "https://" + text, what: "The server"))?.host
  }

  /// Throws unless `index` is on one of the hosts.
  /// - Parameters:
  ///   - index: the index the credential would be handed to.
  ///   - credential: what is refused, in words ("GitLab's job token (CI_JOB_TOKEN)").
  /// - Throws: ``ConfigError`` when the index's host is none of the hosts.
  package func check(_ index: IndexTarget, credential: String) throws(ConfigError) {
    let host = index.simpleURL.host
    guard !hosts.contains(host) else { return }
    let own = hosts.count == 1 ? hosts[0] : hosts.joined(separator: " or ")
    throw ConfigError(
      "Refusing to hand \(credential) to \(host): it is for \(own) (from \(source)). Give an index on \(own), or the credential for \(host) itself."
    )
  }
}
