/// Chainguard Libraries for Python (`https://libraries.cgr.dev/python/simple/`).
///
/// With an assumable identity, the CI token is exchanged at Chainguard's STS for a
/// short-lived token whose audience is `libraries.cgr.dev`; the index takes it as the
/// Basic password with the username `_token` (what Chainguard's keyring plugin
/// pairs with `chainctl auth token --audience=libraries.cgr.dev`). A long-lived
/// pull token (`chainctl auth pull-token --output env`) is used as given
/// (PROTOCOLS.md §7).
public struct Chainguard: Registry {
  public static let name = "chainguard"
  public static let aliases = ["chainguard-libraries", "cgr"]
  public static let displayName = "Chainguard Libraries"

  /// How the credential is obtained.
  public enum Auth: Sendable {
    /// Exchange a CI token for the assumable identity `identity` (`ORG/ID`).
    case exchange(identity: String, source: any IdentitySource, oidcAudience: String)
    /// A pull token: its identity id is the username.
    case pullToken(username: String, token: Secret)
    /// Outside CI: `chainctl auth token` (chainctl's own sign-in).
    case chainctl(Chainctl)
  }

  public var auth: Auth
  /// The STS issuer (`https://issuer.enforce.dev`).
  public var issuer: WebURL
  /// The audience of the token asked for: the index host.
  public var audience: String

  public init(auth: Auth, issuer: WebURL, audience: String = Chainguard.defaultAudience) {
    self.auth = auth
    self.issuer = issuer
    self.audience = audience
  }

  public static let defaultIssuer = "https://issuer.enforce.dev"
  public static let defaultAudience = "libraries.cgr.dev"
  /// The audience Chainguard identities expect of incoming CI tokens by default.
  public static let defaultOIDCAudience = "issuer.enforce.dev"
  /// The username the index accepts with an STS token.
  public static let tokenUsername = "_token"

  public static func matchesHost(_ url: WebURL) -> Bool {
    url.host == "libraries.cgr.dev"
  }

  /// `/{python…}/simple/`: install only, no uploads.
  public static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
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

  /// A pull token from `CHAINGUARD_PYTHON_IDENTITY_ID`/`CHAINGUARD_PYTHON_TOKEN` when no
  /// identity to assume is named; otherwise the STS exchange for `--chainguard-identity`.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> Chainguard {
    let issuer = try settings.endpoint(
      "chainguard-issuer", default: defaultIssuer, what: "The Chainguard STS issuer")
    let audience = settings.value("chainguard-audience") ?? defaultAudience
    let pullUser = settings.environment["CHAINGUARD_PYTHON_IDENTITY_ID"]
    let pullToken = try settings.secret("CHAINGUARD_PYTHON_TOKEN")
    if let assumed = settings.value("chainguard-identity", env: ["CHAINGUARD_IDENTITY"]) {
      try checkIdentity(assumed)
      let oidcAudience = settings.value("chainguard-oidc-audience") ?? defaultOIDCAudience
      return Chainguard(
        auth: .exchange(identity: assumed, source: try identity.source(environment: settings.environment), oidcAudience: oidcAudience),
        issuer: issuer, audience: audience)
    }
    switch (pullUser, pullToken) {
    case (.some(let user), .some(let token)):
      return Chainguard(auth: .pullToken(username: user, token: token), issuer: issuer, audience: audience)
    case (.some, nil):
      throw ConfigError("CHAINGUARD_PYTHON_IDENTITY_ID is set but CHAINGUARD_PYTHON_TOKEN is not; set both from `chainctl auth pull-token --repository=python --output env`.")
    case (nil, .some):
      throw ConfigError("CHAINGUARD_PYTHON_TOKEN is set but CHAINGUARD_PYTHON_IDENTITY_ID (the pull token's username) is not; set both from `chainctl auth pull-token --repository=python --output env`.")
    case (nil, nil):
      if AzureLaptop.inCI(settings.environment) == nil {
        guard Chainctl.isInstalled(settings.environment) else { throw ChainctlError.notInstalled }
        return Chainguard(auth: .chainctl(Chainctl(audience: audience)), issuer: issuer, audience: audience)
      }
      throw ConfigError(
        "Chainguard Libraries needs an identity to assume: set CHAINGUARD_IDENTITY or pass --chainguard-identity ORG_ID/IDENTITY_ID (from `chainctl iam identities create`), or give a pull token in CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN.")
    }
  }

  /// Identity ids are `ORG_UIDP/ID`: hex groups joined by slashes.
  static func checkIdentity(_ id: String) throws(ConfigError) {
    let parts = id.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }) else {
      throw ConfigError(
        "The Chainguard identity '\(id)' is not an identity id; expected ORG_ID/IDENTITY_ID as printed by `chainctl iam identities list`.")
    }
  }

  public var stsEndpoint: String {
    var path = issuer.path
    while path.hasSuffix("/") { path.removeLast() }
    return "\(issuer.origin)\(path)/sts/exchange"
  }

  /// The STS token is for Chainguard's registry as a whole, not one index URL.
  public func sharedExchange(for index: IndexTarget) -> String? { "" }

  public func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    switch auth {
    case .pullToken(let username, let token):
      return Credential(index: index, registry: Self.name, username: username, password: token, expiresAt: nil)
    case .chainctl(let chainctl):
      let token = try chainctl.token(in: context)
      return Credential(index: index, registry: Self.name, username: Self.tokenUsername, password: token.value, expiresAt: token.expiresAt)
    case .exchange(let identity, let source, let oidcAudience):
      context.transport.prepare(stsEndpoint)  // connect to the STS while the CI token is fetched
      let token = try source.freshToken(audience: oidcAudience, in: context)
      let presented = JWTClaims(token: token)
      let url = try WebURL(stsEndpoint, what: "The Chainguard STS endpoint")
        .appendingQuery("aud", audience).appendingQuery("identity", identity)
      var request = HTTPRequest(method: .post, url: url.description, purpose: "Chainguard STS token exchange")
      request.setHeader("Authorization", "Bearer \(token.revealed)")
      request.setHeader("Accept", "application/json")
      let response = try context.transport.send(request)
      guard response.status == 200 else {
        throw refusal(response, identity: identity, presented: presented, oidcAudience: oidcAudience)
      }
      let document = "Chainguard STS response"
      let body = try response.jsonObject(document, endpoint: stsEndpoint)
      let issued: String
      do {
        issued = try body.string("token", in: document)
      } catch {
        throw ExchangeError.unavailable("\(error.description) (from \(stsEndpoint))")
      }
      let secret = Secret(issued)
      return Credential(
        index: index, registry: Self.name, username: Self.tokenUsername, password: secret,
        expiresAt: JWTClaims(token: secret)?.expiresAt)
    }
  }

  /// grpc-gateway errors (`{"code": <gRPC code>, "message": "…"}`), explained by the
  /// catalogue (``ChainguardErrors``) plus the flag that changes what indexkey sends.
  func refusal(_ response: HTTPResponse, identity: String, presented: JWTClaims?, oidcAudience: String) -> ExchangeError {
    let body = try? JSON(parsing: response.body, document: "Chainguard STS error")
    let code = body?["code"]?.intValue.map(Int.init)
    let message = body?["message"]?.stringValue ?? ""
    if response.isServerFailure || code == 14 {
      let said = message.isEmpty ? "" : " (\(Refusal.clean(message)))"
      return .unavailable(
        "Chainguard's STS (\(stsEndpoint)) failed with HTTP \(response.status)\(said) while exchanging the token for identity \(identity); try again later.")
    }
    guard body != nil else {
      return .unavailable(
        "Chainguard's STS (\(stsEndpoint)) answered HTTP \(response.status) without Chainguard's error format; check --chainguard-issuer.")
    }
    var text = ChainguardErrors.explain(
      status: response.status, code: code, message: message, presented: presented, identity: identity)
    let grpc = code ?? ChainguardErrors.grpcCode(forStatus: response.status)
    if Refusal.mentions(message, "aud") {
      text += " indexkey asked the CI for a token with the audience '\(oidcAudience)'; change it with --chainguard-oidc-audience."
    } else if grpc == 7 {
      text += " When the identity is trusted but lacks permission, bind it to a role that may pull Python libraries and check that the organization is entitled to them (`chainctl libraries entitlements list`)."
    }
    return .refused(text)
  }
}
