internal import Glibc

/// Personal access tokens made on request (`--azure-pat create`), as keyrings.artifacts makes
/// them: a person's Entra token creates one through the PAT lifecycle API (PROTOCOLS.md §4e),
/// `POST {vssps}/{org}/_apis/tokens/pats?api-version=7.1-preview.1`, scoped to packaging
/// (read, or write for an upload URL), named `indexkey-HOST-DATE` so the person recognises it
/// in their list.
///
/// It is kept in the encrypted store under the organization and reused, with no request at
/// all, until ``renewal(lifetime:)`` before it expires; then a new one is made.
package struct PersonalAccessTokens: Sendable {
  package var organization: String
  /// The organization's identity service, `https://vssps.dev.azure.com/{org}/`.
  package var endpoint: WebURL
  package var days: Int
  package var write: Bool
  package var store: SecretStore
  /// The store's index for the organization (its feeds' common root).
  package var index: String
  /// Shown in the PAT's name.
  package var hostName: String

  package init(
    organization: String, endpoint: WebURL, days: Int, write: Bool, store: SecretStore, index: String, hostName: String
  ) {
    self.organization = organization
    self.endpoint = endpoint
    self.days = days
    self.write = write
    self.store = store
    self.index = index
    self.hostName = hostName
  }

  package static let defaultDays = 30
  /// A PAT is replaced when less than this is left (a quarter of its lifetime when shorter).
  package static let renewBefore = 7 * 86_400.0

  package static func renewal(lifetime: Double) -> Double { min(renewBefore, max(lifetime, 0) / 4) }

  package var scope: String { write ? "vso.packaging_write" : "vso.packaging" }
  static func kind(write: Bool) -> String { write ? "azure-devops-pat-write" : "azure-devops-pat" }

  /// A kept PAT with its validity.
  package struct Kept: Sendable, Equatable {
    package var token: Secret
    package var validFrom: UnixTime
    package var validTo: UnixTime

    init(token: Secret, validFrom: UnixTime, validTo: UnixTime) {
      self.token = token
      self.validFrom = validFrom
      self.validTo = validTo
    }

    init?(_ secret: Secret) {
      guard let json = try? JSON(parsing: Array(secret.revealed.utf8), document: "kept PAT"),
        let token = json["token"]?.stringValue, let from = json["valid_from"]?.numberValue,
        let to = json["valid_to"]?.numberValue
      else { return nil }
      self.init(token: Secret(token), validFrom: from, validTo: to)
    }

    var secret: Secret {
      Secret(
        JSON.object([
          ("token", .string(token.revealed)), ("valid_from", .double(validFrom)), ("valid_to", .double(validTo)),
        ]).serialized())
    }

    func usable(at now: UnixTime) -> Bool {
      validTo - now > PersonalAccessTokens.renewal(lifetime: validTo - validFrom)
    }
  }

  /// The kept PAT while it is usable (a write PAT also serves reads); else a new one, made
  /// with the person's token that `bearer` fetches (called only then).
  package func token(bearer: () throws -> AzureAccessToken, in context: Context) throws -> Kept {
    let now = context.clock.now()
    for kind in write ? [Self.kind(write: true)] : [Self.kind(write: false), Self.kind(write: true)] {
      if let secret = try store.read(key: StoreKey(index: index, kind: kind)), let kept = Kept(secret),
        kept.usable(at: now)
      {
        return kept
      }
    }
    let access = try bearer()
    guard access.holder == .person else {
      throw ExchangeError.refused(
        "Azure DevOps creates personal access tokens only for a signed-in person, not for a managed identity or service principal; drop --azure-pat create (its Entra token is used directly)."
      )
    }
    let made = try create(with: access.value, in: context)
    try store.write(key: StoreKey(index: index, kind: Self.kind(write: write)), value: made.secret)
    return made
  }

  package var url: String {
    var path = endpoint.path
    while path.hasSuffix("/") { path.removeLast() }
    return "\(endpoint.origin)\(path)/_apis/tokens/pats?api-version=7.1-preview.1"
  }

  package func displayName(now: UnixTime) -> String {
    "indexkey-\(hostName)-\(String(now.iso8601.prefix(10)))"
  }

  func create(with bearer: Secret, in context: Context) throws -> Kept {
    let now = context.clock.now()
    let asked = now + Double(days) * 86_400
    let body = JSON.object([
      ("displayName", .string(displayName(now: now))), ("scope", .string(scope)), ("validTo", .string(asked.iso8601)),
      ("allOrgs", .bool(false)),
    ])
    var request = HTTPRequest(
      method: .post, url: url, body: Array(body.serialized().utf8), purpose: "Azure DevOps PAT creation")
    request.setHeader("Authorization", "Bearer \(bearer.revealed)")
    request.setHeader("Content-Type", "application/json")
    request.setHeader("Accept", "application/json")
    request.retryable = false  // a retried POST could leave two PATs behind
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      if response.status == 401 || response.status == 203 || response.status == 403 {
        throw ExchangeError.refused(
          "Azure DevOps (\(endpoint.origin)) did not accept the Entra token for creating a PAT (HTTP \(response.status)); the signed-in account may not be a member of the organization \(organization)."
        )
      }
      throw ExchangeError.unavailable(
        "Azure DevOps (\(url)) answered HTTP \(response.status) to the PAT creation request; try again later.")
    }
    let document = "Azure DevOps PAT creation response"
    let answer = try response.jsonObject(document, endpoint: url)
    let error = answer["patTokenError"]?.stringValue ?? "none"
    guard error == "none", let pat = answer["patToken"], let token = pat["token"]?.stringValue, !token.isEmpty else {
      throw explain(error)
    }
    let validTo = pat["validTo"]?.stringValue.flatMap(RFC3339.parse) ?? asked
    return Kept(token: Secret(token), validFrom: now, validTo: min(validTo, asked))
  }

  private func explain(_ error: String) -> ExchangeError {
    switch error {
    case "patLifespanPolicyViolation", "invalidValidTo":
      return .refused(
        "Azure DevOps refused a personal access token valid for \(days) days (\(error)): the organization \(organization) allows shorter ones; pass --pat-days (or AZURE_DEVOPS_PAT_DURATION) with fewer days."
      )
    case "invalidUserType", "accessDenied", "userIdRequired", "invalidUserId":
      return .refused(
        "Azure DevOps refused to create a personal access token for this account (\(error)); only a person who is a member of \(organization) may, and the organization may forbid PATs."
      )
    case "globalPatPolicyViolation", "fullScopePatPolicyViolation", "invalidScope":
      return .refused(
        "Azure DevOps refused a \(scope) personal access token (\(error)): an organization policy restricts PATs; drop --azure-pat create to use Entra tokens."
      )
    default:
      return .unavailable(
        "Azure DevOps created no personal access token (patTokenError \(error.isEmpty ? "missing" : error)).")
    }
  }

  /// This machine's name for the PAT's display name (`localhost` when it has none).
  package static func machineName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(cBuffer: buffer).split(separator: ".").first.map(String.init) ?? ""
    let cleaned = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    return cleaned.isEmpty ? "localhost" : String(cleaned.prefix(40))
  }
}
