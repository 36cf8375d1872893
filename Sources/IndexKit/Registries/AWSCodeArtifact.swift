/// AWS CodeArtifact PyPI repositories: username `aws`, password a CodeArtifact
/// authorization token obtained with SigV4-signed `GetAuthorizationToken`.
///
/// The signing keys are a role session from `AssumeRoleWithWebIdentity` (the CI token),
/// or static keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`[/`AWS_SESSION_TOKEN`].
/// PROTOCOLS.md §6.
public struct AWSCodeArtifact: Registry {
  public static let name = "aws-codeartifact"
  public static let aliases = ["codeartifact", "aws"]
  public static let displayName = "AWS CodeArtifact"
  public static let username = "aws"

  /// Where the signing keys come from.
  public enum Authentication: Sendable {
    case webIdentity(AWSWebIdentity)
    /// Static keys, and where they came from ("AWS_ACCESS_KEY_ID").
    case keys(AWSCredentials, origin: String)
    /// A shared-file profile, container credentials or instance metadata.
    case local(AWSLocalSource)
  }

  public var authentication: Authentication
  /// Where the default credential chain looked, in order (empty for an explicit role):
  /// `doctor`'s trace.
  public var chain: [LocalChainStep] = []
  /// For index URLs whose host does not say (`--aws-domain`, `--aws-domain-owner`).
  public var domain: String?
  public var owner: String?
  /// `--aws-region`/`AWS_REGION`/`AWS_DEFAULT_REGION`: STS's region, and the repository's
  /// when its host does not say.
  public var region: String?
  public var stsEndpoint: WebURL?
  /// `AWS_STS_REGIONAL_ENDPOINTS=legacy`: the global STS host for the regions SDKs send there.
  public var legacySTSEndpoints = false
  public var codeArtifactEndpoint: WebURL?
  /// The CodeArtifact token's lifetime in seconds; 0 = as long as the signing session.
  public var duration: Int

  public init(
    authentication: Authentication, domain: String? = nil, owner: String? = nil, region: String? = nil,
    stsEndpoint: WebURL? = nil, codeArtifactEndpoint: WebURL? = nil, duration: Int = 3600
  ) {
    self.authentication = authentication
    self.domain = domain
    self.owner = owner
    self.region = region
    self.stsEndpoint = stsEndpoint
    self.codeArtifactEndpoint = codeArtifactEndpoint
    self.duration = duration
  }

  public func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let repository = try self.repository(for: index)
    let credentials: AWSCredentials
    let principal: String
    var sessionExpiry: UnixTime?
    switch authentication {
    case .webIdentity(let identity):
      let stsRegion = region ?? repository.region
      let sts = AWSSTS(endpoint: try stsEndpoint ?? WebURL(AWSSTS.defaultEndpoint(region: stsRegion, legacy: legacySTSEndpoints), what: "The STS endpoint"))
      // connect to STS and CodeArtifact while the CI token is fetched
      context.transport.prepare(sts.endpoint.description)
      context.transport.prepare(try codeArtifactEndpoint(for: repository).description)
      let token = try identity.source.freshToken(audience: identity.audience ?? AWSWebIdentity.defaultAudience(region: stsRegion), in: context)
      // The session only signs one request; its shortest life suffices unless the token should live as long.
      let call = AWSSTS.Request(roleARN: identity.roleARN, sessionName: identity.sessionName, duration: duration == 0 ? nil : 900)
      (credentials, sessionExpiry) = try sts.assumeRole(call, token: token, in: context)
      principal = "the role \(identity.roleARN) (session \(identity.sessionName))"
    case .keys(let keys, let origin):
      credentials = keys
      principal = "the access key \(keys.accessKeyID) (\(origin))"
    case .local(let source):
      context.transport.prepare(try codeArtifactEndpoint(for: repository).description)
      let session = try source.fetch(fallbackRegion: region ?? repository.region, in: context)
      (credentials, principal, sessionExpiry) = (session.credentials, session.principal, session.expiresAt)
    }
    let client = CodeArtifactClient(endpoint: try codeArtifactEndpoint(for: repository), region: repository.region)
    let requestedAt = context.clock.now()
    let (token, expiresAt) = try client.authorizationToken(
      for: repository, duration: duration, credentials: credentials, principal: principal, in: context)
    let expiry = expiresAt ?? (duration == 0 ? sessionExpiry : requestedAt + Double(duration))
    return Credential(index: index, registry: Self.name, username: Self.username, password: token, expiresAt: expiry)
  }

  func codeArtifactEndpoint(for repository: CodeArtifactRepository) throws(ConfigError) -> WebURL {
    if let codeArtifactEndpoint { return codeArtifactEndpoint }
    return try WebURL(CodeArtifactClient.defaultEndpoint(region: repository.region), what: "The CodeArtifact endpoint")
  }

  /// An authorization token covers every repository of its domain.
  public func sharedExchange(for index: IndexTarget) -> String? {
    guard let repository = try? repository(for: index) else { return nil }
    return "\(repository.domain)\u{0}\(repository.owner)\u{0}\(repository.region)"
  }

  /// Domain, owner and region from the index host, else from the settings.
  public func repository(for index: IndexTarget) throws(ConfigError) -> CodeArtifactRepository {
    if let parsed = CodeArtifactRepository.parse(host: index.given.host) {
      return CodeArtifactRepository(domain: parsed.domain, owner: parsed.owner, region: parsed.region, repository: index.name)
    }
    guard let domain, let owner else {
      throw ConfigError(
        "The index '\(index.given)' is not on a CodeArtifact host (DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com), so give the domain with --aws-domain and its owner account with --aws-domain-owner.")
    }
    guard let region else {
      throw ConfigError("The index '\(index.given)' does not say its region; set AWS_REGION or pass --aws-region.")
    }
    return CodeArtifactRepository(domain: domain, owner: owner, region: region, repository: index.name)
  }

  public static func matchesHost(_ url: WebURL) -> Bool {
    CodeArtifactRepository.parse(host: url.host) != nil
  }

  static let shape = "https://DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com/pypi/REPOSITORY/simple/"

  /// `/pypi/REPOSITORY/[simple/…]`: install from `…/simple/`, upload to `…/pypi/REPOSITORY/`.
  public static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard segments.count >= 2, segments[0] == "pypi", segments.count == 2 || segments[2] == "simple" else {
      throw ConfigError("'\(url)' is not a CodeArtifact PyPI repository URL; expected \(shape).")
    }
    let base = "/pypi/\(segments[1])"
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base + "/"), name: segments[1])
  }
}

/// A role assumed with a web identity (OIDC) token.
public struct AWSWebIdentity: Sendable {
  public var roleARN: String
  public var sessionName: String
  public var source: any IdentitySource
  /// The CI token's audience; nil for the partition's default.
  public var audience: String?

  public init(roleARN: String, sessionName: String, source: any IdentitySource, audience: String?) {
    self.roleARN = roleARN
    self.sessionName = sessionName
    self.source = source
    self.audience = audience
  }

  /// `sts.amazonaws.com` (`sts.amazonaws.com.cn` in China), what GitHub's AWS action requests.
  public static func defaultAudience(region: String) -> String {
    "sts.\(CodeArtifactRepository.dnsSuffix(region: region))"
  }
}
