/// The `login` command's inputs as plain values (the executable fills them from flags).
public struct LoginOptions: Sendable {
  public var urls: [String] = []
  public var registry: String?
  public var identity: String?
  public var writes: [String] = []
  public var pypirc: String?
  public var dryRun = false
  public var azureClientID: String?
  public var azureTenantID: String?
  public var azureAuthorityHost: String?

  public init() {}
}

/// Resolves options and environment into a ``LoginPlan``, failing early (exit 2) on
/// anything that can be known wrong before a request is made.
public enum Planner {
  public static func plan(_ options: LoginOptions, environment: Environment) throws -> LoginPlan {
    guard !options.urls.isEmpty else {
      throw ConfigError("Give at least one index URL, e.g. indexkey login https://pkgs.dev.azure.com/ORG/_packaging/FEED/pypi/simple/.")
    }
    let forced = try options.registry.map { (flag: String) throws(ConfigError) in try RegistryKind(flag: flag) }
    let identity = try IdentitySpec(parsing: options.identity ?? "auto")
    var indexes: [PlannedIndex] = []
    for text in options.urls {
      let url = try WebURL(text, what: "The index URL")
      guard let kind = forced ?? RegistryKind.recognise(url) else {
        throw ConfigError(
          "indexkey does not recognise the index '\(url)' from its host; name the registry with --registry (one of: \(RegistryKind.allCases.map(\.rawValue).joined(separator: ", "))).")
      }
      try url.requireSecureTransport("The index URL")
      let target = try kind.target(for: url)
      indexes.append(PlannedIndex(target: target, registry: try registry(kind, options, identity, environment)))
    }
    return LoginPlan(indexes: indexes, sinks: try sinks(options, environment), dryRun: options.dryRun)
  }

  static func registry(_ kind: RegistryKind, _ options: LoginOptions, _ identity: IdentitySpec, _ env: Environment) throws -> any Registry {
    switch kind {
    case .azureArtifacts:
      return AzureArtifacts(entra: try entraClient(options, identity, env))
    }
  }

  static func entraClient(_ options: LoginOptions, _ identity: IdentitySpec, _ env: Environment) throws -> EntraClient {
    guard let clientID = options.azureClientID ?? env["AZURE_CLIENT_ID"] else {
      throw ConfigError("Azure Artifacts needs the Entra app's client id: set AZURE_CLIENT_ID or pass --azure-client-id (the Application (client) ID).")
    }
    guard let tenantID = options.azureTenantID ?? env["AZURE_TENANT_ID"] else {
      throw ConfigError("Azure Artifacts needs the Entra tenant: set AZURE_TENANT_ID or pass --azure-tenant-id (the Directory (tenant) ID).")
    }
    var hostText = options.azureAuthorityHost ?? env["AZURE_AUTHORITY_HOST"] ?? EntraClient.defaultAuthority
    if !hostText.contains("://") { hostText = "https://" + hostText }
    let authority = try WebURL(hostText, what: "The Entra authority host")
    try authority.requireSecureTransport("The Entra authority host")
    let auth: EntraClient.ClientAuth
    if options.identity == nil, let secret = env["AZURE_CLIENT_SECRET"] {
      auth = .secret(Secret(secret))
    } else {
      auth = .federated(try identity.source(environment: env), audience: EntraClient.federatedAudience(authorityHost: authority))
    }
    return EntraClient(tenantID: tenantID, clientID: clientID, authorityHost: authority, auth: auth)
  }

  /// `--write a,b=PATH,c`; with none given, `github-env` inside GitHub Actions, else nothing.
  static func sinks(_ options: LoginOptions, _ env: Environment) throws -> [any Sink] {
    let items = options.writes.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } }.filter { !$0.isEmpty }
    if items.isEmpty {
      return env["GITHUB_ACTIONS"] == "true" && env.has("GITHUB_ENV") ? [GitHubEnvSink()] : []
    }
    var sinks: [any Sink] = []
    for item in items {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      let path = parts.count == 2 ? parts[1] : nil
      switch parts[0] {
      case "github-env": sinks.append(GitHubEnvSink(path: path))
      case "pypirc": sinks.append(PypircSink(path: path ?? options.pypirc))
      case "shell", "sh":
        if path != nil { throw ConfigError("--write shell prints to stdout and takes no path.") }
        sinks.append(ShellSink())
      default:
        throw ConfigError("--write '\(parts[0])' is not a known output; use github-env, pypirc or shell.")
      }
    }
    if sinks.filter({ $0.name == "shell" }).count > 1 {
      throw ConfigError("--write names shell more than once.")
    }
    return sinks
  }
}

extension LoginReport {
  /// The human summary, on stderr.
  public func render(to console: Console, now: UnixTime) {
    for result in results {
      switch result.outcome {
      case .success(let credential):
        let expiry = credential.expiresAt.map { " until \($0.iso8601) (\(describeDuration($0 - now)))" } ?? ""
        console.err("indexkey: \(result.registry.displayName) index '\(result.index.name)' (\(result.index.simpleURL)): credential for user \(credential.username)\(expiry).")
      case .failure(let error):
        console.err("indexkey: error: \(error.message)")
      }
    }
    if let outputError {
      console.err("indexkey: error: \(outputError.message)")
    } else if !credentials.isEmpty {
      if outputs.isEmpty {
        if !dryRun {
          console.err("indexkey: nothing was written; choose where with --write (github-env, pypirc, shell).")
        }
      } else if !dryRun {
        for output in outputs where output.action != .stdout {
          console.err("indexkey: wrote \(output.summary) to \(output.destination).")
        }
      }
    }
  }
}
