/// Which index asked for, as the registry understands it.
package struct IndexTarget: Sendable, Equatable {
  /// The URL the user gave.
  package var given: WebURL
  /// Where pip and uv install from (with a trailing slash).
  package var simpleURL: WebURL
  /// Where twine and `uv publish` upload to, when the registry has one.
  package var uploadURL: WebURL?
  /// A short name: the `.pypirc` section, the uv/Poetry index name (feed or repository).
  package var name: String
  /// False when the credential is for uploads only and must not be handed to installers
  /// (a PyPI trusted-publishing token would otherwise ride along to every pip install).
  package var installable: Bool

  package init(given: WebURL, simpleURL: WebURL, uploadURL: WebURL?, name: String, installable: Bool = true) {
    self.given = given
    self.simpleURL = simpleURL
    self.uploadURL = uploadURL
    self.name = name
    self.installable = installable
  }
}

/// A short-lived credential for one index, ready for the sinks.
package struct Credential: Sendable {
  package var index: IndexTarget
  /// The registry's `--registry` name ("azure-artifacts").
  package var registry: String
  package var username: String
  /// True when the username came from a secret source (a `_FILE`) and may itself be a
  /// token: it is then masked and written as a secret, and reports show `***`.
  package var usernameIsSecret: Bool
  package var password: Secret
  package var expiresAt: UnixTime?
  /// Things the user should know about this index even though the exchange worked
  /// (full sentences, shown on stderr as warnings).
  package var warnings: [String]

  package init(
    index: IndexTarget, registry: String, username: String, password: Secret, expiresAt: UnixTime?,
    warnings: [String] = [], usernameIsSecret: Bool = false
  ) {
    self.index = index
    self.registry = registry
    self.username = username
    self.usernameIsSecret = usernameIsSecret
    self.password = password
    self.expiresAt = expiresAt
    self.warnings = warnings
  }
}

/// Turns an identity into a credential for one index: the registry's HTTP exchange.
///
/// A registry never writes files and never reads the process environment: its
/// configuration (including overridable endpoints) is resolved by ``make(settings:identity:)``
/// when the plan is built.
package protocol Registry: Sendable {
  /// The `--registry` name.
  static var name: String { get }
  /// Other names `--registry` accepts.
  static var aliases: [String] { get }
  /// The name used in messages ("Azure Artifacts").
  static var displayName: String { get }
  /// Whether the URL's host belongs to this registry.
  static func matchesHost(_ url: WebURL) -> Bool
  /// Splits an index URL into install and upload URLs and a name.
  static func target(for url: WebURL) throws(ConfigError) -> IndexTarget
  /// Everything the registry and its credential chain read (flags, variables, secrets):
  /// the command line's options, doctor's variable lists and the cache key derive from it.
  static var settings: [Setting] { get }
  /// Builds the configured registry from flags and environment; fails early on missing settings.
  static func make(settings: Settings, identity: IdentitySpec) throws -> Self

  func credential(for index: IndexTarget, in context: Context) throws -> Credential

  /// What the exchange for `index` depends on, when one credential serves several indexes
  /// (every Azure DevOps feed takes the same Entra token; a CodeArtifact token covers its
  /// domain): indexes of one login with equal keys share one exchange. nil when each index
  /// needs its own, or has no exchange to share.
  func sharedExchange(for index: IndexTarget) -> String?

  /// When the credential for `index` depends on more than its install URL (an Azure DevOps PAT
  /// made for an upload URL has another scope), a word that tells the keyring cache entries
  /// apart; nil otherwise.
  func cacheVariant(for index: IndexTarget) -> String?
  /// How the registry's credential chain was walked (which link answers, and why the ones
  /// before it did not); nil for a registry without a chain.
  var chain: ChainTrace? { get }
}

extension Registry {
  package static var aliases: [String] { [] }
  package func sharedExchange(for index: IndexTarget) -> String? { nil }
  package func cacheVariant(for index: IndexTarget) -> String? { nil }
  package var chain: ChainTrace? { nil }
}

/// Every registry indexkey knows, in recognition order.
package enum Registries {
  package static let all: [any Registry.Type] = [
    AzureArtifacts.self,
    GoogleArtifactRegistry.self,
    AWSCodeArtifact.self,
    Chainguard.self,
    JFrog.self,
    PyPI.self,
    GitLab.self,
    StaticIndex.self,
  ]

  /// The registry whose hosts this URL is on, if any.
  package static func recognise(_ url: WebURL) -> (any Registry.Type)? {
    all.first { $0.matchesHost(url) }
  }

  /// The registry a `--registry` value names.
  package static func named(_ flag: String) throws(ConfigError) -> any Registry.Type {
    guard let type = all.first(where: { $0.name == flag || $0.aliases.contains(flag) }) else {
      throw ConfigError("--registry '\(flag)' is not a known registry; use one of: \(names).")
    }
    return type
  }

  package static var names: String { all.map { $0.name }.joined(separator: ", ") }
}

/// The registry or its token service refused, or answered something unusable.
package struct ExchangeError: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus

  /// A refusal (bad trust, bad secret, missing permission): exit 4.
  package static func refused(_ message: String) -> ExchangeError {
    ExchangeError(message: message, exitStatus: .refused)
  }

  /// The service failed or answered garbage: exit 5.
  package static func unavailable(_ message: String) -> ExchangeError {
    ExchangeError(message: message, exitStatus: .network)
  }

  package var description: String { message }
}

extension HTTPResponse {
  /// Parses the body as a JSON object, or throws an exit-5 error naming the document.
  func jsonObject(_ document: String, endpoint: String) throws -> JSON {
    do {
      return try JSON(parsing: body, document: document).requireObject(document)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (HTTP \(status) from \(endpoint))")
    }
  }

  /// True for answers the retries could not fix: 5xx and 429.
  var isServerFailure: Bool { status >= 500 || status == 429 }
}
