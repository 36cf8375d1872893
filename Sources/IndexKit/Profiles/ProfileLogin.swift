/// `indexkey login --profile NAME…`: each profile's settings laid over the environment, each
/// profile planned like its own `login`, and the indexes of all of them run as one login
/// (in parallel, one report, the same outputs).
public enum ProfileLogin {
  /// The profile `token` and the keyring helper use when no `--profile` is given.
  public static let variable = "INDEXKEY_PROFILE"

  /// The environment the keyring helper runs in under `INDEXKEY_PROFILE`: the profile's
  /// settings laid over `environment`, its secrets masked first.
  public static func environment(profile name: String, environment: Environment, console: Console) throws(ProfileError) -> Environment {
    let file = try ProfileFile.fromEnvironment(environment, home: environment["HOME"], purpose: variable)
    guard let profile = try file.profiles([name]).first else { return environment }
    CIMasker.detect(environment).mask(profile.secrets, console: console)
    return try overlay(profile, on: environment)
  }

  /// The plan for `options`; without profiles, exactly ``Planner/plan(_:environment:)``.
  ///
  /// The profiles' secrets are registered with the CI's masker before anything else is printed.
  public static func plan(_ options: LoginOptions, environment: Environment, console: Console) throws -> LoginPlan {
    guard !options.profiles.isEmpty else { return try Planner.plan(options, environment: environment) }
    let file = try ProfileFile.fromEnvironment(environment, home: environment["HOME"], purpose: "--profile")
    let profiles = try file.profiles(options.profiles)
    CIMasker.detect(environment).mask(profiles.flatMap(\.secrets), console: console)
    if profiles.count > 1 && !options.urls.isEmpty {
      throw ConfigError("With several profiles, each names its own index (index_url); give no index URL on the command line.")
    }
    var indexes: [PlannedIndex] = []
    for profile in profiles {
      var single = options
      single.urls = options.urls.isEmpty ? profile.indexURLs : options.urls
      guard !single.urls.isEmpty else {
        throw ProfileError("The profile '\(profile.name)' in \(file.path) has no index_url; add index_url: https://…/simple/ (the index it logs in to), or give the URL on the command line.")
      }
      single.profiles = []
      single.writes = []
      single.json = false
      single.showSecrets = false
      single.flags["name"] = nil
      do {
        indexes += try Planner.plan(single, environment: try overlay(profile, on: environment)).indexes
      } catch let error as ConfigError {
        throw ConfigError(
          "With the profile '\(profile.name)': \(error.message) (A profile sets a variable in lower case: azure_tenant_id for AZURE_TENANT_ID.)")
      }
    }
    let settings = Settings(flags: options.flags, environment: environment)
    if let names = try Planner.givenNames(settings, count: indexes.count) {
      for i in indexes.indices { indexes[i].target.name = names[i] }
    }
    try Planner.requireDistinctNames(indexes.map(\.target))
    let sinks = try SinkCatalog.sinks(options.writes, settings: settings)
    try Planner.checkReport(options, sinks: sinks)
    return LoginPlan(indexes: indexes, sinks: sinks, dryRun: options.dryRun)
  }

  /// The environment a profile's index is planned in: the profile's settings over the
  /// process's, an inline Google credentials document made readable by path.
  public static func overlay(_ profile: Profile, on environment: Environment) throws(ProfileError) -> Environment {
    var result = profile.overlay(on: environment)
    let google = "GOOGLE_APPLICATION_CREDENTIALS"
    if let inline = profile.variables.first(where: { $0.name == google })?.value.revealed, inline.trimmingSpaces.hasPrefix("{") {
      result.values[google] = try InlineDocument.path(for: inline, environment: environment)
    }
    return result
  }
}
