/// `indexkey login --profile NAME…`: each profile's settings laid over the environment, each
/// profile planned like its own `login`, and the indexes of all of them run as one login
/// (in parallel, one report, the same outputs).
package enum ProfileLogin {
  /// The profile `token` and the keyring helper use when no `--profile` is given.
  package static let variable = "INDEXKEY_PROFILE"

  /// The environment the keyring helper runs in under `INDEXKEY_PROFILE`: the profile's
  /// settings laid over `environment`, its secrets masked first.
  package static func environment(profile name: String, environment: Environment, console: Console) throws(ProfileError)
    -> Environment
  {
    let file = try ProfileFile.fromEnvironment(environment, home: environment["HOME"], purpose: variable)
    guard let profile = try file.profiles([name]).first else { return environment }
    CIMasker.detect(environment).mask(profile.secrets, console: console)
    var result = try overlay(profile, on: environment)
    // The keyring helper takes no flags: a profile's `registry` names the registry of its
    // index hosts (INDEXKEY_REGISTRY=HOST=REGISTRY) and its `identity` is INDEXKEY_IDENTITY.
    func setting(_ name: String) -> String? { profile.variables.first { $0.name == name }?.value.revealed }
    if let registry = setting("REGISTRY") {
      let hosts = profile.indexURLs.compactMap { try? WebURL($0, what: "index_url").authority }.map {
        "\($0)=\(registry)"
      }
      result.values[KeyringServices.registryVariable] =
        (hosts + [environment[KeyringServices.registryVariable]].compactMap { $0 }).joined(separator: " ")
    }
    if let identity = setting("IDENTITY"), environment[KeyringHelper.identityVariable] == nil {
      result.values[KeyringHelper.identityVariable] = identity
    }
    return result
  }

  /// The plan for `options`; without profiles, exactly ``Planner/plan(_:environment:)``.
  ///
  /// The profiles' secrets are registered with the CI's masker before anything else is printed.
  package static func plan(_ options: LoginOptions, environment: Environment, console: Console) throws -> LoginPlan {
    guard !options.profiles.isEmpty else { return try Planner.plan(options, environment: environment) }
    let file = try ProfileFile.fromEnvironment(environment, home: environment["HOME"], purpose: "--profile")
    let profiles = try file.profiles(options.profiles)
    CIMasker.detect(environment).mask(profiles.flatMap(\.secrets), console: console)
    if profiles.count > 1 && !options.urls.isEmpty {
      throw ConfigError(
        "With several profiles, each names its own index (index_url); give no index URL on the command line.")
    }
    var indexes: [PlannedIndex] = []
    for profile in profiles {
      let single = try Self.options(for: profile, from: options, file: file.path)
      do {
        indexes += try Planner.plan(single, environment: try overlay(profile, on: environment)).indexes
      } catch let error as ConfigError {
        throw ConfigError("With the profile '\(profile.name)': \(error.message)\(settingHint(error.message))")
      }
    }
    if let names = try Planner.givenNames(options.names, count: indexes.count) {
      for i in indexes.indices { indexes[i].target.name = names[i] }
    }
    try Planner.requireDistinctNames(indexes.map(\.target))
    let sinks = try SinkCatalog.sinks(options, environment: environment, ci: CIEnvironment.detect(environment))
    try Planner.checkReport(options, sinks: sinks)
    return LoginPlan(indexes: indexes, sinks: sinks, dryRun: options.dryRun)
  }

  /// `doctor --profile NAME`: the options and environment of that one profile's login
  /// (unchanged without `--profile`).
  package static func examined(_ options: LoginOptions, environment: Environment, console: Console) throws -> (
    LoginOptions, Environment
  ) {
    guard !options.profiles.isEmpty else { return (options, environment) }
    guard options.profiles.count == 1 else {
      throw ConfigError("indexkey doctor examines one profile at a time; give --profile once.")
    }
    let file = try ProfileFile.fromEnvironment(environment, home: environment["HOME"], purpose: "--profile")
    let profile = try file.book.named(options.profiles[0], file: file.path)
    CIMasker.detect(environment).mask(profile.secrets, console: console)
    return (try Self.options(for: profile, from: options, file: file.path), try overlay(profile, on: environment))
  }

  /// One profile's login: its URLs, and its non-secret settings as the flags of the same
  /// name (`registry: azure-artifacts`, `aws_region: …`) where the command line gave none.
  static func options(for profile: Profile, from options: LoginOptions, file: String) throws(ProfileError)
    -> LoginOptions
  {
    var single = options
    single.urls = options.urls.isEmpty ? profile.indexURLs : options.urls
    guard !single.urls.isEmpty else {
      throw ProfileError(
        "The profile '\(profile.name)' in \(file) has no index_url; add index_url: https://…/simple/ (the index it logs in to), or give the URL on the command line."
      )
    }
    single.profiles = []
    single.writes = []
    single.json = false
    single.showSecrets = false
    single.names = []
    for variable in profile.variables where !variable.isSecret {
      let value = variable.value.revealed
      switch variable.name {
      case "REGISTRY": single.registry = options.registry ?? value
      case "IDENTITY": single.identity = options.identity ?? value
      default:
        let flag = variable.name.lowercased().replacingUnderscores
        guard let setting = SettingsCatalog.setting(flag: flag), options.settings[flag] == nil else { continue }
        if setting.kind != .toggle {
          single.settings[flag] = .value(value)
        } else if Environment(["v": value]).flag("v") {
          single.settings[flag] = .on
        }
      }
    }
    return single
  }

  /// " In the profile, set azure_tenant_id." for the variables a message names.
  static func settingHint(_ message: String) -> String {
    var names: [String] = []
    for word in message.split(whereSeparator: { !($0.isUppercase || $0.isNumber || $0 == "_") }) {
      let name = String(word)
      guard name.contains("_"), name.count > 3, name.first?.isLetter == true, !names.contains(name.lowercased()) else {
        continue
      }
      names.append(name.lowercased())
    }
    return names.isEmpty ? "" : " In the profile, set \(names.joined(separator: " or "))."
  }

  /// The environment a profile's index is planned in: the profile's settings over the
  /// process's, an inline Google credentials document made readable by path.
  package static func overlay(_ profile: Profile, on environment: Environment) throws(ProfileError) -> Environment {
    var result = profile.overlay(on: environment)
    let google = "GOOGLE_APPLICATION_CREDENTIALS"
    if let inline = profile.variables.first(where: { $0.name == google })?.value.revealed,
      inline.trimmingSpaces.hasPrefix("{")
    {
      result.values[google] = try InlineDocument.path(for: inline, environment: environment)
    }
    return result
  }
}

extension String {
  fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
