/// One place a cloud credential can come from.
///
/// A client secret, a CI token, a metadata server, a CLI's sign-in: a chain
/// (``CredentialChain``) holds links in its cloud's order.
///
/// A link answers two questions. ``probe(_:)`` asks, cheaply, whether it is configured
/// here — flags, environment, files and `PATH` only, never the network. ``init(_:)``
/// builds the configured link (throwing ``ConfigError`` when its settings are wrong), and
/// ``fetch(_:in:)`` gets the credential. `Request` is what the registry asks of its
/// cloud (a scope, a region); `Output` is what the cloud answers (a token with its expiry,
/// AWS keys).
///
/// ```swift
/// struct ClientSecretLink: CredentialLink {
///   static let name = "client-secret"
///   static let settings = AzureSettings.application + [AzureSettings.clientSecret]
///   static func probe(_ input: LinkInput) -> LinkProbe {
///     input.settings.isSet(AzureSettings.clientSecret) ? .configured("AZURE_CLIENT_SECRET is set") : .skipped("AZURE_CLIENT_SECRET is not set")
///   }
///   init(_ input: LinkInput) throws { … }
///   func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential { … }
///   func preview(_ request: AzureTokenRequest) -> LinkPreview { … }
/// }
/// ```
package protocol CredentialLink<Request, Output>: Sendable {
  associatedtype Request: Sendable
  associatedtype Output: Sendable
  /// The value of the chain's forcing setting (`--azure-credential client-secret`), doctor's
  /// label, and part of the keyring cache key.
  static var name: String { get }
  /// Everything the link reads: its flags, variables and secrets.
  static var settings: [Setting] { get }
  /// Whether this link is configured here; no network, no child processes.
  static func probe(_ input: LinkInput) -> LinkProbe
  /// The configured link; throws when its settings are present but wrong.
  init(_ input: LinkInput) throws
  /// The credential, fetched now (a fresh CI token every time).
  func fetch(_ request: Request, in context: Context) throws -> Output
  /// What ``fetch(_:in:)`` will do, in words, for `indexkey doctor`; sends nothing.
  func preview(_ request: Request) -> LinkPreview
}

/// A link's answer to "are you configured here?", with the reason in words.
package enum LinkProbe: Sendable, Equatable {
  /// The link will answer ("AZURE_CLIENT_SECRET is set").
  case configured(String)
  /// The link does not apply here ("AZURE_CLIENT_SECRET is not set").
  case skipped(String)
  /// Only a request can tell (a metadata server): tried in order, and when it throws
  /// ``LinkUnavailable`` the walk goes on to the next link.
  case onlyByTrying(String)
}

/// Thrown by a link that was ``LinkProbe/onlyByTrying(_:)`` and is not there after all
/// (no metadata server answered): the chain goes on to its next candidate.
package struct LinkUnavailable: UserFacingError, Equatable {
  package var message: String
  package init(_ message: String) { self.message = message }
  package var description: String { message }
  package var exitStatus: ExitStatus { .noIdentity }
}

/// What a link reads: the settings (flags, then environment) and the `--identity` choice.
package struct LinkInput: Sendable {
  package var settings: Settings
  package var identity: IdentitySpec

  package init(settings: Settings, identity: IdentitySpec) {
    self.settings = settings
    self.identity = identity
  }

  package var environment: Environment { settings.environment }

  /// Why a CI token is available here — `--identity` named a source, or a CI (or token
  /// file) was recognised from its variables — or nil when nothing offers one.
  package var ciIdentity: String? {
    if identity != .auto { return "--identity \(identity.argument.map { "\(identity.kind):\($0)" } ?? identity.kind)" }
    return AmbientIdentity.recognise(environment).map { "\($0.detector.displayName) (\($0.evidence))" }
  }

  /// The CI identity source `--identity` names (detected lazily for `auto`).
  package func identitySource() throws(ConfigError) -> any IdentitySource {
    try identity.source(environment: environment)
  }
}

/// A link's exchange in words, for `indexkey doctor`.
package struct LinkPreview: Sendable {
  /// The requests, in order: "POST https://…/token (…)".
  package var steps: [String]
  /// The audience of the CI token the link presents; nil when it uses none.
  package var audience: String?
  /// Where that CI token comes from; nil when the link uses none.
  package var identity: (any IdentitySource)?
  /// The Basic-auth username, when the link decides it.
  package var username: String?
  /// What doctor should warn about this link's configuration.
  package var findings: [DoctorFinding]

  package init(
    steps: [String], audience: String? = nil, identity: (any IdentitySource)? = nil, username: String? = nil,
    findings: [DoctorFinding] = []
  ) {
    self.steps = steps
    self.audience = audience
    self.identity = identity
    self.username = username
    self.findings = findings
  }
}
