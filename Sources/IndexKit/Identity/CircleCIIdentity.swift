/// CircleCI (PROTOCOLS.md §3): `CIRCLE_OIDC_TOKEN_V2` carries the organization id as its
/// audience; any other audience is asked of `circleci run oidc get --claims '{"aud":"A"}'`,
/// which mints a fresh token.
package struct CircleCIIdentity: IdentitySource {
  package var timeout: Double

  package init(timeout: Double = 60) { self.timeout = timeout }

  package var name: String { "CircleCI OIDC" }

  static let variables = [
    "CIRCLECI", "CIRCLE_OIDC_TOKEN_V2", "CIRCLE_OIDC_TOKEN", "CIRCLE_PROJECT_REPONAME", "CIRCLE_BRANCH",
  ]

  package func idToken(audience: String, in context: Context) throws -> Secret {
    let preset = context.environment["CIRCLE_OIDC_TOKEN_V2"].map(Secret.init)
    if let preset, audience.isEmpty || JWTClaims(token: preset)?.audiences.contains(audience) == true {
      return try preset.requireJWT(from: "CIRCLE_OIDC_TOKEN_V2")
    }
    if audience.isEmpty {
      throw IdentityError(
        "CircleCI did not set CIRCLE_OIDC_TOKEN_V2: OIDC tokens are issued to jobs on CircleCI cloud (for builds of forked pull requests only when passing secrets to forks is enabled)."
      )
    }
    let claims = JSON.object([("aud", .string(audience))]).serialized()
    return try ProcessToken.read(
      ["circleci", "run", "oidc", "get", "--claims", claims], display: "circleci run oidc get",
      environment: context.environment, timeout: timeout,
      notFound:
        "A custom audience needs the CircleCI CLI inside the job (it is present on CircleCI's images and machine executors); otherwise trust the organization id audience of CIRCLE_OIDC_TOKEN_V2.",
      in: context)
  }
}
