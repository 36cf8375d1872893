/// Google Artifact Registry Python repositories, authenticated with an OAuth access token
/// (`oauth2accesstoken`) or, when asked, the service account key itself (`_json_key_base64`).
///
/// The token comes from a link of ``GoogleChain``: Workload Identity Federation (a CI token
/// exchanged at Google STS, then optionally a service account impersonated) or a service
/// account key (JWT-bearer grant). PROTOCOLS.md §5.
package struct GoogleArtifactRegistry: Registry {
  package static let name = "google-artifact-registry"
  package static let aliases = ["gcp", "google", "artifact-registry"]
  package static let displayName = "Google Artifact Registry"
  package static let settings = GoogleChain.chain.settings
  package static let username = "oauth2accesstoken"
  package static let keyUsername = "_json_key_base64"

  /// Where the token comes from: the link of ``GoogleChain`` that answers here.
  package var credentials: ResolvedChain<GoogleTokenRequest, GoogleCredential>
  package var chain: ChainTrace? { credentials.trace }

  package init(credentials: ResolvedChain<GoogleTokenRequest, GoogleCredential>) {
    self.credentials = credentials
  }

  /// With one configured link and no walk (tests, library users).
  package init(link: some CredentialLink<GoogleTokenRequest, GoogleCredential>) {
    self.credentials = .only(link, cloud: "Google")
  }

  /// The first link of ``GoogleChain`` configured here.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> GoogleArtifactRegistry {
    GoogleArtifactRegistry(
      credentials: try GoogleChain.chain.resolve(LinkInput(settings: settings, identity: identity)))
  }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    switch try credentials.fetch((), in: context) {
    case .serviceAccountKey(let key):
      let password = Secret(Base64.encode(Array(key.contents.revealed.utf8)))
      return Credential(
        index: index, registry: Self.name, username: Self.keyUsername, password: password, expiresAt: nil,
        warnings: [
          "--gcp-key-as-password writes the service account key of \(key.clientEmail) itself (base64) as the password; it never expires until the key is deleted. Prefer Workload Identity Federation, or drop the flag to get a one-hour token from the key."
        ])
    case .accessToken(let token):
      return Credential(
        index: index, registry: Self.name, username: Self.username, password: token.value, expiresAt: token.expiresAt)
    }
  }

  /// An access token (or the key) serves every repository the principal may read.
  package func sharedExchange(for index: IndexTarget) -> String? { "" }

  package static func matchesHost(_ url: WebURL) -> Bool {
    url.host.hasSuffix("-python.pkg.dev")
  }

  static let shape = "https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/"

  /// `/PROJECT/REPOSITORY/[simple/…]`: install from `…/simple/`, upload to `…/`.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard segments.count >= 2, segments.count == 2 || segments[2] == "simple" else {
      throw ConfigError("'\(url)' is not an Artifact Registry Python repository URL; expected \(shape).")
    }
    let base = "/\(segments[0])/\(segments[1])"
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base + "/"), name: segments[1]
    )
  }
}
