/// Which cache entry a lookup uses: one per index and identity.
///
/// The entry's name is the SHA-256 of everything that decides which credential the
/// registry would mint — the registry, the index, the credential link that answers, the registry's configuration as built
/// from the environment (tenant, client, authority, identity source; every secret by its
/// digest, never in clear), and the variables that tie a run to one CI
/// job — so a persistent runner never hands one job what another job minted, and a
/// changed identity never reuses an old token. Only the digest is stored.
public struct CacheKey: Sendable, Equatable {
  /// 64 lower-case hex characters: the entry's file name and its stored `key`.
  public var id: String
  public var registry: String
  public var index: String

  public init(id: String, registry: String, index: String) {
    self.id = id
    self.registry = registry
    self.index = index
  }

  /// Variables naming the CI job (and so the identity) a run belongs to: these, and every
  /// variable an identity source in ``AmbientIdentity/detectors`` reads (secrets among them
  /// only enter the digest).
  public static var jobVariables: [String] {
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

  /// The key of `index` when minted by `registry` in `environment`.
  public static func make(index: IndexTarget, registry: any Registry, environment: Environment) -> CacheKey {
    let name = type(of: registry).name
    var text = "indexkey keyring cache 1\n\(name)\n\(index.simpleURL)\n\(String(reflecting: registry))\n"
    text += "link \(registry.chain?.answer ?? "")\n"
    text += "secrets \(secretDigest(registry))\n"
    if let variant = registry.cacheVariant(for: index) { text += "variant \(variant)\n" }
    for variable in jobVariables + LocalSignIn.variables {
      text += "\(variable)=\(environment[variable] ?? "")\n"
    }
    text += LocalSignIn.fingerprint(registry: name, environment: environment)
    return CacheKey(id: Hex.lower(Digest.sha256(text.utf8)), registry: name, index: index.simpleURL.description)
  }

  /// A SHA-256 over every ``Secret`` the registry holds (a JFrog access token, a client
  /// secret, a static password): which token or key it is decides the identity, yet
  /// `String(reflecting:)` shows each as `***`. Only this digest enters the key's text,
  /// whose own digest is all that is stored.
  static func secretDigest(_ registry: any Registry) -> String {
    var secrets: [String] = []
    collectSecrets(registry, into: &secrets, depth: 0)
    let text = secrets.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
    return Hex.lower(Digest.sha256(text.utf8))
  }

  private static func collectSecrets(_ value: Any, into secrets: inout [String], depth: Int) {
    if let secret = value as? Secret {
      secrets.append(secret.revealed)  // hashed, never kept
      return
    }
    guard depth < 16 else { return }
    for child in Mirror(reflecting: value).children {
      collectSecrets(child.value, into: &secrets, depth: depth + 1)
    }
  }
}
