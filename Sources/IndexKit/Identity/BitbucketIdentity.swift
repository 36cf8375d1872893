/// Bitbucket Pipelines: `BITBUCKET_STEP_OIDC_TOKEN`, set in steps with `oidc: true`.
///
/// The audience is fixed by the step (the workspace's, or the list in
/// `oidc: { audiences: [...] }`), so the requested one cannot be chosen here; `indexkey
/// doctor` warns when the step's token lacks the audience an exchange asks for.
package struct BitbucketIdentity: IdentitySource {
  package init() {}

  package var name: String { "Bitbucket Pipelines OIDC" }

  static let variables = [
    "BITBUCKET_BUILD_NUMBER", "BITBUCKET_STEP_OIDC_TOKEN", "BITBUCKET_WORKSPACE", "BITBUCKET_REPO_SLUG",
    "BITBUCKET_BRANCH",
  ]

  package func idToken(audience: String, in context: Context) throws -> Secret {
    guard let token = context.environment["BITBUCKET_STEP_OIDC_TOKEN"] else {
      let audiences =
        audience.isEmpty
        ? ""
        : ", or `oidc: { audiences: [\(JSON.string(audience).serialized())] }` for a token with the audience '\(audience)'"
      throw IdentityError(
        "Bitbucket Pipelines did not give this step an OIDC token: BITBUCKET_STEP_OIDC_TOKEN is not set. Add `oidc: true` to the step in bitbucket-pipelines.yml\(audiences)."
      )
    }
    return try Secret(token).requireJWT(from: "BITBUCKET_STEP_OIDC_TOKEN")
  }
}
