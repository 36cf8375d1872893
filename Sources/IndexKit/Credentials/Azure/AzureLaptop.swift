/// Azure outside CI, when no client secret or certificate is configured: the managed identity
/// of Azure compute, then the Azure CLI's login, then a person's device-code sign-in (kept in
/// the encrypted store), in azure-identity's order. `--azure-credential NAME` (or
/// `INDEXKEY_AZURE_CREDENTIAL`) picks one.
public struct AzureLaptop: Sendable {
  public enum Link: Sendable {
    /// `byTrying`: only a request tells whether it is there (a VM's IMDS).
    case managedIdentity(ManagedIdentity, byTrying: Bool)
    case azureCLI(AzureCLI, byTrying: Bool)
    case deviceCode(EntraPublicClient)

    /// The link in words, for `indexkey doctor`.
    public var describe: String {
      switch self {
      case .managedIdentity(let identity, let byTrying):
        "managed-identity: GET \(identity.describe)\(byTrying ? " (if it answers within 1 s)" : "")"
      case .azureCLI(let cli, _):
        "azure-cli: run \(cli.arguments.joined(separator: " ")) (passed over when az is not signed in)"
      case .deviceCode(let client):
        "device-code: refresh the sign-in kept in the encrypted store at \(client.tokenEndpoint), or show a device code on the terminal (\(client.deviceCodeEndpoint))"
      }
    }

    public var name: String {
      switch self {
      case .managedIdentity: "managed-identity"
      case .azureCLI: "azure-cli"
      case .deviceCode: "device-code"
      }
    }
  }

  /// Tried in order: all but the last may be passed over when they turn out absent.
  public var links: [Link]
  /// Why each link before them was skipped, for messages.
  public var skipped: [String]

  public static let names = ["managed-identity", "azure-cli", "device-code"]

  /// The links configured here; throws when none is (saying why each was skipped).
  public static func resolve(settings: Settings) throws -> AzureLaptop {
    let env = settings.environment
    if let forced = settings.value("azure-credential", env: ["INDEXKEY_AZURE_CREDENTIAL"]) {
      return AzureLaptop(links: [try force(forced, settings)], skipped: [])
    }
    var links: [Link] = []
    var skipped: [String] = []
    switch try ManagedIdentity.detect(env) {
    case .success(let found):
      if case .imds(_, true) = found.endpoint {
        links.append(.managedIdentity(found, byTrying: true))
      } else {
        return AzureLaptop(links: [.managedIdentity(found, byTrying: false)], skipped: skipped)
      }
    case .failure(let why):
      skipped.append("managed-identity: \(why.reason)")
    }
    if AzureCLI.isInstalled(env) {
      var cli = try AzureCLI.make(env)
      cli.tenantID = settings.value("azure-tenant-id", env: ["AZURE_TENANT_ID"])
      links.append(.azureCLI(cli, byTrying: true))
    } else {
      skipped.append("azure-cli: az is not on PATH")
    }
    if let ci = inCI(env) {
      skipped.append("device-code: in CI (\(ci)) nobody can answer a device code")
    } else {
      links.append(.deviceCode(try EntraPublicClient.make(settings: settings)))
    }
    guard !links.isEmpty else {
      throw ConfigError("No Azure credential was found (\(skipped.joined(separator: "; "))); in CI configure workload identity federation (AZURE_CLIENT_ID and AZURE_TENANT_ID with the job's OIDC token), a client secret, or AZURE_DEVOPS_EXT_PAT.")
    }
    return AzureLaptop(links: links, skipped: skipped)
  }

  static func force(_ name: String, _ settings: Settings) throws -> Link {
    switch name {
    case "managed-identity":
      switch try ManagedIdentity.detect(settings.environment) {
      case .success(let found): return .managedIdentity(found, byTrying: false)
      case .failure(let why): throw ConfigError("--azure-credential managed-identity: no managed identity here: \(why.reason).")
      }
    case "azure-cli":
      var cli = try AzureCLI.make(settings.environment)
      cli.tenantID = settings.value("azure-tenant-id", env: ["AZURE_TENANT_ID"])
      return .azureCLI(cli, byTrying: false)
    case "device-code":
      if let ci = inCI(settings.environment) {
        throw ConfigError("--azure-credential device-code is never used in CI (\(ci)): nobody is there to enter the code.")
      }
      return .deviceCode(try EntraPublicClient.make(settings: settings))
    default:
      throw ConfigError("--azure-credential '\(name)' (or INDEXKEY_AZURE_CREDENTIAL) is not an Azure credential here; use one of: \(names.joined(separator: ", ")).")
    }
  }

  /// Why this environment looks like CI, or nil.
  public static func inCI(_ environment: Environment) -> String? {
    if environment.flag("CI") { return "CI=\(environment["CI"] ?? "")" }
    if let (detector, evidence) = AmbientIdentity.recognise(environment),
      !["gcp-metadata", "azure-token-file", "aws-token-file"].contains(detector.name)
    {
      return "\(detector.displayName): \(evidence)"
    }
    return nil
  }

  /// A token for Azure DevOps from the first link that is there.
  /// - Parameter feed: the index URL (a sign-in is kept per feed host).
  public func token(feed: WebURL, in context: Context) throws -> AzureAccessToken {
    var passed = skipped
    for (position, link) in links.enumerated() {
      let last = position == links.count - 1
      do {
        return try fetch(link, feed: feed, tried: passed, in: context)
      } catch let error as ManagedIdentityError {
        guard case .managedIdentity(_, true) = link, case .unreachable = error, !last else { throw error }
        passed.append("managed-identity: \(error.description)")
      } catch let error as AzureCLIError {
        guard case .azureCLI(_, true) = link, !last else { throw error }
        switch error {
        case .notSignedIn, .signInNeeded, .notInstalled: passed.append("azure-cli: \(error.description)")
        default: throw error
        }
      }
    }
    throw IdentityError("No Azure credential answered (\(passed.joined(separator: "; "))).")
  }

  private func fetch(_ link: Link, feed: WebURL, tried: [String], in context: Context) throws -> AzureAccessToken {
    switch link {
    case .managedIdentity(let identity, _):
      return try identity.accessToken(in: context)
    case .azureCLI(let cli, _):
      return try cli.accessToken(in: context)
    case .deviceCode(let client):
      guard let store = SecretStore.live(environment: context.environment, home: context.home, console: context.console) else {
        throw ConfigError("A device-code sign-in is kept in the encrypted store, which needs HOME (or XDG_DATA_HOME).")
      }
      // One sign-in per host, however the lookup named it (pip: the feed URL; uv: also `host:port`).
      var root = feed.with(path: "/")
      root.scheme = "https"
      let terminal = Self.inCI(context.environment) == nil ? ControllingTerminal.open() : nil
      let kept = KeptSignIn(
        client: client, store: store, index: StoreKey.index(for: root),
        deviceCode: terminal.map { DeviceCodeSignIn(client: client, terminal: $0) })
      do {
        return try kept.accessToken(purpose: "Azure Artifacts at \(feed.authority)", in: context)
      } catch SignInError.noTerminal {
        let before = tried.isEmpty ? "" : "\(tried.joined(separator: "; ")); "
        throw SignInError.noTerminal(tried: before + "device-code: no sign-in is kept for \(root.origin)")
      }
    }
  }
}
