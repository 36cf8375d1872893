/// AWS CodeArtifact PyPI repositories: username `aws`, password a CodeArtifact
/// authorization token obtained with SigV4-signed `GetAuthorizationToken`.
///
/// The signing keys are a role session from `AssumeRoleWithWebIdentity` (the CI token),
/// or static keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`[/`AWS_SESSION_TOKEN`].
/// PROTOCOLS.md §6.
package struct AWSCodeArtifact: Registry {
  package static let name = "aws-codeartifact"
  package static let aliases = ["codeartifact", "aws"]
  package static let displayName = "AWS CodeArtifact"
  package static let username = "aws"

  /// Where the signing keys come from: the link of ``AWSChain`` that answers here.
  package var credentials: ResolvedChain<AWSKeysRequest, AWSSession>
  package var chain: ChainTrace? { credentials.trace }
  /// For index URLs whose host does not say (`--aws-domain`, `--aws-domain-owner`).
  package var domain: String?
  package var owner: String?
  /// `--aws-region`/`AWS_REGION`/`AWS_DEFAULT_REGION`: the repository's region when its
  /// host does not say.
  package var region: String?
  package var codeArtifactEndpoint: WebURL?
  /// The CodeArtifact token's lifetime in seconds; 0 = as long as the signing session.
  package var duration: Int

  package init(
    credentials: ResolvedChain<AWSKeysRequest, AWSSession>, domain: String? = nil, owner: String? = nil,
    region: String? = nil,
    codeArtifactEndpoint: WebURL? = nil, duration: Int = 3600
  ) {
    self.credentials = credentials
    self.domain = domain
    self.owner = owner
    self.region = region
    self.codeArtifactEndpoint = codeArtifactEndpoint
    self.duration = duration
  }

  /// What the links are asked for this repository: its region, and a session that only
  /// signs one request (its shortest life) unless the token should live as long.
  func keysRequest(_ repository: CodeArtifactRepository) -> AWSKeysRequest {
    AWSKeysRequest(region: repository.region, sessionDuration: duration == 0 ? nil : 900)
  }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let repository = try self.repository(for: index)
    // connect to CodeArtifact while the link gets its keys (STS, the CI token)
    context.transport.prepare(try codeArtifactEndpoint(for: repository).description)
    let session = try credentials.fetch(keysRequest(repository), in: context)
    let client = CodeArtifactClient(endpoint: try codeArtifactEndpoint(for: repository), region: repository.region)
    let requestedAt = context.clock.now()
    let (token, expiresAt) = try client.authorizationToken(
      for: repository, duration: duration, credentials: session.credentials, principal: session.principal, in: context)
    let expiry = expiresAt ?? (duration == 0 ? session.expiresAt : requestedAt + Double(duration))
    return Credential(index: index, registry: Self.name, username: Self.username, password: token, expiresAt: expiry)
  }

  func codeArtifactEndpoint(for repository: CodeArtifactRepository) throws(ConfigError) -> WebURL {
    if let codeArtifactEndpoint { return codeArtifactEndpoint }
    return try WebURL(CodeArtifactClient.defaultEndpoint(region: repository.region), what: "The CodeArtifact endpoint")
  }

  /// An authorization token covers every repository of its domain.
  package func sharedExchange(for index: IndexTarget) -> String? {
    guard let repository = try? repository(for: index) else { return nil }
    return "\(repository.domain)\u{0}\(repository.owner)\u{0}\(repository.region)"
  }

  /// Domain, owner and region from the index host, else from the settings.
  package func repository(for index: IndexTarget) throws(ConfigError) -> CodeArtifactRepository {
    if let parsed = CodeArtifactRepository.parse(host: index.given.host) {
      return CodeArtifactRepository(
        domain: parsed.domain, owner: parsed.owner, region: parsed.region, repository: index.name)
    }
    guard let domain, let owner else {
      throw ConfigError(
        "The index '\(index.given)' is not on a CodeArtifact host (DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com), so give the domain with --aws-domain and its owner account with --aws-domain-owner."
      )
    }
    guard let region else {
      throw ConfigError("The index '\(index.given)' does not say its region; set AWS_REGION or pass --aws-region.")
    }
    return CodeArtifactRepository(domain: domain, owner: owner, region: region, repository: index.name)
  }

  package static func matchesHost(_ url: WebURL) -> Bool {
    CodeArtifactRepository.parse(host: url.host) != nil
  }

  static let shape = "https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPOSITORY/simple/"

  /// `/pypi/REPOSITORY/[simple/…]`: install from `…/simple/`, upload to `…/pypi/REPOSITORY/`.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard segments.count >= 2, segments[0] == "pypi", segments.count == 2 || segments[2] == "simple" else {
      throw ConfigError("'\(url)' is not a CodeArtifact PyPI repository URL; expected \(shape).")
    }
    let base = "/pypi/\(segments[1])"
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base + "/"), name: segments[1]
    )
  }
}
