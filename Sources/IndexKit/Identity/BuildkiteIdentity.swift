/// Buildkite: `buildkite-agent oidc request-token --audience A` prints a fresh JWT (PROTOCOLS.md §3).
///
/// The agent reads its own job and access-token variables, so the child gets the whole
/// environment. Without an audience the agent's default (`https://buildkite.com/ORG`) is used.
package struct BuildkiteIdentity: IdentitySource {
  /// Seconds the agent may take (it retries server errors itself).
  package var timeout: Double

  package init(timeout: Double = 60) { self.timeout = timeout }

  package var name: String { "Buildkite OIDC (buildkite-agent)" }

  static let variables = [
    "BUILDKITE", "BUILDKITE_AGENT_ACCESS_TOKEN", "BUILDKITE_JOB_ID", "BUILDKITE_ORGANIZATION_SLUG",
    "BUILDKITE_PIPELINE_SLUG", "BUILDKITE_BRANCH",
  ]

  package func idToken(audience: String, in context: Context) throws -> Secret {
    var arguments = ["buildkite-agent", "oidc", "request-token"]
    if !audience.isEmpty { arguments += ["--audience", audience] }
    return try ProcessToken.read(
      arguments, display: "buildkite-agent oidc request-token", environment: context.environment, timeout: timeout,
      notFound:
        "Run the step on a Buildkite agent recent enough to have `buildkite-agent oidc request-token`, or give a token with --identity.",
      in: context)
  }
}
