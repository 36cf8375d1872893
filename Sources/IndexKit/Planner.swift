/// The `login` command's inputs as plain values (the executable fills them from flags).
package struct LoginOptions: Sendable, Equatable {
  package var urls: [String] = []
  package var registry: String?
  package var identity: String?
  package var writes: [String] = []
  package var dryRun = false
  /// Print the report as JSON on stdout.
  package var json = false
  /// Include the passwords in the JSON report.
  package var showSecrets = false
  /// The registry settings given as flags (``SettingsCatalog``), by long name.
  package var settings: [String: Settings.Given] = [:]
  /// `--name`: one index name per URL, in order.
  package var names: [String] = []
  /// `--extra`: add the indexes beside each client's main index.
  package var extra = false
  /// `--clients`: the clients whose variables are written, comma-separated.
  package var clients: String?
  /// `--pypirc`: the .pypirc to write.
  package var pypirc: String?
  /// `--azure-service-connection-id`: the Azure Pipelines service connection of the OIDC token.
  package var serviceConnection: String?
  /// Profiles of the encrypted profile file (`--profile`), each logged in like its own index.
  package var profiles: [String] = []

  package init() {}
}

/// One index URL as the plan sees it: its target and configured registry, or why it
/// cannot be served.
package struct IndexPlan: Sendable {
  package var given: String
  package var outcome: Result<PlannedIndex, any Error>
}

/// Resolves options and environment into a ``LoginPlan``, failing early (exit 2) on
/// anything that can be known wrong before a request is made.
///
/// `indexkey doctor` reads the same plan, index by index
/// (``indexes(_:registry:identity:names:settings:)``).
package enum Planner {
  package static func plan(_ options: LoginOptions, environment: Environment) throws -> LoginPlan {
    guard !options.urls.isEmpty else {
      throw ConfigError(
        "Give at least one index URL, e.g. indexkey login https://pkgs.dev.azure.com/ORG/_packaging/FEED/pypi/simple/.")
    }
    let settings = Settings(given: options.settings, environment: environment)
    let forced = try registry(options.registry)
    let identity = try IdentitySpec.planned(options.identity, serviceConnection: options.serviceConnection)
    let names = try givenNames(options.names, count: options.urls.count)
    var indexes: [PlannedIndex] = []
    for planned in Self.indexes(options.urls, registry: forced, identity: identity, names: names, settings: settings) {
      indexes.append(try planned.outcome.get())
    }
    try requireDistinctNames(indexes.map(\.target))
    let sinks = try SinkCatalog.sinks(options, environment: environment, ci: CIEnvironment.detect(environment))
    try checkReport(options, sinks: sinks)
    return LoginPlan(indexes: indexes, sinks: sinks, dryRun: options.dryRun)
  }

  /// The registry `--registry` names, if any.
  static func registry(_ flag: String?) throws(ConfigError) -> (any Registry.Type)? {
    try flag.map { (flag: String) throws(ConfigError) in try Registries.named(flag) }
  }

  /// Each URL's plan: recognised (or `forced`), checked, named, its registry configured.
  package static func indexes(
    _ urls: [String], registry forced: (any Registry.Type)?, identity: IdentitySpec, names: [String]?,
    settings: Settings
  ) -> [IndexPlan] {
    urls.enumerated().map { i, text in
      IndexPlan(
        given: text,
        outcome: Result {
          let url = try WebURL(text, what: "The index URL")
          guard let type = forced ?? Registries.recognise(url) else {
            throw ConfigError(
              "indexkey does not recognise the index '\(url)' from its host; name the registry with --registry (one of: \(Registries.names))."
            )
          }
          try url.requireSecureTransport("The index URL")
          var target = try type.target(for: url)
          target.name = names?[i] ?? IndexNaming.derive(target.name)
          return PlannedIndex(target: target, registry: try type.make(settings: settings, identity: identity))
        })
    }
  }

  /// `--name a,b` (or repeated): one name per URL, in order.
  static func givenNames(_ given: [String], count: Int) throws(ConfigError) -> [String]? {
    guard !given.isEmpty else { return nil }
    let names = given.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces } }
    guard names.count == count else {
      throw ConfigError(
        "--name gives \(names.count) name\(names.count == 1 ? "" : "s") for \(count) index URL\(count == 1 ? "" : "s"); give one name per URL, in the same order (--name a,b or --name a --name b)."
      )
    }
    for name in names { try IndexNaming.validate(name) }
    return names
  }

  /// Index names become uv's `UV_INDEX_<NAME>_*` and `.pypirc` sections: they must differ.
  static func requireDistinctNames(_ targets: [IndexTarget]) throws(ConfigError) {
    var seen: [String: String] = [:]
    for target in targets {
      let key = IndexNaming.uvEnvironmentName(target.name)
      if let other = seen[key] {
        throw ConfigError(
          "Two indexes would share the name '\(target.name)'\(other == target.name ? "" : " (as '\(other)', both UV_INDEX_\(key)_*)"); give each its own with --name (one per URL, in order)."
        )
      }
      seen[key] = target.name
    }
  }

  /// `--json` owns stdout; `--show-secrets` only makes sense with it.
  static func checkReport(_ options: LoginOptions, sinks: [any Sink]) throws(ConfigError) {
    if options.showSecrets && !options.json {
      throw ConfigError("--show-secrets adds the passwords to the --json report; give --json too.")
    }
    if options.showSecrets && options.dryRun {
      throw ConfigError("--show-secrets cannot be combined with --dry-run, which never shows secrets.")
    }
    if options.json, let printing = sinks.first(where: { SinkCatalog.printsToStdout($0.name) }) {
      throw ConfigError("--json prints the report on stdout, where --write \(printing.name) also prints; choose one.")
    }
  }
}

/// What a sink builder gets: the login's options, the environment, and the client options
/// every variable-style sink shares (so that all of them describe the indexes the same way).
package struct SinkSetup: Sendable {
  package var options: LoginOptions
  package var environment: Environment
  package var ci: CIEnvironment
  package var clients: ClientOptions
}

/// The `--write` names and how each sink is built.
package enum SinkCatalog {
  /// name, and a builder taking the optional `=PATH` and the setup.
  package static let all: [(name: String, make: @Sendable (String?, SinkSetup) throws -> any Sink)] = [
    ("github-env", { path, setup in GitHubEnvSink(path: path, options: setup.clients) }),
    ("github-output", { path, setup in GitHubOutputSink(path: path, options: setup.clients) }),
    ("pypirc", { path, setup in PypircSink(path: path ?? setup.options.pypirc) }),
    ("pip-conf", { path, setup in PipConfSink(path: path, options: setup.clients) }),
    ("netrc", { path, setup in try NetrcSink(handOff: netrcHandOff(path, setup.environment)) }),
    ("shell", { path, setup in try noPath(path, "shell", ShellSink(options: setup.clients)) }),
    ("fish", { path, setup in try noPath(path, "fish", FishSink(options: setup.clients)) }),
    ("powershell", { path, setup in try noPath(path, "powershell", PowerShellSink(options: setup.clients)) }),
    ("gitlab-env", { path, setup in GitLabEnvSink(path: path, options: setup.clients) }),
    ("gitlab-dotenv", { _, _ in throw ConfigError(GitLabEnvSink.dotenvRefusal) }),
    (
      "azure-pipelines",
      { path, setup in
        guard setup.ci.isAzurePipelines else { throw ConfigError(AzurePipelinesSink.outsideAzure) }
        return try noPath(path, "azure-pipelines", AzurePipelinesSink(options: setup.clients))
      }
    ),
  ]

  /// The outputs `--write` can name (a refused one, like `gitlab-dotenv`, is not offered).
  package static var names: String {
    all.map(\.name).filter { $0 != "gitlab-dotenv" }.joined(separator: ", ")
  }

  /// Sinks whose output is printed on stdout.
  static func printsToStdout(_ name: String) -> Bool {
    ["shell", "fish", "powershell", "azure-pipelines"].contains(name)
  }

  static func netrcHandOff(_ path: String?, _ environment: Environment) throws(ConfigError) -> NetrcHandOff {
    try NetrcSink.handOff(path: path, environment: environment, home: nil)
  }

  /// `--write a,b=PATH,c`; with none given, `github-env` inside GitHub Actions, else nothing.
  package static func sinks(_ options: LoginOptions, environment: Environment, ci: CIEnvironment) throws -> [any Sink] {
    let items = options.writes.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } }.filter { !$0.isEmpty }
    let clients = try ClientOptions.from(options, environment: environment)
    if items.isEmpty {
      let env = environment
      return ci.isGitHubActions && env.has("GITHUB_ENV") ? [GitHubEnvSink(options: clients)] : []
    }
    let requested = items.map { item in
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      return (name: parts[0], path: parts.count == 2 ? parts[1] : nil)
    }
    var setup = SinkSetup(options: options, environment: environment, ci: ci, clients: clients)
    if let netrc = requested.first(where: { $0.name == "netrc" }) {
      setup.clients.netrc = try netrcHandOff(netrc.path, environment)
    }
    if let pypirc = requested.first(where: { $0.name == "pypirc" }) {
      setup.clients.pypircIsDefault = (pypirc.path ?? options.pypirc) == nil
    }
    var sinks: [any Sink] = []
    for item in requested {
      guard let entry = all.first(where: { $0.name == item.name }) else {
        throw ConfigError("--write '\(item.name)' is not a known output; use one of: \(names).")
      }
      if sinks.contains(where: { $0.name == entry.name }) {
        throw ConfigError("--write names \(entry.name) more than once.")
      }
      sinks.append(try entry.make(item.path, setup))
    }
    if sinks.filter({ printsToStdout($0.name) }).count > 1 {
      throw ConfigError(
        "--write names more than one output that prints on stdout (\(sinks.map(\.name).filter(printsToStdout).joined(separator: ", "))); choose one."
      )
    }
    return sinks
  }

  /// For sinks that print to stdout: refuses `NAME=PATH`.
  static func noPath(_ path: String?, _ name: String, _ sink: any Sink) throws -> any Sink {
    if path != nil { throw ConfigError("--write \(name) prints to stdout and takes no path.") }
    return sink
  }
}

extension LoginReport {
  /// Every output's warnings, each once, in order.
  package var warnings: [String] {
    var seen: Set<String> = []
    return outputs.flatMap(\.warnings).filter { seen.insert($0).inserted }
  }

  /// The human summary, on stderr.
  package func render(to console: Console, now: UnixTime) {
    for result in results {
      switch result.outcome {
      case .success(let credential):
        let expiry = credential.expiresAt.map { " until \($0.iso8601) (\(describeDuration($0 - now)))" } ?? ""
        console.err(
          "indexkey: \(result.registry) index '\(result.index.name)' (\(result.index.reportedURL)): credential for user \(credential.shownUsername)\(expiry)."
        )
        for warning in credential.warnings {
          console.err("indexkey: warning: \(SingleLine.neutralised(warning))")
        }
      case .failure(let error):
        let which = results.count > 1 ? "index '\(result.index.name)' (\(result.index.reportedURL)) failed: " : ""
        console.err("indexkey: error: \(which)\(SingleLine.neutralised(error.message))")
      }
    }
    if let outputError {
      console.err("indexkey: error: \(SingleLine.neutralised(outputError.message))")
    } else if !credentials.isEmpty && !dryRun {
      if outputs.isEmpty {
        console.err("indexkey: nothing was written; choose where with --write (\(SinkCatalog.names)).")
      }
      for output in outputs where output.action != .stdout {
        console.err("indexkey: wrote \(output.summary) to \(output.destination).")
      }
    }
    for warning in warnings where outputError == nil {
      console.err("indexkey: warning: \(SingleLine.neutralised(warning))")
    }
  }
}

extension IndexTarget {
  /// The URL the report names: the install URL, or the upload URL of an upload-only index.
  package var reportedURL: WebURL {
    installable ? simpleURL : uploadURL ?? simpleURL
  }
}
