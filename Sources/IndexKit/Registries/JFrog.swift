/// JFrog Artifactory PyPI repositories (`https://HOST/artifactory/api/pypi/REPO/simple`).
///
/// With `--jfrog-oidc-provider NAME` the CI token is exchanged at the platform's
/// Access service for an access token (PROTOCOLS.md §8); the username is the one the
/// exchange names, or the user in the access token's `sub`. Without one, a token
/// from `JF_ACCESS_TOKEN` is used as is.
public struct JFrog: Registry {
  public static let name = "jfrog"
  public static let aliases = ["artifactory"]
  public static let displayName = "JFrog Artifactory"

  public enum Auth: Sendable {
    /// OIDC token exchange with the integration `provider`.
    case oidc(provider: String, source: any IdentitySource, audience: String, projectKey: String?)
    /// A static access token; `username` nil means "take it from the token's sub".
    case accessToken(Secret, username: String?)
  }

  public var auth: Auth
  /// The platform base URL (`https://HOST`), under which `/access/…` lives; nil takes
  /// it from the index URL (its origin and any path before `/artifactory`).
  public var platform: WebURL?

  public init(auth: Auth, platform: WebURL? = nil) {
    self.auth = auth
    self.platform = platform
  }

  static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
  static let subjectTokenType = "urn:ietf:params:oauth:token-type:id_token"

  public static func matchesHost(_ url: WebURL) -> Bool {
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
  public static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let i = apiIndex(segments, requirePrefix: false) else {
      throw ConfigError(
        "'\(url)' is not an Artifactory PyPI repository URL; expected https://HOST/artifactory/api/pypi/REPO/simple (or https://HOST/api/pypi/REPO/simple behind a proxy).")
    }
    let rest = segments.dropFirst(i + 3)
    if let first = rest.first, first != "simple" || rest.count > 1 {
      throw ConfigError("'\(url)' has '\(rest.joined(separator: "/"))' after the repository; give …/api/pypi/REPO/simple.")
    }
    let base = "/" + segments[...(i + 2)].joined(separator: "/")
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base), name: segments[i + 2])
  }

  static let platformNeeded =
    "JF_ACCESS_TOKEN is handed only to the JFrog platform it is for, and none is named: set JF_URL (or pass --jfrog-url) to the platform URL, e.g. https://acme.jfrog.io."

  /// The platform's host only: an access token (given or minted) goes nowhere else.
  func checkHost(_ index: IndexTarget) throws(ConfigError) {
    if let platform {
      let what = if case .accessToken = auth { "the JFrog access token (JF_ACCESS_TOKEN)" } else { "a JFrog access token" }
      try ServerBinding(hosts: [platform.host], source: "JF_URL or --jfrog-url").check(index, credential: what)
    } else if case .accessToken = auth {
      throw ConfigError(Self.platformNeeded)
    }
  }

  /// The platform URL from `--jfrog-url`/`JF_URL`, else taken from the index URL.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> JFrog {
    var platform: WebURL?
    if settings.value("jfrog-url", env: ["JF_URL"]) != nil {
      platform = try settings.endpoint("jfrog-url", env: ["JF_URL"], default: "", what: "The JFrog platform URL")
    }
    let auth = try auth(settings: settings, identity: identity)
    if case .accessToken = auth, platform == nil { throw ConfigError(platformNeeded) }
    return JFrog(auth: auth, platform: platform)
  }

  static func auth(settings: Settings, identity: IdentitySpec) throws -> Auth {
    if let provider = settings.value("jfrog-oidc-provider") {
      return .oidc(
        provider: provider, source: try identity.source(environment: settings.environment),
        audience: settings.value("jfrog-oidc-audience") ?? "",
        projectKey: settings.value("jfrog-project", env: ["JF_PROJECT"]))
    }
    if let token = try settings.secret("JF_ACCESS_TOKEN") {
      let user = settings.value("jfrog-username", env: ["JF_USER"])
      if user == nil && username(fromAccessToken: token) == nil {
        throw ConfigError(
          "JF_ACCESS_TOKEN is not a JWT access token, so the username cannot be read from it; set JF_USER or pass --jfrog-username.")
      }
      return .accessToken(token, username: user)
    }
    throw ConfigError(
      "JFrog Artifactory needs either an OIDC integration (--jfrog-oidc-provider NAME, the Provider Name under Administration › General › Manage Integrations) or an access token in JF_ACCESS_TOKEN.")
  }

  /// The user in an access token's `sub` (`jfrt@ID/users/NAME` → `NAME`), as the JFrog CLI reads it.
  static func username(fromAccessToken token: Secret) -> String? {
    guard let sub = JWTClaims(token: token)?.subject, !sub.isEmpty else { return nil }
    if sub.hasPrefix("jfrt@") || sub.hasPrefix("jfac@") || sub.contains("/users/"),
      let slash = sub.lastIndex(of: "/")
    {
      let user = String(sub[sub.index(after: slash)...])
      return user.isEmpty ? nil : user
    }
    return sub
  }
}

extension JFrog {
  /// The Access token-exchange endpoint for `index` (platform URL first, else derived).
  public func tokenEndpoint(for index: IndexTarget) -> String {
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
  public func sharedExchange(for index: IndexTarget) -> String? {
    if case .oidc = auth { return tokenEndpoint(for: index) }
    return nil
  }

  public func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    try checkHost(index)
    switch auth {
    case .accessToken(let token, let username):
      let user = username ?? Self.username(fromAccessToken: token) ?? ""
      return Credential(
        index: index, registry: Self.name, username: user, password: token,
        expiresAt: JWTClaims(token: token)?.expiresAt)
    case .oidc(let provider, let source, let audience, let projectKey):
      return try exchange(index: index, provider: provider, source: source, audience: audience, projectKey: projectKey, in: context)
    }
  }

  func exchange(
    index: IndexTarget, provider: String, source: any IdentitySource, audience: String, projectKey: String?,
    in context: Context
  ) throws -> Credential {
    let endpoint = tokenEndpoint(for: index)
    context.transport.prepare(endpoint)  // connect to Access while the CI token is fetched
    let token = try source.freshToken(audience: audience, in: context)
    let presented = JWTClaims(token: token)
    var members: [(String, JSON)] = [
      ("grant_type", .string(Self.grantType)),
      ("subject_token_type", .string(Self.subjectTokenType)),
      ("subject_token", .string(token.revealed)),
      ("provider_name", .string(provider)),
    ]
    if let projectKey { members.append(("project_key", .string(projectKey))) }
    var request = HTTPRequest(
      method: .post, url: endpoint, body: Array(JSON.object(members).serialized().utf8),
      purpose: "JFrog OIDC token exchange")
    request.setHeader("Content-Type", "application/json")
    request.setHeader("Accept", "application/json")
    let requestedAt = context.clock.now()
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      throw refusal(response, endpoint: endpoint, provider: provider, presented: presented, audience: audience)
    }
    let document = "JFrog OIDC token response"
    let body = try response.jsonObject(document, endpoint: endpoint)
    let access: Secret
    do {
      access = Secret(try body.string("access_token", in: document))
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    guard let user = body["username"]?.stringValue.flatMap({ $0.isEmpty ? nil : $0 }) ?? Self.username(fromAccessToken: access)
    else {
      throw ExchangeError.unavailable(
        "The JFrog OIDC token response from \(endpoint) names no username and its access token has no subject to take one from; check the identity mapping of integration '\(provider)'.")
    }
    let expiresAt = body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) } ?? JWTClaims(token: access)?.expiresAt
    return Credential(index: index, registry: Self.name, username: user, password: access, expiresAt: expiresAt)
  }

  /// JFrog errors (`{"errors":[{"status":N,"message":"…"}]}`), explained by the catalogue
  /// (``JFrogErrors``) plus the flag that changes what indexkey sends.
  func refusal(_ response: HTTPResponse, endpoint: String, provider: String, presented: JWTClaims?, audience: String)
    -> ExchangeError
  {
    let body = try? JSON(parsing: response.body, document: "JFrog error")
    let first = body?["errors"]?.arrayValue?.first
    let message = first?["message"]?.stringValue ?? ""
    let host = (try? WebURL(endpoint, what: "endpoint"))?.authority ?? endpoint
    if response.isServerFailure {
      let said = message.isEmpty ? "" : " (\(Refusal.clean(message)))"
      return .unavailable("JFrog (\(host)) failed the OIDC token exchange with HTTP \(response.status)\(said); try again later.")
    }
    guard body != nil else {
      return .unavailable(
        "JFrog (\(endpoint)) answered HTTP \(response.status) without JFrog's error format; check --jfrog-url (the platform URL, without /artifactory).")
    }
    var text = JFrogErrors.explain(
      status: response.status, code: first?["code"]?.stringValue, message: message, presented: presented,
      providerName: provider, host: host)
    if Refusal.mentions(message, "audience") {
      let asked = audience.isEmpty ? "the CI's default audience" : "the audience '\(audience)'"
      text += " indexkey asked the CI for a token with \(asked); change it with --jfrog-oidc-audience."
    } else if response.status == 404 {
      text += " Name the integration with --jfrog-oidc-provider."
    }
    return .refused(text)
  }
}
