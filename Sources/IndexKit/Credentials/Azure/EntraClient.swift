/// Microsoft Entra ID client-credentials grant (PROTOCOLS.md §4a–4c).
package struct EntraClient: Sendable {
  /// How the application proves who it is.
  package enum ClientAuth: Sendable {
    /// `AZURE_CLIENT_SECRET` (environment only, never a flag).
    case secret(Secret)
    /// A CI OIDC token presented as the client assertion (workload identity federation).
    case federated(any IdentitySource, audience: String)
    /// An assertion signed with the app's certificate (`AZURE_CLIENT_CERTIFICATE_PATH`).
    case certificate(EntraCertificate)
  }

  package var tenantID: String
  package var clientID: String
  package var authorityHost: WebURL
  package var auth: ClientAuth

  package init(tenantID: String, clientID: String, authorityHost: WebURL, auth: ClientAuth) {
    self.tenantID = tenantID
    self.clientID = clientID
    self.authorityHost = authorityHost
    self.auth = auth
  }

  package static let defaultAuthority = "https://login.microsoftonline.com"

  /// The certificate, when the app authenticates with one.
  var certificate: EntraCertificate? {
    if case .certificate(let certificate) = auth { return certificate }
    return nil
  }

  /// The application and tenant from `--azure-*` flags or `AZURE_*` variables, with
  /// the way the app proves itself.
  package static func make(_ input: LinkInput, auth: ClientAuth) throws(ConfigError) -> EntraClient {
    let (clientID, tenantID, authority) = try application(input.settings)
    return EntraClient(tenantID: tenantID, clientID: clientID, authorityHost: authority, auth: auth)
  }

  /// The app's client id, its tenant and the authority host.
  static func application(_ settings: Settings) throws(ConfigError) -> (
    clientID: String, tenantID: String, authority: WebURL
  ) {
    let clientID = try settings.require(
      AzureSettings.clientID,
      for:
        "Azure needs the Entra app's Application (client) ID (or, for Azure Artifacts, a personal access token in AZURE_DEVOPS_EXT_PAT)"
    )
    let tenantID = try settings.require(AzureSettings.tenantID, for: "Azure needs the Entra Directory (tenant) ID")
    let authority = try settings.endpoint(
      AzureSettings.authorityHost, default: defaultAuthority, what: "The Entra authority host")
    return (clientID, tenantID, authority)
  }

  /// The client id, when one is given (the Entra links need it).
  static func clientID(_ settings: Settings) -> String? {
    settings[AzureSettings.clientID]
  }

  /// The federated-credential audience for a cloud (`api://AzureADTokenExchange` and its sovereign variants).
  package static func federatedAudience(authorityHost: WebURL) -> String {
    switch authorityHost.host {
    case "login.microsoftonline.us": "api://AzureADTokenExchangeUSGov"
    case "login.chinacloudapi.cn", "login.partner.microsoftonline.cn": "api://AzureADTokenExchangeChina"
    default: "api://AzureADTokenExchange"
    }
  }

  package var tokenEndpoint: String {
    var path = authorityHost.path
    while path.hasSuffix("/") { path.removeLast() }
    return "\(authorityHost.origin)\(path)/\(PercentEncoding.encode(tenantID))/oauth2/v2.0/token"
  }

  /// Gets an access token for `scope`; errors explain the AADSTS code and what was presented.
  package func accessToken(scope: String, in context: Context) throws -> (value: Secret, expiresAt: UnixTime?) {
    var fields = [("client_id", clientID), ("grant_type", "client_credentials"), ("scope", scope)]
    var presented: JWTClaims?
    switch auth {
    case .secret(let secret):
      fields.append(("client_secret", secret.revealed))
    case .federated(let source, let audience):
      context.transport.prepare(tokenEndpoint)  // connect to Entra while the CI token is fetched
      let token = try source.freshToken(audience: audience, in: context)
      presented = JWTClaims(token: token)
      fields.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
      fields.append(("client_assertion", token.revealed))
    case .certificate(let certificate):
      let assertion = try certificate.assertion(
        clientID: clientID, tokenEndpoint: tokenEndpoint, now: context.clock.now())
      fields.append(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
      fields.append(("client_assertion", assertion.revealed))
    }
    var request = HTTPRequest(
      method: .post, url: tokenEndpoint, body: Array(PercentEncoding.form(fields).utf8),
      purpose: "Entra ID token request")
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    request.setHeader("Accept", "application/json")
    let requestedAt = context.clock.now()
    let response = try context.transport.send(request)
    let document = "Entra ID token response"
    if response.status != 200 {
      throw refusal(response, presented: presented)
    }
    let body = try response.jsonObject(document, endpoint: tokenEndpoint)
    let token: Secret
    let stated: UnixTime?
    do {
      token = Secret(try body.string("access_token", in: document))
      stated = body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) }
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(tokenEndpoint))")
    }
    let expiresAt = try Freshness.check(
      "an access token", from: "Entra ID", stated: stated, token: token, now: context.clock.now())
    return (token, expiresAt)
  }

  private func refusal(_ response: HTTPResponse, presented: JWTClaims?) -> ExchangeError {
    let body = try? JSON(parsing: response.body, document: "Entra ID error")
    let code = body?["error_codes"]?.arrayValue?.first?.intValue
    guard let body, body["error"] != nil else {
      let what = "The Entra ID token endpoint \(tokenEndpoint) answered HTTP \(response.status)"
      return response.isServerFailure
        ? .unavailable("\(what) after retries; Entra ID may be having trouble, try again later.")
        : .unavailable("\(what) without an OAuth error body; check --azure-authority-host.")
    }
    let description = body["error_description"]?.stringValue.map(EntraErrors.firstLine) ?? ""
    let explanation = EntraErrors.explain(
      code: code, error: body["error"]?.stringValue ?? "", description: description,
      client: self, presented: presented)
    if response.isServerFailure {
      return .unavailable(
        "The Entra ID token endpoint \(tokenEndpoint) answered HTTP \(response.status) after retries (\(body["error"]?.stringValue ?? "")\(description.isEmpty ? "" : ": " + description)); Entra ID may be having trouble, try again later."
      )
    }
    return .refused(explanation)
  }
}
