/// JFrog Artifactory PyPI repositories (`https://HOST/artifactory/api/pypi/REPO/simple`).
///
/// The token comes from a link of ``JFrogChain``: with `--jfrog-oidc-provider NAME` the
/// CI token is exchanged at the platform's Access service for an access token
/// (PROTOCOLS.md §8); the username is the one the exchange names, or the user in the
/// access token's `sub`. Without one, a token from `JF_ACCESS_TOKEN` is used as is.
package struct JFrog: Registry {
  package static let name = "jfrog"
  package static let aliases = ["artifactory"]
  package static let displayName = "JFrog Artifactory"
  package static let settings = ([JFrogSettings.url] + JFrogChain.chain.settings).unique

  /// Where the token comes from: the link of ``JFrogChain`` that answers here.
  package var credentials: ResolvedChain<JFrogTokenRequest, BasicCredential>
  package var chain: ChainTrace? { credentials.trace }
  /// The platform base URL (`https://HOST`), under which `/access/…` lives; nil takes
  /// it from the index URL (its origin and any path before `/artifactory`).
  package var platform: WebURL?

  package init(credentials: ResolvedChain<JFrogTokenRequest, BasicCredential>, platform: WebURL? = nil) {
    self.credentials = credentials
    self.platform = platform
  }

  /// With one configured link and no walk (tests, library users).
  package init(link: some CredentialLink<JFrogTokenRequest, BasicCredential>, platform: WebURL? = nil) {
    self.init(credentials: .only(link, cloud: "JFrog"), platform: platform)
  }

  package static func matchesHost(_ url: WebURL) -> Bool {
    apiIndex(url.segments, requirePrefix: true) != nil
  }

  /// The index of `api` in `…/artifactory/api/pypi/REPO…`; without `requirePrefix` also in
  /// `…/api/pypi/REPO…` (Artifactory behind a reverse proxy that drops `/artifactory`,
  /// accepted when `--registry jfrog` says what the URL is).
  static func apiIndex(_ segments: [String], requirePrefix: Bool) -> Int? {
    guard segments.count >= 3 else { return nil }
    for i in 0...(segments.count - 3) where segments[i] == "api" && segments[i + 1] == "pypi" {
      let prefixed = i > 0 && segments[i - 1] == "artifactory"
      if prefixed || !requirePrefix { return i }
    }
    return nil
  }

  /// `…[/artifactory]/api/pypi/{repo}[/simple]`: install and upload URLs.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let i = apiIndex(segments, requirePrefix: false) else {
      throw ConfigError(
        "'\(url)' is not an Artifactory PyPI repository URL; expected https://HOST/artifactory/api/pypi/REPO/simple (or https://HOST/api/pypi/REPO/simple behind a proxy)."
      )
    }
    let rest = segments.dropFirst(i + 3)
    if let first = rest.first, first != "simple" || rest.count > 1 {
      throw ConfigError(
        "'\(url)' has '\(rest.joined(separator: "/"))' after the repository; give …/api/pypi/REPO/simple.")
    }
    let base = "/" + segments[...(i + 2)].joined(separator: "/")
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base), name: segments[i + 2])
  }

  /// The platform's host only: an access token (given or minted) goes nowhere else.
  func checkHost(_ index: IndexTarget) throws(ConfigError) {
    let given = credentials.link is JFrogAccessTokenLink
    if let platform {
      let what = given ? "the JFrog access token (JF_ACCESS_TOKEN)" : "a JFrog access token"
      try ServerBinding(hosts: [platform.host], source: "JF_URL or --jfrog-url").check(index, credential: what)
    } else if given {
      throw ConfigError(JFrogAccessTokenLink.platformNeeded)
    }
  }

  /// The platform URL from `--jfrog-url`/`JF_URL`, else taken from the index URL; the
  /// token from the first link of ``JFrogChain`` configured here.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> JFrog {
    let platform = try platform(settings)
    return JFrog(
      credentials: try JFrogChain.chain.resolve(LinkInput(settings: settings, identity: identity)), platform: platform)
  }

  /// `--jfrog-url`/`JF_URL`, checked; nil when neither is given.
  static func platform(_ settings: Settings) throws(ConfigError) -> WebURL? {
    try settings.endpoint(JFrogSettings.url, what: "The JFrog platform URL")
  }
}

extension JFrog {
  /// The Access token-exchange endpoint for `index` (platform URL first, else derived).
  package func tokenEndpoint(for index: IndexTarget) -> String {
    var base: String
    if let platform {
      var path = platform.path
      while path.hasSuffix("/") { path.removeLast() }
      base = platform.origin + path
    } else {
      let segments = index.simpleURL.segments
      let api = Self.apiIndex(segments, requirePrefix: false) ?? 0
      let prefix = segments.prefix(api > 0 && segments[api - 1] == "artifactory" ? api - 1 : api)
      base = index.simpleURL.origin + (prefix.isEmpty ? "" : "/" + prefix.joined(separator: "/"))
    }
    return base + "/access/api/v1/oidc/token"
  }

  /// One Access token serves every repository of the platform it came from.
  package func sharedExchange(for index: IndexTarget) -> String? {
    credentials.link is JFrogOIDCLink ? tokenEndpoint(for: index) : nil
  }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    try checkHost(index)
    let answer = try credentials.fetch(JFrogTokenRequest(tokenEndpoint: tokenEndpoint(for: index)), in: context)
    return Credential(
      index: index, registry: Self.name, username: answer.username, password: answer.password,
      expiresAt: answer.expiresAt)
  }
}
