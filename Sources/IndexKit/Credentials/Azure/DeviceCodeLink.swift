/// A person signs in with a device code on the terminal (``DeviceCodeSignIn``), and the refresh
/// token is kept in the encrypted store (``KeptSignIn``) so later runs refresh silently.
///
/// Never in CI; without a terminal only a kept sign-in can answer.
package struct DeviceCodeLink: CredentialLink {
  package static let name = "device-code"
  package static let settings = [AzureSettings.authorityHost, AzureSettings.tenantID, AzureSettings.publicClientID]
  package var client: EntraPublicClient
  /// The terminal to prompt on, found when the link is used; nil: none.
  package var terminal: @Sendable () -> (any Terminal)?

  package init(
    client: EntraPublicClient, terminal: @escaping @Sendable () -> (any Terminal)? = { ControllingTerminal.open() }
  ) {
    self.client = client
    self.terminal = terminal
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    if let ci = inCI(input.environment) { return .skipped("in CI (\(ci)) nobody can answer a device code") }
    if let store = SecretStore.path(environment: input.environment, home: input.environment["HOME"]),
      FileIO.exists(store)
    {
      return .configured("a sign-in may be kept in \(store); else a device code on the terminal")
    }
    if ControllingTerminal.open() != nil { return .configured("a terminal to show a device code on") }
    return .skipped("no sign-in is kept and there is no terminal to show a device code on")
  }

  /// Why this looks like CI, or nil.
  static func inCI(_ environment: Environment) -> String? {
    if environment.flag("CI") { return "CI=\(environment["CI"] ?? "")" }
    let ci = CIEnvironment.detect(environment)
    if let kind = ci.kind, let evidence = ci.evidence { return "\(kind.displayName): \(evidence)" }
    return nil
  }

  package init(_ input: LinkInput) throws {
    if let ci = Self.inCI(input.environment) {
      throw ConfigError(
        "The device-code credential is never used in CI (\(ci)): nobody is there to enter the code. Use workload identity federation, a client secret or AZURE_DEVOPS_EXT_PAT."
      )
    }
    self.init(client: try EntraPublicClient.make(settings: input.settings))
  }

  package func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential {
    guard let feed = request.feed else {
      throw ConfigError("The device-code credential keeps its sign-in per index; it needs the index URL.")
    }
    guard let store = SecretStore.live(environment: context.environment, home: context.home, console: context.console)
    else {
      throw ConfigError(
        "The device-code credential keeps its sign-in in the encrypted store, which needs HOME (or XDG_DATA_HOME).")
    }
    // One sign-in per host, however the lookup named it (pip: the feed URL; uv: also `host:port`).
    var root = feed.with(path: "/")
    root.scheme = "https"
    let prompt = Self.inCI(context.environment) == nil ? terminal() : nil
    let kept = KeptSignIn(
      client: client, store: store, index: StoreKey.index(for: root),
      deviceCode: prompt.map { DeviceCodeSignIn(client: client, terminal: $0) })
    let token = try kept.accessToken(purpose: "Azure Artifacts at \(feed.authority)", in: context)
    return .personsAccessToken(token.value, expiresAt: token.expiresAt)
  }

  package func preview(_ request: AzureTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: [
        "POST \(client.tokenEndpoint) (refresh the sign-in kept in the encrypted store, client \(client.clientID))",
        "or, without one: POST \(client.deviceCodeEndpoint), the code shown on the terminal, then poll \(client.tokenEndpoint)",
      ], username: AzureArtifacts.username)
  }
}
