internal import Glibc

/// The managed identity of the Azure compute indexkey runs on (PROTOCOLS.md §11).
///
/// It is found the way azure-identity finds it:
///
/// - App Service, Functions, Container Apps: `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`;
///   `GET {endpoint}?api-version=2019-08-01&resource=R` with `X-IDENTITY-HEADER`.
/// - Azure Arc: `IDENTITY_ENDPOINT` and `IMDS_ENDPOINT` (or the Arc agent installed); the first
///   request is answered 401 naming a key file under `/var/opt/azcmagent/tokens/`, whose
///   contents authorize the second.
/// - VMs and scale sets: IMDS at `http://169.254.169.254` (`AZURE_POD_IDENTITY_AUTHORITY_HOST`
///   moves it), `Metadata: true`. Tried only on a machine whose DMI chassis asset tag says
///   Azure, behind a probe of ``probeTimeout`` seconds, so a laptop never waits for it.
///
/// `AZURE_CLIENT_ID` picks a user-assigned identity (App Service and IMDS).
package struct ManagedIdentity: Sendable {
  package enum Endpoint: Sendable {
    case appService(url: WebURL, header: Secret)
    case arc(url: WebURL)
    /// `probe`: whether to check first that something answers (a VM found by its DMI tag).
    case imds(url: WebURL, probe: Bool)
  }

  package var endpoint: Endpoint
  /// A user-assigned identity's client id; nil for the system-assigned one.
  package var clientID: String?
  /// Where the Arc agent writes its key files; a challenge naming another place is refused.
  package var arcKeyDirectory: String

  package init(endpoint: Endpoint, clientID: String? = nil, arcKeyDirectory: String = Self.arcKeyDirectory) {
    self.endpoint = endpoint
    self.clientID = clientID
    self.arcKeyDirectory = arcKeyDirectory
  }

  package static let arcKeyDirectory = "/var/opt/azcmagent/tokens"
  package static let arcAgent = "/opt/azcmagent/bin/himds"
  package static let arcDefaultEndpoint = "http://127.0.0.1:40342/metadata/identity/oauth2/token"
  package static let imdsDefaultHost = "http://169.254.169.254"
  package static let imdsPath = "/metadata/identity/oauth2/token"
  /// What `/sys/class/dmi/id/chassis_asset_tag` holds on every Azure VM.
  package static let azureAssetTag = "7783-7084-3265-9085-8269-3286-77"
  package static let dmiAssetTagPath = "/sys/class/dmi/id/chassis_asset_tag"
  /// Seconds the IMDS probe may take: a laptop must not wait for a server it does not have.
  package static let probeTimeout = 1.0

  /// Which endpoint this machine offers, or why there is none (the text completes
  /// "skipped: …").
  ///
  /// Reads only the environment and two local files.
  package static func detect(
    _ environment: Environment, assetTag: () -> String? = readAssetTag,
    arcAgentInstalled: () -> Bool = { FileIO.exists(arcAgent) }
  ) throws(ConfigError) -> Result<ManagedIdentity, Skipped> {
    let clientID = environment["AZURE_CLIENT_ID"]
    if let endpoint = environment["IDENTITY_ENDPOINT"], let header = environment["IDENTITY_HEADER"] {
      let url = try local(endpoint, "IDENTITY_ENDPOINT")
      return .success(ManagedIdentity(endpoint: .appService(url: url, header: Secret(header)), clientID: clientID))
    }
    if let endpoint = environment["IDENTITY_ENDPOINT"], environment.has("IMDS_ENDPOINT") {
      return .success(
        ManagedIdentity(endpoint: .arc(url: try local(endpoint, "IDENTITY_ENDPOINT")), clientID: clientID))
    }
    if !environment.has("IDENTITY_ENDPOINT"), arcAgentInstalled() {
      return .success(
        ManagedIdentity(
          endpoint: .arc(url: try local(arcDefaultEndpoint, "The Azure Arc endpoint")), clientID: clientID))
    }
    if let host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] {
      return .success(ManagedIdentity(endpoint: .imds(url: try imds(host), probe: false), clientID: clientID))
    }
    if assetTag() == azureAssetTag {
      return .success(ManagedIdentity(endpoint: .imds(url: try imds(imdsDefaultHost), probe: true), clientID: clientID))
    }
    return .failure(Skipped("not on Azure compute (no IDENTITY_ENDPOINT, and the machine is not an Azure VM)"))
  }

  /// Why no managed identity is offered here.
  package struct Skipped: Error, Equatable, Sendable {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
  }

  package static func readAssetTag() -> String? {
    guard let bytes = try? FileIO.read(dmiAssetTagPath, limit: 256) else { return nil }
    return String(decoding: bytes, as: UTF8.self).trimmingSpaces
  }

  /// Managed-identity endpoints live on the machine (or its link-local metadata address):
  /// plain http anywhere else would carry the identity header in clear.
  private static func local(_ text: String, _ what: String) throws(ConfigError) -> WebURL {
    let url = try WebURL(text, what: what)
    if url.scheme != "https" && !url.isLoopback && !isLinkLocal(url) {
      throw ConfigError(
        "\(what) '\(url)' is neither https nor on this machine; a managed-identity endpoint is local (http://localhost:PORT/…)."
      )
    }
    return url
  }

  private static func imds(_ host: String) throws(ConfigError) -> WebURL {
    var text = host
    while text.hasSuffix("/") { text.removeLast() }
    if !text.contains("://") { text = "http://" + text }
    return try local(text + imdsPath, "AZURE_POD_IDENTITY_AUTHORITY_HOST")
  }

  private static func isLinkLocal(_ url: WebURL) -> Bool {
    url.host.hasPrefix("169.254.")
  }

  /// Where it answers, for messages.
  package var describe: String {
    switch endpoint {
    case .appService(let url, _): "the App Service managed identity endpoint \(url.origin)"
    case .arc(let url): "the Azure Arc managed identity endpoint \(url.origin)"
    case .imds(let url, _): "the instance metadata service \(url.origin)"
    }
  }

  // MARK: - Fetching

  /// A token for `resource` (``AzureAccessToken/resource`` for Azure DevOps).
  package func accessToken(resource: String = AzureAccessToken.resource, in context: Context) throws -> AzureAccessToken
  {
    var request: HTTPRequest
    switch endpoint {
    case .appService(let url, let header):
      request = HTTPRequest(
        url: query(url, version: "2019-08-01", resource: resource).description,
        purpose: "App Service managed identity token request")
      request.setHeader("X-IDENTITY-HEADER", header.revealed)
    case .arc(let url):
      guard clientID == nil else {
        throw ConfigError(
          "Azure Arc offers only the machine's system-assigned identity; unset AZURE_CLIENT_ID to use it.")
      }
      request = try arcRequest(query(url, version: "2020-06-01", resource: resource), in: context)
    case .imds(let url, let probe):
      let tokenURL = query(url, version: "2018-02-01", resource: resource)
      if probe { try probeIMDS(url, in: context) }
      request = HTTPRequest(url: tokenURL.description, purpose: "instance metadata service token request")
      request.setHeader("Metadata", "true")
    }
    request.setHeader("Accept", "application/json")
    return try token(from: try send(request, in: context), in: context)
  }

  private func query(_ url: WebURL, version: String, resource: String) -> WebURL {
    var out = url.appendingQuery("api-version", version).appendingQuery("resource", resource)
    if let clientID { out = out.appendingQuery("client_id", clientID) }
    return out
  }

  /// Anything answering within ``probeTimeout`` (even an error) means IMDS is there.
  private func probeIMDS(_ url: WebURL, in context: Context) throws {
    var request = HTTPRequest(url: url.description, purpose: "instance metadata service probe")
    request.timeout = Self.probeTimeout
    request.retryable = false
    do {
      _ = try context.transport.send(request)
    } catch {
      throw ManagedIdentityError.unreachable(
        "The instance metadata service \(url.origin) did not answer within \(HTTPError.format(Self.probeTimeout)) s (\(error.cause)); this Azure VM offers no managed identity to this process."
      )
    }
  }

  /// Arc's challenge: an unauthenticated request names a key file; its contents authorize the next.
  private func arcRequest(_ url: WebURL, in context: Context) throws -> HTTPRequest {
    var request = HTTPRequest(url: url.description, purpose: "Azure Arc managed identity token request")
    request.setHeader("Metadata", "true")
    let challenge = try send(request, in: context)
    guard challenge.status == 401, let header = challenge.header("WWW-Authenticate"), let realm = Self.realm(header)
    else {
      throw ManagedIdentityError.refused(
        "Azure Arc's identity endpoint \(url.origin) answered HTTP \(challenge.status) without the expected key-file challenge; check that the Arc agent (himds) is running."
      )
    }
    let path =
      realm.hasPrefix("\"") && realm.hasSuffix("\"") && realm.count >= 2 ? String(realm.dropFirst().dropLast()) : realm
    let key = try readArcKey(path)
    request.setHeader("Authorization", "Basic \(key.revealed)")
    return request
  }

  /// What follows `realm=` in a challenge.
  static func realm(_ header: String) -> String? {
    let marker = Array("realm=".utf8)
    let bytes = Array(header.utf8)
    guard bytes.count >= marker.count else { return nil }
    for start in 0...(bytes.count - marker.count) where Array(bytes[start..<start + marker.count]) == marker {
      let value = String(decoding: bytes[(start + marker.count)...], as: UTF8.self).trimmingSpaces
      return value.isEmpty ? nil : value
    }
    return nil
  }

  /// The key file must be a `.key` file directly in ``arcKeyDirectory``, a regular file of
  /// at most 4096 bytes: a challenge may not make indexkey read and send anything else.
  func readArcKey(_ path: String) throws -> Secret {
    let directory = arcKeyDirectory.hasSuffix("/") ? String(arcKeyDirectory.dropLast()) : arcKeyDirectory
    let name = path.hasPrefix(directory + "/") ? String(path.dropFirst(directory.count + 1)) : ""
    guard !name.isEmpty, !name.contains("/"), name.hasSuffix(".key"), name != ".key" else {
      throw ManagedIdentityError.refused(
        "Azure Arc's identity endpoint named the key file '\(path)', which is not a .key file in \(directory); refusing to read it."
      )
    }
    var st = stat()
    guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
      throw ManagedIdentityError.refused(
        "Azure Arc's key file \(path) is missing or not a regular file; run indexkey as a user in the himds group.")
    }
    guard st.st_size <= 4096 else {
      throw ManagedIdentityError.refused("Azure Arc's key file \(path) is larger than 4096 bytes; refusing to send it.")
    }
    do {
      return Secret(try FileIO.readText(path).trimmingSpaces)
    } catch {
      throw ManagedIdentityError.refused(
        "Could not read Azure Arc's key file (\(error.description)); run indexkey as a user in the himds group (sudo usermod -a -G himds $USER)."
      )
    }
  }

  private func send(_ request: HTTPRequest, in context: Context) throws -> HTTPResponse {
    do {
      return try context.transport.send(request)
    } catch {
      throw ManagedIdentityError.unreachable("\(describe) could not be reached: \(error.description)")
    }
  }

  private func token(from response: HTTPResponse, in context: Context) throws -> AzureAccessToken {
    let document = "managed identity token response"
    guard response.status == 200 else { throw refusal(response) }
    let body = try response.jsonObject(document, endpoint: describe)
    let value: String
    do {
      value = try body.string("access_token", in: document)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(describe))")
    }
    let now = context.clock.now()
    var stated: UnixTime?
    if let on = Self.number(body["expires_on"]) {
      stated = ServerTime.instant(on)
    } else if let seconds = Self.number(body["expires_in"]) {
      stated = ServerTime.expiry(in: seconds, from: now)
    }
    let secret = Secret(value)
    let expiresAt = try Freshness.check("an access token", from: describe, stated: stated, token: secret, now: now)
    return AzureAccessToken(value: secret, expiresAt: expiresAt, holder: .application)
  }

  /// A number the endpoints send as a JSON number or as a string of digits.
  static func number(_ value: JSON?) -> Double? {
    if let n = value?.numberValue { return n }
    return value?.stringValue.flatMap { Double($0.trimmingSpaces) }
  }

  private func refusal(_ response: HTTPResponse) -> ManagedIdentityError {
    let body = try? JSON(parsing: response.body, document: "managed identity error")
    let said =
      body?["error_description"]?.stringValue ?? body?["message"]?.stringValue ?? body?["Message"]?.stringValue
      ?? String(response.text.prefix(200))
    let detail = Refusal.clean(EntraErrors.firstLine(said))
    let who = clientID.map { "the user-assigned identity \($0) (AZURE_CLIENT_ID)" } ?? "the system-assigned identity"
    if response.isServerFailure {
      return .unreachable("\(describe) answered HTTP \(response.status) (\(detail)); try again later.")
    }
    if detail.lowercased().contains("identity not found") || response.status == 404 {
      return .refused(
        "\(describe) has no token for \(who): \(detail). Assign that identity to this resource, or unset AZURE_CLIENT_ID for the system-assigned one."
      )
    }
    return .refused("\(describe) refused a token for \(who) with HTTP \(response.status): \(detail).")
  }
}

/// The managed-identity endpoint was not there, or refused.
package enum ManagedIdentityError: UserFacingError, Equatable {
  /// Nothing answered (exit 5): on a laptop this link is simply not available.
  case unreachable(String)
  /// It answered with a refusal (exit 4).
  case refused(String)

  package var description: String {
    switch self {
    case .unreachable(let text), .refused(let text): text
    }
  }

  package var exitStatus: ExitStatus {
    switch self {
    case .unreachable: .network
    case .refused: .refused
    }
  }
}
