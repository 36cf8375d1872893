/// Which cache entry a lookup uses: one per index and identity.
///
/// The entry's name is the SHA-256 of everything that decides which credential the
/// registry would mint — the registry, the index, the credential link that answers, every
/// setting the registry declares (``Registry/settings``: secrets and the files that hold
/// keys or certificates by their digest, never in clear), and the variables that tie a run
/// to one CI job — so a persistent runner never hands one job what another job minted, and
/// a changed identity never reuses an old token. Only the digest is stored.
package struct CacheKey: Sendable, Equatable {
  /// 64 lower-case hex characters: the entry's file name and its stored `key`.
  package var id: String
  package var registry: String
  package var index: String

  package init(id: String, registry: String, index: String) {
    self.id = id
    self.registry = registry
    self.index = index
  }

  /// Variables naming the CI job (and so the identity) a run belongs to: these, and every
  /// variable an identity source in ``AmbientIdentity/detectors`` reads (secrets among them
  /// only enter the digest).
  package static var jobVariables: [String] {
    var seen: Set<String> = []
    return (ciJobVariables + AmbientIdentity.detectors.flatMap(\.variables)).filter { seen.insert($0).inserted }
  }

  static let ciJobVariables = [
    "ACTIONS_ID_TOKEN_REQUEST_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB",
    "CI_SERVER_URL", "CI_PROJECT_ID", "CI_JOB_ID",
    "BUILDKITE_JOB_ID", "CIRCLE_WORKFLOW_JOB_ID", "BITBUCKET_STEP_UUID", "SYSTEM_COLLECTIONURI", "SYSTEM_JOBID",
    "AZURE_FEDERATED_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "GOOGLE_APPLICATION_CREDENTIALS",
    "INDEXKEY_IDENTITY",
  ]

  /// The key of `index` when minted by `registry` in `environment` (a keyring lookup:
  /// no flags).
  package static func make(index: IndexTarget, registry: any Registry, environment: Environment) -> CacheKey {
    make(index: index, registry: registry, settings: Settings(environment: environment))
  }

  /// The key of `index` when minted by `registry` with these settings.
  package static func make(index: IndexTarget, registry: any Registry, settings: Settings) -> CacheKey {
    let name = type(of: registry).name
    var text = "indexkey keyring cache 2\n\(name)\n\(index.simpleURL)\nlink \(registry.chain?.answer ?? "")\n"
    if let variant = registry.cacheVariant(for: index) { text += "variant \(variant)\n" }
    for setting in type(of: registry).settings {
      text += scope(setting, settings)
    }
    for variable in jobVariables {
      text += "\(variable)=\(settings.environment[variable] ?? "")\n"
    }
    text += LocalSignIn.fingerprint(registry: name, environment: settings.environment)
    return CacheKey(id: Hex.lower(Digest.sha256(text.utf8)), registry: name, index: index.simpleURL.description)
  }

  /// What one setting adds to the key's text: its flag and variables as given, a secret
  /// (or an identity file's contents) only as a SHA-256, which the key's own digest hides again.
  static func scope(_ setting: Setting, _ settings: Settings) -> String {
    var text = ""
    if let flag = setting.flag, let given = settings.given[flag] {
      if case .value(let value) = given { text += "--\(flag)=\(value)\n" } else { text += "--\(flag)\n" }
    }
    if setting.isSecret {
      let secret = (try? settings.secret(setting))?.revealed  // hashed, never kept
      text += "\(setting.label) \(secret.map { digest(Array($0.utf8)) } ?? "-")\n"
      return text
    }
    for name in setting.variables {
      text += "\(name)=\(settings.environment[name] ?? "")\n"
    }
    if setting.namesIdentityFile, let path = settings[setting] {
      text += "file \((try? FileIO.read(path, limit: 1 << 20)).map(digest) ?? "-")\n"
    }
    return text
  }

  static func digest(_ bytes: [UInt8]) -> String { Hex.lower(Digest.sha256(bytes)) }
}
