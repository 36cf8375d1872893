/// The CI token exchanged at the JFrog platform's Access service (`--jfrog-oidc-provider
/// NAME`, the integration's Provider Name) for an access token (PROTOCOLS.md §8).
package struct JFrogOIDCLink: CredentialLink {
  package static let name = "ci-exchange"
  package static let settings = [JFrogSettings.oidcProvider, JFrogSettings.oidcAudience, JFrogSettings.project]
  /// The integration's Provider Name.
  package var provider: String
  package var source: any IdentitySource
  /// The CI token's audience; empty for the CI's default.
  package var audience: String
  /// `--jfrog-project`/`JF_PROJECT`.
  package var projectKey: String?

  static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
  static let subjectTokenType = "urn:ietf:params:oauth:token-type:id_token"

  package init(provider: String, source: any IdentitySource, audience: String = "", projectKey: String? = nil) {
    self.provider = provider
    self.source = source
    self.audience = audience
    self.projectKey = projectKey
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    input.settings.isGiven(JFrogSettings.oidcProvider)
      ? .configured("--jfrog-oidc-provider is given") : .skipped("--jfrog-oidc-provider is not given")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    guard let provider = settings[JFrogSettings.oidcProvider] else {
      throw ConfigError(
        "The ci-exchange credential needs the OIDC integration: pass --jfrog-oidc-provider NAME (the Provider Name under Administration › General › Manage Integrations)."
      )
    }
    self.init(
      provider: provider, source: try input.identitySource(), audience: settings[JFrogSettings.oidcAudience] ?? "",
      projectKey: settings[JFrogSettings.project])
  }

  package func preview(_ request: JFrogTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: ["POST \(request.tokenEndpoint) (JFrog OIDC token exchange with the integration '\(provider)')"],
      audience: audience.isEmpty ? nil : audience, identity: source)
  }

  package func fetch(_ request: JFrogTokenRequest, in context: Context) throws -> BasicCredential {
    let endpoint = request.tokenEndpoint
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
    var exchange = HTTPRequest(
      method: .post, url: endpoint, body: Array(JSON.object(members).serialized().utf8),
      purpose: "JFrog OIDC token exchange")
    exchange.setHeader("Content-Type", "application/json")
    exchange.setHeader("Accept", "application/json")
    let requestedAt = context.clock.now()
    let response = try context.transport.send(exchange)
    guard response.status == 200 else {
      throw refusal(response, endpoint: endpoint, presented: presented)
    }
    let document = "JFrog OIDC token response"
    let body = try response.jsonObject(document, endpoint: endpoint)
    let access: Secret
    do {
      access = Secret(try body.string("access_token", in: document))
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    guard
      let user = body["username"]?.stringValue.flatMap({ $0.isEmpty ? nil : $0 })
        ?? JFrogAccessTokenLink.username(fromAccessToken: access)
    else {
      throw ExchangeError.unavailable(
        "The JFrog OIDC token response from \(endpoint) names no username and its access token has no subject to take one from; check the identity mapping of integration '\(provider)'."
      )
    }
    let expiresAt =
      body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) }
      ?? JWTClaims(token: access)?.expiresAt
    return BasicCredential(username: user, password: access, expiresAt: expiresAt)
  }

  /// JFrog errors (`{"errors":[{"status":N,"message":"…"}]}`), explained by the catalogue
  /// (``JFrogErrors``) plus the flag that changes what indexkey sends.
  func refusal(_ response: HTTPResponse, endpoint: String, presented: JWTClaims?) -> ExchangeError {
    let body = try? JSON(parsing: response.body, document: "JFrog error")
    let first = body?["errors"]?.arrayValue?.first
    let message = first?["message"]?.stringValue ?? ""
    let host = (try? WebURL(endpoint, what: "endpoint"))?.authority ?? endpoint
    if response.isServerFailure {
      let said = message.isEmpty ? "" : " (\(Refusal.clean(message)))"
      return .unavailable(
        "JFrog (\(host)) failed the OIDC token exchange with HTTP \(response.status)\(said); try again later.")
    }
    guard body != nil else {
      return .unavailable(
        "JFrog (\(endpoint)) answered HTTP \(response.status) without JFrog's error format; check --jfrog-url (the platform URL, without /artifactory)."
      )
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
