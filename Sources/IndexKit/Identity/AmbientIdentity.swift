/// The identity the environment offers, detected when a token is first needed.
///
/// Detection is lazy so that a run that needs no OIDC token (a client secret was given)
/// never fails for lack of one. Detectors are tried in order; the first that recognises
/// its CI (even if that CI then lacks a token) decides.
public struct AmbientIdentity: IdentitySource {
  /// Restricts detection to one detector by name ("github"); nil tries them all.
  public var only: String?

  public init(only: String? = nil) { self.only = only }

  public var name: String { "the CI environment" }

  /// A way to recognise one CI or runtime from its variables.
  public struct Detector: Sendable {
    public var name: String
    /// nil when this CI is not the one running; throws when it is but lacks a token.
    public var detect: @Sendable (Environment) throws -> (any IdentitySource)?
  }

  public static let detectors: [Detector] = [
    Detector(name: "github") { env in
      env["GITHUB_ACTIONS"] == "true" ? try GitHubActionsIdentity(environment: env) : nil
    },
    Detector(name: "azure-federated-token-file") { env in
      env["AZURE_FEDERATED_TOKEN_FILE"].map { FileIdentity(path: $0, origin: "AZURE_FEDERATED_TOKEN_FILE") }
    },
  ]

  /// The concrete source for this environment, or an error saying what to set.
  public func resolve(_ environment: Environment) throws -> any IdentitySource {
    if only == "github" {
      return try GitHubActionsIdentity(environment: environment)
    }
    for detector in Self.detectors where only == nil || detector.name == only {
      if let source = try detector.detect(environment) { return source }
    }
    throw IdentityError(
      "No CI identity was found: not running in GitHub Actions (GITHUB_ACTIONS is not true) and AZURE_FEDERATED_TOKEN_FILE is not set. Outside CI, give a token with --identity file:PATH or --identity env:NAME, or set a client secret (e.g. AZURE_CLIENT_SECRET).")
  }

  public func idToken(audience: String, in context: Context) throws -> Secret {
    try resolve(context.environment).idToken(audience: audience, in: context)
  }
}
