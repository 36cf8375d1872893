/// Google Artifact Registry Python repositories, authenticated with an OAuth access token
/// (`oauth2accesstoken`) or, when asked, the service account key itself (`_json_key_base64`).
///
/// The token comes from Workload Identity Federation (a CI token exchanged at Google STS,
/// then optionally a service account impersonated) or from a service account key
/// (JWT-bearer grant). PROTOCOLS.md §5.
public struct GoogleArtifactRegistry: Registry {
  public static let name = "google-artifact-registry"
  public static let aliases = ["gcp", "google", "artifact-registry"]
  public static let displayName = "Google Artifact Registry"
  public static let username = "oauth2accesstoken"
  public static let keyUsername = "_json_key_base64"

  /// How the base access token is obtained.
  public enum Authentication: Sendable {
    /// A subject token exchanged at Google STS.
    case federated(GoogleFederation)
    /// A service account key's JWT-bearer grant at Google's OAuth endpoint.
    case serviceAccountKey(GoogleServiceAccountKey, tokenEndpoint: WebURL)
    /// The key file itself as the password (`--gcp-key-as-password`): no exchange at all.
    case keyAsPassword(GoogleServiceAccountKey)
    /// A laptop's sign-in or the metadata server.
    case local(GoogleLocalSource)
  }

  public var authentication: Authentication
  public var impersonation: GoogleImpersonation?
  /// Where the local chain looked, in order (empty for CI federation): `doctor`'s trace.
  public var chain: [LocalChainStep] = []

  public init(authentication: Authentication, impersonation: GoogleImpersonation?) {
    self.authentication = authentication
    self.impersonation = impersonation
  }

  public func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let base: GoogleToken
    let caller: GoogleImpersonation.Caller
    switch authentication {
    case .keyAsPassword(let key):
      context.console.err(
        "indexkey: warning: --gcp-key-as-password writes the service account key of \(key.clientEmail) itself (base64) as the password; it never expires until the key is deleted. Prefer Workload Identity Federation, or drop the flag to get a one-hour token from the key.")
      let password = Secret(Base64.encode(Array(key.contents.revealed.utf8)))
      return Credential(index: index, registry: Self.name, username: Self.keyUsername, password: password, expiresAt: nil)
    case .federated(let federation):
      // connect to STS (and IAM Credentials) while the subject token is fetched
      context.transport.prepare(federation.sts.endpoint.description)
      if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
      (base, caller) = try federation.accessToken(in: context)
    case .serviceAccountKey(let key, let endpoint):
      if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
      base = try key.accessToken(endpoint: endpoint, in: context).fresh(from: "Google OAuth", in: context)
      caller = .serviceAccount(key.clientEmail)
    case .local(let source):
      if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
      base = try source.accessToken(in: context)
      caller = source.caller
    }
    let token = try impersonation?.accessToken(using: base.value, caller: caller, in: context).fresh(from: "IAM Credentials", in: context) ?? base
    return Credential(index: index, registry: Self.name, username: Self.username, password: token.value, expiresAt: token.expiresAt)
  }

  /// An access token (or the key) serves every repository the principal may read.
  public func sharedExchange(for index: IndexTarget) -> String? { "" }

  public static func matchesHost(_ url: WebURL) -> Bool {
    url.host.hasSuffix("-python.pkg.dev")
  }

  static let shape = "https://LOCATION-python.pkg.dev/PROJECT/REPOSITORY/simple/"

  /// `/PROJECT/REPOSITORY/[simple/…]`: install from `…/simple/`, upload to `…/`.
  public static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard segments.count >= 2, segments.count == 2 || segments[2] == "simple" else {
      throw ConfigError("'\(url)' is not an Artifact Registry Python repository URL; expected \(shape).")
    }
    let base = "/\(segments[0])/\(segments[1])"
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base + "/"), name: segments[1])
  }
}

/// Workload Identity Federation: a subject token exchanged at Google STS.
public struct GoogleFederation: Sendable {
  /// Where the subject token comes from.
  public enum Subject: Sendable {
    /// A CI OIDC token requested for `audience`.
    case identity(any IdentitySource, audience: String)
    /// An `external_account` file's `credential_source`.
    case externalAccount(ExternalAccount)
  }

  public var subject: Subject
  public var sts: GoogleSTS
  public var exchange: GoogleSTS.Exchange

  public init(subject: Subject, sts: GoogleSTS, exchange: GoogleSTS.Exchange) {
    self.subject = subject
    self.sts = sts
    self.exchange = exchange
  }

  /// Fetches a fresh subject token and exchanges it.
  func accessToken(in context: Context) throws -> (GoogleToken, GoogleImpersonation.Caller) {
    let token: Secret
    switch subject {
    case .identity(let source, let audience): token = try source.freshToken(audience: audience, in: context)
    case .externalAccount(let account):
      token = try account.subjectToken(in: context)
      try Freshness.check(
        "a subject token", from: "the external_account credential source", stated: nil, token: token, now: context.clock.now(),
        exitStatus: .noIdentity)
    }
    let federated = try sts.exchange(exchange, subjectToken: token, in: context)
    let caller = GoogleImpersonation.Caller.federated(
      WorkloadIdentityProvider.fromAudience(exchange.audience), presented: JWTClaims(token: token))
    return (federated, caller)
  }
}
