/// The `login` command's inputs as plain values (the executable fills them from flags).
public struct LoginOptions: Sendable {
  public var urls: [String] = []
  public var registry: String?
  public var identity: String?
  public var writes: [String] = []
  public var dryRun = false
  /// Cloud and sink parameters by long flag name ("azure-client-id", "pypirc", "name").
  public var flags: [String: String] = [:]

  public init() {}
}

/// Resolves options and environment into a ``LoginPlan``, failing early (exit 2) on
/// anything that can be known wrong before a request is made.
public enum Planner {
  public static func plan(_ options: LoginOptions, environment: Environment) throws -> LoginPlan {
    guard !options.urls.isEmpty else {
      throw ConfigError("Give at least one index URL, e.g. indexkey login https://pkgs.dev.azure.com/ORG/_packaging/FEED/pypi/simple/.")
    }
    let settings = Settings(flags: options.flags, environment: environment)
    let forced = try options.registry.map { (flag: String) throws(ConfigError) in try Registries.named(flag) }
    let identity = try IdentitySpec.planned(options.identity, settings: settings)
    var indexes: [PlannedIndex] = []
    for text in options.urls {
      let url = try WebURL(text, what: "The index URL")
      guard let type = forced ?? Registries.recognise(url) else {
        throw ConfigError(
          "indexkey does not recognise the index '\(url)' from its host; name the registry with --registry (one of: \(Registries.names)).")
      }
      try url.requireSecureTransport("The index URL")
      let target = try type.target(for: url)
      indexes.append(PlannedIndex(target: target, registry: try type.make(settings: settings, identity: identity)))
    }
    let sinks = try SinkCatalog.sinks(options.writes, settings: settings)
    return LoginPlan(indexes: indexes, sinks: sinks, dryRun: options.dryRun)
  }
}

/// The `--write` names and how each sink is built.
public enum SinkCatalog {
  /// name, and a builder taking the optional `=PATH` and the settings.
  public static let all: [(name: String, make: @Sendable (String?, Settings) throws -> any Sink)] = [
    ("github-env", { path, _ in GitHubEnvSink(path: path) }),
    ("pypirc", { path, settings in PypircSink(path: path ?? settings.value("pypirc")) }),
    ("shell", { path, _ in try noPath(path, "shell", ShellSink()) }),
  ]

  /// `--write a,b=PATH,c`; with none given, `github-env` inside GitHub Actions, else nothing.
  public static func sinks(_ writes: [String], settings: Settings) throws -> [any Sink] {
    let items = writes.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } }.filter { !$0.isEmpty }
    if items.isEmpty {
      let env = settings.environment
      return env["GITHUB_ACTIONS"] == "true" && env.has("GITHUB_ENV") ? [GitHubEnvSink()] : []
    }
    var sinks: [any Sink] = []
    for item in items {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard let entry = all.first(where: { $0.name == parts[0] }) else {
        throw ConfigError("--write '\(parts[0])' is not a known output; use one of: \(all.map(\.name).joined(separator: ", ")).")
      }
      if sinks.contains(where: { $0.name == entry.name }) {
        throw ConfigError("--write names \(entry.name) more than once.")
      }
      sinks.append(try entry.make(parts.count == 2 ? parts[1] : nil, settings))
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
  /// The human summary, on stderr.
  public func render(to console: Console, now: UnixTime) {
    for result in results {
      switch result.outcome {
      case .success(let credential):
        let expiry = credential.expiresAt.map { " until \($0.iso8601) (\(describeDuration($0 - now)))" } ?? ""
        let url = result.index.installable ? result.index.simpleURL : result.index.uploadURL ?? result.index.simpleURL
        console.err("indexkey: \(result.registry) index '\(result.index.name)' (\(url)): credential for user \(credential.username)\(expiry).")
        for warning in credential.warnings {
          console.err("indexkey: warning: \(warning)")
        }
      case .failure(let error):
        console.err("indexkey: error: \(error.message)")
      }
    }
    if let outputError {
      console.err("indexkey: error: \(outputError.message)")
    } else if !credentials.isEmpty && !dryRun {
      if outputs.isEmpty {
        console.err("indexkey: nothing was written; choose where with --write (\(SinkCatalog.all.map(\.name).joined(separator: ", "))).")
      }
      for output in outputs where output.action != .stdout {
        console.err("indexkey: wrote \(output.summary) to \(output.destination).")
      }
    }
  }
}
