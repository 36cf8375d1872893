/// Which index asked for, as the registry understands it.
public struct IndexTarget: Sendable, Equatable {
  /// The URL the user gave.
  public var given: WebURL
  /// Where pip and uv install from (with a trailing slash).
  public var simpleURL: WebURL
  /// Where twine and `uv publish` upload to, when the registry has one.
  public var uploadURL: WebURL?
  /// A short name: the `.pypirc` section, the uv/Poetry index name (feed or repository).
  public var name: String

  public init(given: WebURL, simpleURL: WebURL, uploadURL: WebURL?, name: String) {
    self.given = given
    self.simpleURL = simpleURL
    self.uploadURL = uploadURL
    self.name = name
  }
}

/// A short-lived credential for one index, ready for the sinks.
public struct Credential: Sendable {
  public var index: IndexTarget
  public var registry: RegistryKind
  public var username: String
  public var password: Secret
  public var expiresAt: UnixTime?

  public init(index: IndexTarget, registry: RegistryKind, username: String, password: Secret, expiresAt: UnixTime?) {
    self.index = index
    self.registry = registry
    self.username = username
    self.password = password
    self.expiresAt = expiresAt
  }
}

/// Turns an identity into a credential for one index: the registry's HTTP exchange.
///
/// A registry never writes files and never reads the process environment: its
/// configuration (including overridable endpoints) is resolved when the plan is built.
public protocol Registry: Sendable {
  var kind: RegistryKind { get }
  func credential(for index: IndexTarget, in context: Context) throws -> Credential
}

/// The registries indexkey knows, recognised from the index URL's host.
public enum RegistryKind: String, Sendable, CaseIterable, Equatable {
  case azureArtifacts = "azure-artifacts"

  /// The human name used in messages.
  public var displayName: String {
    switch self {
    case .azureArtifacts: "Azure Artifacts"
    }
  }

  /// The registry whose hosts this URL is on, if any.
  public static func recognise(_ url: WebURL) -> RegistryKind? {
    allCases.first { $0.matchesHost(url) }
  }

  public init(flag: String) throws(ConfigError) {
    let aliases: [String: RegistryKind] = ["azure": .azureArtifacts, "azure-devops": .azureArtifacts]
    guard let kind = RegistryKind(rawValue: flag) ?? aliases[flag] else {
      let known = RegistryKind.allCases.map(\.rawValue).joined(separator: ", ")
      throw ConfigError("--registry '\(flag)' is not a known registry; use one of: \(known).")
    }
    self = kind
  }

  func matchesHost(_ url: WebURL) -> Bool {
    switch self {
    case .azureArtifacts: AzureArtifacts.matchesHost(url)
    }
  }

  /// Splits an index URL into the registry's install and upload URLs.
  public func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    switch self {
    case .azureArtifacts: try AzureArtifacts.target(for: url)
    }
  }
}

/// The registry or its token service refused, or answered something unusable.
public struct ExchangeError: UserFacingError, Equatable {
  public var message: String
  public var exitStatus: ExitStatus

  /// A refusal (bad trust, bad secret, missing permission): exit 4.
  public static func refused(_ message: String) -> ExchangeError {
    ExchangeError(message: message, exitStatus: .refused)
  }

  /// The service failed or answered garbage: exit 5.
  public static func unavailable(_ message: String) -> ExchangeError {
    ExchangeError(message: message, exitStatus: .network)
  }

  public var description: String { message }
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
