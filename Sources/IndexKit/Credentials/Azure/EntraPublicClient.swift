/// Entra ID as a public client signs people in (PROTOCOLS.md §11): no secret, the Azure CLI's
/// client id by default, tenant `organizations` (work and school accounts) unless
/// `AZURE_TENANT_ID` names one, and the Azure DevOps scope with `offline_access`, so that a
/// sign-in also yields a refresh token.
package struct EntraPublicClient: Sendable, Equatable {
  package var authorityHost: WebURL
  package var tenant: String
  package var clientID: String

  package init(authorityHost: WebURL, tenant: String = Self.defaultTenant, clientID: String = Self.azureCLIClientID) {
    self.authorityHost = authorityHost
    self.tenant = tenant
    self.clientID = clientID
  }

  /// The public client the Azure CLI and azure-identity's developer credentials use.
  package static let azureCLIClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
  package static let defaultTenant = "organizations"
  package static let scope = AzureAccessToken.resource + "/.default offline_access"

  /// `AZURE_AUTHORITY_HOST` (or `--azure-authority-host`), `AZURE_TENANT_ID`; the client id from
  /// `INDEXKEY_AZURE_PUBLIC_CLIENT_ID` (an app registered as a public client), else the Azure CLI's.
  package static func make(settings: Settings) throws(ConfigError) -> EntraPublicClient {
    let authority = try settings.endpoint(
      AzureSettings.authorityHost, default: EntraClient.defaultAuthority, what: "The Entra authority host")
    return EntraPublicClient(
      authorityHost: authority, tenant: settings[AzureSettings.tenantID] ?? defaultTenant,
      clientID: settings[AzureSettings.publicClientID] ?? azureCLIClientID)
  }

  private func endpoint(_ name: String) -> String {
    var path = authorityHost.path
    while path.hasSuffix("/") { path.removeLast() }
    return "\(authorityHost.origin)\(path)/\(PercentEncoding.encode(tenant))/oauth2/v2.0/\(name)"
  }

  package var tokenEndpoint: String { endpoint("token") }
  package var deviceCodeEndpoint: String { endpoint("devicecode") }

  /// What a sign-in or a refresh answers: the access token, and the refresh token to keep.
  package struct Tokens: Sendable, Equatable {
    package var access: AzureAccessToken
    package var refresh: Secret?
  }

  /// Redeems a refresh token.
  ///
  /// Entra may answer a new one (kept instead of the old).
  /// - Throws: ``SignInError/refreshRefused`` when Entra no longer honours it (revoked,
  ///   expired, another tenant's): a new sign-in is due.
  package func redeem(refreshToken: Secret, in context: Context) throws -> Tokens {
    let fields = [
      ("client_id", clientID), ("grant_type", "refresh_token"), ("refresh_token", refreshToken.revealed),
      ("scope", Self.scope),
    ]
    let response = try post(tokenEndpoint, fields, purpose: "Entra ID refresh-token request", in: context)
    guard response.status == 200 else {
      let error = OAuthError(response)
      if response.status == 400, error.code == "invalid_grant" || error.code == "interaction_required" {
        throw SignInError.refreshRefused(error.summary)
      }
      throw error.failure(at: tokenEndpoint, status: response.status)
    }
    return try tokens(response, from: tokenEndpoint, in: context)
  }

  func post(_ url: String, _ fields: [(String, String)], purpose: String, in context: Context) throws -> HTTPResponse {
    var request = HTTPRequest(method: .post, url: url, body: Array(PercentEncoding.form(fields).utf8), purpose: purpose)
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    request.setHeader("Accept", "application/json")
    request.retryable = false  // a device code or refresh token may be single-use; retried here when safe
    return try context.transport.send(request)
  }

  func tokens(_ response: HTTPResponse, from endpoint: String, in context: Context) throws -> Tokens {
    let document = "Entra ID token response"
    let body = try response.jsonObject(document, endpoint: endpoint)
    let access: String
    do {
      access = try body.string("access_token", in: document)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    let now = context.clock.now()
    let stated = body["expires_in"]?.numberValue.flatMap { ServerTime.expiry(in: $0, from: now) }
    let secret = Secret(access)
    let expiresAt = try Freshness.check("an access token", from: "Entra ID", stated: stated, token: secret, now: now)
    let refresh = body["refresh_token"]?.stringValue.flatMap { $0.isEmpty ? nil : Secret($0) }
    return Tokens(access: AzureAccessToken(value: secret, expiresAt: expiresAt, holder: .person), refresh: refresh)
  }
}

/// An OAuth error body from Entra (`error`, `error_description`, `error_codes`).
struct OAuthError: Sendable {
  var code: String
  var description: String
  var number: Int64?

  init(_ response: HTTPResponse) {
    let body = try? JSON(parsing: response.body, document: "Entra ID error")
    code = body?["error"]?.stringValue ?? ""
    description = body?["error_description"]?.stringValue.map(EntraErrors.firstLine) ?? ""
    number = body?["error_codes"]?.arrayValue?.first?.intValue
  }

  /// `invalid_grant: AADSTS50173: The provided grant has expired …` (first line only).
  var summary: String {
    let text = description.isEmpty ? code : "\(code): \(description)"
    return text.isEmpty ? "no OAuth error in the answer" : text
  }

  func failure(at endpoint: String, status: Int) -> ExchangeError {
    if status >= 500 || status == 429 {
      return .unavailable("Entra ID (\(endpoint)) answered HTTP \(status) (\(summary)); try again later.")
    }
    if code.isEmpty {
      return .unavailable(
        "Entra ID (\(endpoint)) answered HTTP \(status) without an OAuth error body; check --azure-authority-host.")
    }
    return .refused("Entra ID refused the sign-in (\(summary)).")
  }
}

/// Why a person's sign-in could not be completed (exit 3 unless said otherwise).
package enum SignInError: UserFacingError, Equatable {
  /// Entra refused the kept refresh token: sign in again.
  case refreshRefused(String)
  case declined
  case expired
  /// No terminal to show a device code on, or in CI; `tried` names what was tried before.
  case noTerminal(tried: String)
  case refused(String)

  package var description: String {
    switch self {
    case .refreshRefused(let why):
      "Entra ID no longer accepts the kept sign-in (\(why)); sign in again."
    case .declined:
      "The device-code sign-in was declined at the browser; run the command again and approve it."
    case .expired:
      "The device code expired before the sign-in was completed; run the command again and enter the code within its time."
    case .noTerminal(let tried):
      "No Azure credential was found (\(tried)), and a device-code sign-in needs a terminal, which this process does not have; run indexkey login URL in a terminal once, or az login, or set AZURE_DEVOPS_EXT_PAT."
    case .refused(let text):
      text
    }
  }

  package var exitStatus: ExitStatus {
    if case .refused = self { return .refused }
    return .noIdentity
  }
}
