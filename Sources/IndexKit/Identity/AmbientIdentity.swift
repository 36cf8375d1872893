/// The identity the environment offers, detected when a token is first needed.
///
/// Detection is lazy so that a run that needs no OIDC token (a client secret was given)
/// never fails for lack of one. Detectors are tried in order; the first that recognises
/// its CI (even if that CI then lacks a token) decides.
package struct AmbientIdentity: IdentitySource {
  /// Restricts detection to one detector by name ("github"); nil tries them all.
  ///
  /// With a name, that detector's source is used even when its marker variable is
  /// absent.
  package var only: String?
  /// The Azure Pipelines service connection (`--identity azure-pipelines:ID`).
  package var serviceConnectionID: String?

  package init(only: String? = nil, serviceConnectionID: String? = nil) {
    self.only = only
    self.serviceConnectionID = serviceConnectionID
  }

  package var name: String {
    if let only, let detector = Self.detector(only) { return detector.displayName }
    return "the CI environment"
  }

  /// A way to recognise one CI or runtime from its variables.
  package struct Detector: Sendable {
    /// The `--identity` kind ("github").
    package var name: String
    /// For messages ("GitHub Actions").
    package var displayName: String
    /// Why this environment is this CI (`GITHUB_ACTIONS=true`), or nil when it is not.
    package var evidence: @Sendable (Environment) -> String?
    /// Builds the source; throws when the CI is recognised but offers no token.
    package var make: @Sendable (Environment) throws -> any IdentitySource
    /// The variables the source reads (names only; `indexkey doctor` says which are set).
    package var variables: [String]

    package init(
      name: String, displayName: String, variables: [String] = [],
      evidence: @escaping @Sendable (Environment) -> String?,
      make: @escaping @Sendable (Environment) throws -> any IdentitySource
    ) {
      self.name = name
      self.displayName = displayName
      self.variables = variables
      self.evidence = evidence
      self.make = make
    }

    /// A detector that recognises and builds in one closure (nil when not this CI).
    package init(name: String, detect: @escaping @Sendable (Environment) throws -> (any IdentitySource)?) {
      self.init(
        name: name, displayName: name,
        evidence: { env in (try? detect(env)).flatMap { $0 }.map { _ in "its variables" } },
        make: { env in
          guard let source = try detect(env) else { throw IdentityError("\(name) is not available here.") }
          return source
        })
    }

    /// The source for this environment when it is this CI; nil otherwise.
    package func detect(_ environment: Environment) throws -> (any IdentitySource)? {
      guard evidence(environment) != nil else { return nil }
      return try make(environment)
    }
  }

  package static let detectors: [Detector] = [
    ci(.github, variables: GitHubActionsIdentity.variables) { try GitHubActionsIdentity(environment: $0) },
    ci(.gitlab, variables: GitLabIdentity.variables) { _ in GitLabIdentity() },
    ci(.buildkite, variables: BuildkiteIdentity.variables) { _ in BuildkiteIdentity() },
    ci(.circleci, variables: CircleCIIdentity.variables) { _ in CircleCIIdentity() },
    ci(.bitbucket, variables: BitbucketIdentity.variables) { _ in BitbucketIdentity() },
    ci(.azurePipelines, variables: AzurePipelinesIdentity.variables) {
      try AzurePipelinesIdentity(environment: $0, serviceConnectionID: nil)
    },
    Detector(
      name: "azure-token-file", displayName: "a Kubernetes/AKS workload identity token file",
      variables: ["AZURE_FEDERATED_TOKEN_FILE"],
      evidence: { $0.has("AZURE_FEDERATED_TOKEN_FILE") ? "AZURE_FEDERATED_TOKEN_FILE is set" : nil },
      make: { try FileIdentity.fromVariable("AZURE_FEDERATED_TOKEN_FILE", in: $0, hint: FileIdentity.azureHint) }),
    Detector(
      name: "aws-token-file", displayName: "an AWS web identity token file",
      variables: ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"],
      evidence: { $0.has("AWS_WEB_IDENTITY_TOKEN_FILE") ? "AWS_WEB_IDENTITY_TOKEN_FILE is set" : nil },
      make: { try FileIdentity.fromVariable("AWS_WEB_IDENTITY_TOKEN_FILE", in: $0, hint: FileIdentity.awsHint) }),
    Detector(
      name: "gcp-metadata", displayName: "the Google Cloud metadata server",
      variables: GoogleMetadataIdentity.variables,
      evidence: { GoogleMetadataIdentity.evidence($0) },
      make: { GoogleMetadataIdentity(environment: $0) }),
  ]

  /// A CI's detector: recognised by ``CIEnvironment``.
  static func ci(
    _ kind: CIEnvironment.Kind, variables: [String],
    make: @escaping @Sendable (Environment) throws -> any IdentitySource
  ) -> Detector {
    Detector(
      name: kind.rawValue, displayName: kind.displayName, variables: variables, evidence: { kind.evidence($0) },
      make: make)
  }

  /// The detector with this name.
  package static func detector(_ name: String) -> Detector? {
    detectors.first { $0.name == name }
  }

  /// The first detector that recognises this environment, with its evidence.
  package static func recognise(_ environment: Environment) -> (detector: Detector, evidence: String)? {
    for detector in detectors {
      if let evidence = detector.evidence(environment) { return (detector, evidence) }
    }
    return nil
  }

  /// The concrete source for this environment, or an error saying what to set.
  package func resolve(_ environment: Environment) throws -> any IdentitySource {
    if only == "azure-pipelines" {
      return try AzurePipelinesIdentity(environment: environment, serviceConnectionID: serviceConnectionID)
    }
    if let only {
      guard let detector = Self.detector(only) else {
        throw ConfigError("--identity '\(only)' is not a known CI; use one of: \(IdentitySources.usage).")
      }
      return try detector.make(environment)
    }
    for detector in Self.detectors {
      if let source = try detector.detect(environment) { return source }
    }
    throw IdentityError(Self.nothingFound)
  }

  static let nothingFound =
    "No CI identity was found: none of GitHub Actions (GITHUB_ACTIONS), GitLab CI (GITLAB_CI), Buildkite (BUILDKITE), CircleCI (CIRCLECI), Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER), Azure Pipelines (TF_BUILD), a workload identity token file (AZURE_FEDERATED_TOKEN_FILE, AWS_WEB_IDENTITY_TOKEN_FILE) or the Google Cloud metadata server (GCE_METADATA_HOST) was detected. Outside CI, give a token with --identity file:PATH, env:NAME or command:CMD, or set a client secret (e.g. AZURE_CLIENT_SECRET)."

  package func idToken(audience: String, in context: Context) throws -> Secret {
    try resolve(context.environment).idToken(audience: audience, in: context)
  }

  package func prepare(in context: Context) {
    (try? resolve(context.environment))?.prepare(in: context)
  }
}
