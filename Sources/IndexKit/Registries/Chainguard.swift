/// Chainguard Libraries for Python (`https://libraries.cgr.dev/python/simple/`).
///
/// With an assumable identity, the CI token is exchanged at Chainguard's STS for a
/// short-lived token whose audience is `libraries.cgr.dev`; the index takes it as the
/// Basic password with the username `_token` (what Chainguard's keyring plugin
/// pairs with `chainctl auth token --audience=libraries.cgr.dev`). A long-lived
/// pull token (`chainctl auth pull-token --output env`) is used as given
/// (PROTOCOLS.md §7).
package struct Chainguard: Registry {
  package static let name = "chainguard"
  package static let aliases = ["chainguard-libraries", "cgr"]
  package static let displayName = "Chainguard Libraries"
  package static let settings = ChainguardChain.chain.settings

  /// Where the credential comes from: the link of ``ChainguardChain`` that answers here.
  package var credentials: ResolvedChain<Void, BasicCredential>
  package var chain: ChainTrace? { credentials.trace }

  package init(credentials: ResolvedChain<Void, BasicCredential>) {
    self.credentials = credentials
  }

  /// With one configured link and no walk (tests, library users).
  package init(link: some CredentialLink<Void, BasicCredential>) {
    self.credentials = .only(link, cloud: "Chainguard")
  }

  package static let defaultIssuer = "https://issuer.enforce.dev"
  package static let defaultAudience = "libraries.cgr.dev"
  /// The audience Chainguard identities expect of incoming CI tokens by default.
  package static let defaultOIDCAudience = "issuer.enforce.dev"
  /// The username the index accepts with an STS token.
  package static let tokenUsername = "_token"

  package static func matchesHost(_ url: WebURL) -> Bool {
    url.host == "libraries.cgr.dev"
  }

  /// `/{python…}/simple/`: install only, no uploads.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let ecosystem = segments.first, ecosystem.hasPrefix("python"),
      segments.count == 1 || (segments.count == 2 && segments[1] == "simple")
    else {
      throw ConfigError(
        "'\(url)' is not a Chainguard Libraries Python index; expected https://libraries.cgr.dev/python/simple/.")
    }
    let name = ecosystem == "python" ? "chainguard" : "chainguard-\(ecosystem)"
    return IndexTarget(given: url, simpleURL: url.with(path: "/\(ecosystem)/simple/"), uploadURL: nil, name: name)
  }

  /// The first link of ``ChainguardChain`` configured here.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> Chainguard {
    Chainguard(credentials: try ChainguardChain.chain.resolve(LinkInput(settings: settings, identity: identity)))
  }

  /// The STS token is for Chainguard's registry as a whole, not one index URL.
  package func sharedExchange(for index: IndexTarget) -> String? { "" }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let answer = try credentials.fetch((), in: context)
    return Credential(
      index: index, registry: Self.name, username: answer.username, password: answer.password,
      expiresAt: answer.expiresAt)
  }
}
