/// The CI token exchanged at Chainguard's STS for the assumable identity
/// `--chainguard-identity`/`CHAINGUARD_IDENTITY` (`ORG/ID`); the answer is a token for
/// `libraries.cgr.dev`, sent with the username `_token`.
package struct ChainguardExchangeLink: CredentialLink {
  package static let name = "ci-exchange"
  package static let settings = [
    ChainguardSettings.identity, ChainguardSettings.issuer, ChainguardSettings.oidcAudience,
    ChainguardSettings.audience,
  ]
  /// The assumable identity (`ORG_ID/IDENTITY_ID`).
  package var identity: String
  package var source: any IdentitySource
  /// The audience of the CI token the identity expects.
  package var oidcAudience: String
  /// The STS issuer (`https://issuer.enforce.dev`).
  package var issuer: WebURL
  /// The audience of the token asked for: the index host.
  package var audience: String

  package init(
    identity: String, source: any IdentitySource, oidcAudience: String = Chainguard.defaultOIDCAudience, issuer: WebURL,
    audience: String = Chainguard.defaultAudience
  ) {
    self.identity = identity
    self.source = source
    self.oidcAudience = oidcAudience
    self.issuer = issuer
    self.audience = audience
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    input.settings[ChainguardSettings.identity] != nil
      ? .configured("an identity to assume is named")
      : .skipped("no identity to assume (CHAINGUARD_IDENTITY or --chainguard-identity)")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    let issuer = try settings.endpoint(
      ChainguardSettings.issuer, default: Chainguard.defaultIssuer, what: "The Chainguard STS issuer")
    guard let assumed = settings[ChainguardSettings.identity] else {
      throw ConfigError(
        "The ci-exchange credential needs an identity to assume: set CHAINGUARD_IDENTITY or pass --chainguard-identity ORG_ID/IDENTITY_ID."
      )
    }
    try Self.checkIdentity(assumed)
    self.init(
      identity: assumed, source: try input.identitySource(),
      oidcAudience: settings[ChainguardSettings.oidcAudience] ?? Chainguard.defaultOIDCAudience, issuer: issuer,
      audience: settings[ChainguardSettings.audience] ?? Chainguard.defaultAudience)
  }

  /// Identity ids are `ORG_UIDP/ID`: hex groups joined by slashes.
  static func checkIdentity(_ id: String) throws(ConfigError) {
    let parts = id.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }) else {
      throw ConfigError(
        "The Chainguard identity '\(id)' is not an identity id; expected ORG_ID/IDENTITY_ID as printed by `chainctl iam identities list`."
      )
    }
  }

  package var stsEndpoint: String {
    var path = issuer.path
    while path.hasSuffix("/") { path.removeLast() }
    return "\(issuer.origin)\(path)/sts/exchange"
  }

  package func preview(_ request: Void) -> LinkPreview {
    LinkPreview(
      steps: ["POST \(stsEndpoint)?aud=\(audience)&identity=\(identity) (Chainguard STS, the CI token as Bearer)"],
      audience: oidcAudience, identity: source, username: Chainguard.tokenUsername)
  }

  package func fetch(_ request: Void, in context: Context) throws -> BasicCredential {
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
      throw refusal(response, presented: presented)
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
    return BasicCredential(
      username: Chainguard.tokenUsername, password: secret, expiresAt: JWTClaims(token: secret)?.expiresAt)
  }

  /// grpc-gateway errors (`{"code": <gRPC code>, "message": "…"}`), explained by the
  /// catalogue (``ChainguardErrors``) plus the flag that changes what indexkey sends.
  func refusal(_ response: HTTPResponse, presented: JWTClaims?) -> ExchangeError {
    let body = try? JSON(parsing: response.body, document: "Chainguard STS error")
    let code = body?["code"]?.intValue.map(Int.init)
    let message = body?["message"]?.stringValue ?? ""
    if response.isServerFailure || code == 14 {
      let said = message.isEmpty ? "" : " (\(Refusal.clean(message)))"
      return .unavailable(
        "Chainguard's STS (\(stsEndpoint)) failed with HTTP \(response.status)\(said) while exchanging the token for identity \(identity); try again later."
      )
    }
    guard body != nil else {
      return .unavailable(
        "Chainguard's STS (\(stsEndpoint)) answered HTTP \(response.status) without Chainguard's error format; check --chainguard-issuer."
      )
    }
    var text = ChainguardErrors.explain(
      status: response.status, code: code, message: message, presented: presented, identity: identity)
    let grpc = code ?? ChainguardErrors.grpcCode(forStatus: response.status)
    if Refusal.mentions(message, "aud") {
      text +=
        " indexkey asked the CI for a token with the audience '\(oidcAudience)'; change it with --chainguard-oidc-audience."
    } else if grpc == 7 {
      text +=
        " When the identity is trusted but lacks permission, bind it to a role that may pull Python libraries and check that the organization is entitled to them (`chainctl libraries entitlements list`)."
    }
    return .refused(text)
  }
}
