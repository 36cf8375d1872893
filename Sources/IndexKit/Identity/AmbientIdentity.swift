/// The identity the environment offers, detected when a token is first needed.
///
/// Detection is lazy so that a run that needs no OIDC token (a client secret was given)
/// never fails for lack of one.
public struct AmbientIdentity: IdentitySource {
  public enum Kind: Sendable, Equatable { case any, github }
  public var only: Kind

  public init(only: Kind = .any) { self.only = only }

  public var name: String { "the CI environment" }

  /// The concrete source for this environment, or an error saying what to set.
  public func resolve(_ environment: Environment) throws -> any IdentitySource {
    if only == .github || environment["GITHUB_ACTIONS"] == "true" {
      return try GitHubActionsIdentity(environment: environment)
    }
    if let path = environment["AZURE_FEDERATED_TOKEN_FILE"] {
      return FileIdentity(path: path, origin: "AZURE_FEDERATED_TOKEN_FILE")
    }
    throw IdentityError(
      "No CI identity was found: not running in GitHub Actions (GITHUB_ACTIONS is not true) and AZURE_FEDERATED_TOKEN_FILE is not set. Outside CI, give a token with --identity file:PATH or --identity env:NAME, or set a client secret (e.g. AZURE_CLIENT_SECRET).")
  }

  public func idToken(audience: String, in context: Context) throws -> Secret {
    try resolve(context.environment).idToken(audience: audience, in: context)
  }
}
