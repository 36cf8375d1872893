/// Personal access tokens on request (`--azure-pat create`, `INDEXKEY_AZURE_PAT=create`):
/// the registry's own step after its chain answered a person's token (``PersonalAccessTokens``).
extension AzureArtifacts {
  /// What `--azure-pat create` asks for.
  package struct PATOrder: Sendable, Equatable {
    /// `--pat-days` / `AZURE_DEVOPS_PAT_DURATION` (default 30).
    package var days: Int
    /// `--azure-vssps-endpoint` / `INDEXKEY_AZURE_VSSPS_ENDPOINT`: the identity service's base
    /// (the organization is appended); nil: Azure DevOps' own for the feed's host.
    package var vssps: WebURL?

    package init(days: Int = PersonalAccessTokens.defaultDays, vssps: WebURL? = nil) {
      self.days = days
      self.vssps = vssps
    }
  }

  /// The PAT order the settings give, nil without `--azure-pat create`.
  package static func patOrder(_ settings: Settings) throws(ConfigError) -> PATOrder? {
    guard let mode = settings[AzureSettings.pat] else { return nil }
    switch mode.lowercased() {
    case "create": break
    case "off", "no", "false", "0": return nil
    default:
      throw ConfigError(
        "--azure-pat '\(mode)' (or INDEXKEY_AZURE_PAT) is not understood; use create (make and keep a PAT) or off (Entra tokens, the default)."
      )
    }
    var order = PATOrder()
    if let text = settings[AzureSettings.patDays] {
      guard let days = Int(text.trimmingSpaces), (1...365).contains(days) else {
        throw ConfigError("--pat-days '\(text)' (or AZURE_DEVOPS_PAT_DURATION) is not a number of days from 1 to 365.")
      }
      order.days = days
    }
    order.vssps = try settings.endpoint(AzureSettings.vsspsEndpoint, what: "The Azure DevOps identity service")
    return order
  }

  /// Whether the URL asked for is the feed's upload URL.
  static func isUpload(_ index: IndexTarget) -> Bool {
    index.given.segments.last == "upload"
  }

  /// The username sent with a PAT indexkey made (Azure DevOps ignores it).
  package static let madePATUsername = "indexkey"

  /// The organization of a feed URL: `pkgs.dev.azure.com/ORG/…`, `ORG.pkgs.visualstudio.com`,
  /// or the first path segment on another host.
  package static func organization(of url: WebURL) -> String? {
    if url.host.hasSuffix(".pkgs.visualstudio.com") { return String(url.host.dropLast(".pkgs.visualstudio.com".count)) }
    let segments = url.segments
    guard let packaging = segments.firstIndex(of: "_packaging"), packaging >= 1 else { return nil }
    return segments[0]
  }

  /// A PAT for `index` from the kept one, or made with the person's token `bearer` fetches.
  func personalAccessToken(
    for index: IndexTarget, order: PATOrder, bearer: () throws -> AzureAccessToken, in context: Context
  ) throws -> Credential {
    guard let org = Self.organization(of: index.given) else {
      throw ConfigError(
        "'\(index.given)' names no Azure DevOps organization, which a personal access token belongs to.")
    }
    let endpoint: WebURL
    let root: WebURL
    if index.given.host.hasSuffix(".pkgs.visualstudio.com") {
      root = index.given.with(path: "/")
      endpoint =
        try order.vssps.map { $0.with(path: $0.path + "/" + org + "/") }
        ?? WebURL("https://\(org).vssps.visualstudio.com/", what: "The Azure DevOps identity service")
    } else {
      root = index.given.with(path: "/\(org)/")
      if let base = order.vssps {
        var path = base.path
        while path.hasSuffix("/") { path.removeLast() }
        endpoint = base.with(path: "\(path)/\(org)/")
      } else if index.given.host == "pkgs.dev.azure.com" {
        endpoint = try WebURL("https://vssps.dev.azure.com/\(org)/", what: "The Azure DevOps identity service")
      } else {
        throw ConfigError(
          "Making a PAT for \(index.given.authority) needs the identity service of its Azure DevOps Server: set INDEXKEY_AZURE_VSSPS_ENDPOINT (or --azure-vssps-endpoint)."
        )
      }
    }
    guard let store = SecretStore.live(environment: context.environment, home: context.home, console: context.console)
    else {
      throw ConfigError("--azure-pat create keeps the PAT in the encrypted store, which needs HOME (or XDG_DATA_HOME).")
    }
    let write = Self.isUpload(index)
    let pats = PersonalAccessTokens(
      organization: org, endpoint: endpoint, days: order.days, write: write, store: store,
      index: StoreKey.index(for: root),
      hostName: PersonalAccessTokens.machineName())
    let kept = try pats.token(bearer: bearer, in: context)
    return Credential(
      index: index, registry: Self.name, username: Self.madePATUsername, password: kept.token, expiresAt: kept.validTo)
  }
}
