/// Azure Artifacts feeds, authenticated with an Entra ID access token, or with a
/// personal access token given in `AZURE_DEVOPS_EXT_PAT`.
///
/// pip sends the token as the Basic-auth password; Azure Artifacts accepts any
/// non-empty username with an Entra token or a PAT, and `EntraToken` is what
/// Microsoft's own credential provider uses (PROTOCOLS.md §4d).
package struct AzureArtifacts: Registry {
  package static let name = "azure-artifacts"
  package static let aliases = ["azure", "azure-devops"]
  package static let displayName = "Azure Artifacts"
  package static let settings =
    [AzureSettings.pat, AzureSettings.patDays, AzureSettings.vsspsEndpoint] + AzureChain.chain.settings

  /// Where the token comes from: the link of ``AzureChain`` that answers here.
  package var credentials: ResolvedChain<AzureTokenRequest, AzureCredential>
  package var chain: ChainTrace? { credentials.trace }
  /// `--azure-pat create`: a PAT made with a signed-in person's token, kept and reused.
  package var pat: PATOrder?

  package init(credentials: ResolvedChain<AzureTokenRequest, AzureCredential>) {
    self.credentials = credentials
  }

  /// With one configured link and no walk (tests, library users).
  package init(link: some CredentialLink<AzureTokenRequest, AzureCredential>) {
    self.credentials = .only(link, cloud: "Azure")
  }

  /// With an Entra client, through the link its way of proving itself belongs to.
  package init(entra: EntraClient) {
    switch entra.auth {
    case .secret: self.init(link: ClientSecretLink(client: entra))
    case .certificate: self.init(link: ClientCertificateLink(client: entra))
    case .federated: self.init(link: AzureFederationLink(client: entra))
    }
  }

  package static let username = "EntraToken"
  /// The username sent with a PAT (Azure DevOps ignores it, but it must not be empty).
  package static let patUsername = "azure-devops"
  /// The Azure DevOps resource; the same GUID in every tenant.
  package static let scope = "499b84ac-1321-427f-aa17-267ca6975798/.default"

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let request = AzureTokenRequest(scope: Self.scope, feed: index.given)
    // A PAT in the environment is used as given; otherwise one is made (or the kept one reused).
    if let pat, credentials.linkName != PersonalAccessTokenLink.name {
      return try personalAccessToken(for: index, order: pat, bearer: { try bearer(request, in: context) }, in: context)
    }
    switch try credentials.fetch(request, in: context) {
    case .accessToken(let token, let expiresAt), .personsAccessToken(let token, let expiresAt):
      return Credential(
        index: index, registry: Self.name, username: Self.username, password: token, expiresAt: expiresAt)
    case .personalAccessToken(let pat):
      return Credential(index: index, registry: Self.name, username: Self.patUsername, password: pat, expiresAt: nil)
    }
  }

  /// The chain's token, with who holds it (only a person's may make a PAT).
  private func bearer(_ request: AzureTokenRequest, in context: Context) throws -> AzureAccessToken {
    switch try credentials.fetch(request, in: context) {
    case .personsAccessToken(let token, let expiresAt):
      return AzureAccessToken(value: token, expiresAt: expiresAt, holder: .person)
    case .accessToken(let token, let expiresAt):
      return AzureAccessToken(value: token, expiresAt: expiresAt, holder: .application)
    case .personalAccessToken:
      throw ConfigError(
        "--azure-pat create needs an Entra token to make a PAT with, but the credential chain answered a PAT.")
    }
  }

  /// The Azure DevOps token is not tied to an organisation or feed: one serves them all (a PAT
  /// made on request serves its organization, and an upload one may write).
  package func sharedExchange(for index: IndexTarget) -> String? {
    guard pat != nil else { return "" }
    return (Self.organization(of: index.given) ?? index.simpleURL.description) + (Self.isUpload(index) ? " write" : "")
  }

  /// A PAT made for an upload URL may write: its cache entry is not the install URL's.
  package func cacheVariant(for index: IndexTarget) -> String? {
    pat != nil && Self.isUpload(index) ? "write" : nil
  }

  package static func matchesHost(_ url: WebURL) -> Bool {
    url.host == "pkgs.dev.azure.com" || url.host.hasSuffix(".pkgs.visualstudio.com")
  }

  /// The first link of ``AzureChain`` configured here.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> AzureArtifacts {
    var made = AzureArtifacts(
      credentials: try AzureChain.chain.resolve(LinkInput(settings: settings, identity: identity)))
    made.pat = try patOrder(settings)
    return made
  }

  /// `…/{org}/[{project}/]_packaging/{feed}/pypi/(simple|upload)/`: derives both URLs.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let packaging = segments.firstIndex(of: "_packaging"), packaging + 2 < segments.count,
      segments[packaging + 2] == "pypi"
    else {
      throw ConfigError(
        "'\(url)' is not an Azure Artifacts Python feed URL; expected https://pkgs.dev.azure.com/ORG[/PROJECT]/_packaging/FEED/pypi/simple/."
      )
    }
    if url.host == "pkgs.dev.azure.com" && packaging == 0 {
      throw ConfigError(
        "'\(url)' lacks the organization: expected https://pkgs.dev.azure.com/ORG[/PROJECT]/_packaging/FEED/pypi/simple/."
      )
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
