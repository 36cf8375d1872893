/// Azure Artifacts feeds, authenticated with an Entra ID access token, or with a
/// personal access token given in `AZURE_DEVOPS_EXT_PAT`.
///
/// pip sends the token as the Basic-auth password; Azure Artifacts accepts any
/// non-empty username with an Entra token or a PAT, and `EntraToken` is what
/// Microsoft's own credential provider uses (PROTOCOLS.md §4d).
public struct AzureArtifacts: Registry {
  public static let name = "azure-artifacts"
  public static let aliases = ["azure", "azure-devops"]
  public static let displayName = "Azure Artifacts"

  public enum Auth: Sendable {
    case entra(EntraClient)
    /// A personal access token (the Azure DevOps CLI's `AZURE_DEVOPS_EXT_PAT`).
    case personalAccessToken(Secret)
    /// Outside CI: managed identity, the Azure CLI, a device-code sign-in (``AzureLaptop``).
    case laptop(AzureLaptop)
  }

  public var auth: Auth
  /// `--azure-pat create`: a PAT made with the chain's token, kept and reused.
  public var pat: PATOrder?

  public init(entra: EntraClient) {
    self.auth = .entra(entra)
  }

  public init(auth: Auth) {
    self.auth = auth
  }

  public static let username = "EntraToken"
  /// The username sent with a PAT (Azure DevOps ignores it, but it must not be empty).
  public static let patUsername = "azure-devops"
  /// The Azure DevOps resource; the same GUID in every tenant.
  public static let scope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

  public func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let bearer: () throws -> AzureAccessToken
    switch auth {
    case .entra(let entra):
      bearer = {
        let token = try entra.accessToken(scope: Self.scope, in: context)
        return AzureAccessToken(value: token.value, expiresAt: token.expiresAt, holder: .application)
      }
    case .personalAccessToken(let pat):
      return Credential(index: index, registry: Self.name, username: Self.patUsername, password: pat, expiresAt: nil)
    case .laptop(let laptop):
      bearer = { try laptop.token(feed: index.given, in: context) }
    }
    if let pat {
      return try personalAccessToken(for: index, order: pat, bearer: bearer, in: context)
    }
    let token = try bearer()
    return Credential(index: index, registry: Self.name, username: Self.username, password: token.value, expiresAt: token.expiresAt)
  }

  /// The Azure DevOps token is not tied to an organisation or feed: one serves them all (a PAT
  /// made on request serves its organization).
  public func sharedExchange(for index: IndexTarget) -> String? {
    guard pat != nil else { return "" }
    return (Self.organization(of: index.given) ?? index.simpleURL.description) + (Self.isUpload(index) ? " write" : "")
  }

  /// A PAT made for an upload URL may write: its cache entry is not the install URL's.
  public func cacheVariant(for index: IndexTarget) -> String? {
    pat != nil && Self.isUpload(index) ? "write" : nil
  }

  public static func matchesHost(_ url: WebURL) -> Bool {
    url.host == "pkgs.dev.azure.com" || url.host.hasSuffix(".pkgs.visualstudio.com")
  }

  /// Entra ID when an application is named (`--azure-client-id`/`AZURE_CLIENT_ID`) with a
  /// secret, a certificate or a CI token; a PAT from `AZURE_DEVOPS_EXT_PAT` if there is one;
  /// otherwise, outside CI, managed identity, the Azure CLI or a device-code sign-in.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> AzureArtifacts {
    var made = try choose(settings: settings, identity: identity)
    made.pat = try patOrder(settings)
    return made
  }

  private static func choose(settings: Settings, identity: IdentitySpec) throws -> AzureArtifacts {
    let env = settings.environment
    let clientID = settings.value("azure-client-id", env: ["AZURE_CLIENT_ID"])
    if clientID == nil, let pat = try settings.secret("AZURE_DEVOPS_EXT_PAT") {
      return AzureArtifacts(auth: .personalAccessToken(pat))
    }
    let forced = settings.value("azure-credential", env: ["INDEXKEY_AZURE_CREDENTIAL"])
    let appCredential = env.has("AZURE_CLIENT_SECRET") || env.has("AZURE_CLIENT_CERTIFICATE_PATH")
    let ciToken = identity != .auto || AmbientIdentity.recognise(env) != nil
    if forced != nil || (!appCredential && !ciToken) {
      if forced == nil, let pat = try settings.secret("AZURE_DEVOPS_EXT_PAT") {
        return AzureArtifacts(auth: .personalAccessToken(pat))
      }
      return AzureArtifacts(auth: .laptop(try AzureLaptop.resolve(settings: settings)))
    }
    return AzureArtifacts(entra: try EntraClient.make(settings: settings, identity: identity))
  }

  /// `…/{org}/[{project}/]_packaging/{feed}/pypi/(simple|upload)/`: derives both URLs.
  public static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let packaging = segments.firstIndex(of: "_packaging"), packaging + 2 < segments.count,
      segments[packaging + 2] == "pypi"
    else {
      throw ConfigError(
        "'\(url)' is not an Azure Artifacts Python feed URL; expected https://pkgs.dev.azure.com/ORG[/PROJECT]/_packaging/FEED/pypi/simple/.")
    }
    if url.host == "pkgs.dev.azure.com" && packaging == 0 {
      throw ConfigError("'\(url)' lacks the organization: expected https://pkgs.dev.azure.com/ORG[/PROJECT]/_packaging/FEED/pypi/simple/.")
    }
    let rest = segments.dropFirst(packaging + 3)
    if let first = rest.first, first != "simple" && first != "upload" {
      throw ConfigError("'\(url)' has '\(first)' after /pypi/; give the feed's …/pypi/simple/ or …/pypi/upload/ URL.")
    }
    // `FEED@VIEW` (or `FEED%40VIEW`) installs from a view; views are read-only, so
    // uploads go to the feed itself.
    let feed = PercentEncoding.decode(segments[packaging + 1]) ?? segments[packaging + 1]
    let feedOnly = feed.split(separator: "@", maxSplits: 1).first.map(String.init) ?? feed
    let parent = segments[..<(packaging + 1)].joined(separator: "/")
    let base = "/" + segments[...(packaging + 2)].joined(separator: "/")
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"),
      uploadURL: url.with(path: "/\(parent)/\(PercentEncoding.encode(feedOnly))/pypi/upload/"), name: feed)
  }
}
