/// Which CI issued a token, and which of its claims trust rules are written against.
package enum TrustClaims {
  package enum Family: String, Sendable, Equatable {
    case github, gitlab, buildkite, circleci, bitbucket
    case azurePipelines = "azure-pipelines"
    case kubernetes, google, other

    /// For messages ("GitHub Actions").
    package var displayName: String {
      switch self {
      case .github: "GitHub Actions"
      case .gitlab: "GitLab CI"
      case .buildkite: "Buildkite"
      case .circleci: "CircleCI"
      case .bitbucket: "Bitbucket Pipelines"
      case .azurePipelines: "Azure Pipelines"
      case .kubernetes: "Kubernetes"
      case .google: "Google Cloud"
      case .other: "an unrecognised issuer"
      }
    }
  }

  /// The family, from the issuer and the shape of the claims.
  package static func family(of claims: JWTClaims) -> Family {
    let iss = claims.issuer ?? ""
    let sub = claims.subject ?? ""
    if iss.hasPrefix("https://token.actions.githubusercontent.com") || iss.hasSuffix("/_services/token")
      || claims.claims["job_workflow_ref"] != nil
    {
      return .github
    }
    if sub.hasPrefix("project_path:") || claims.claims["project_path"] != nil { return .gitlab }
    if iss == "https://agent.buildkite.com" || claims.claims["pipeline_slug"] != nil { return .buildkite }
    if iss.hasPrefix("https://oidc.circleci.com/") { return .circleci }
    if iss.contains("bitbucket.org/") && iss.contains("/pipelines-config/identity/oidc") { return .bitbucket }
    if iss.hasPrefix("https://vstoken.dev.azure.com/") || sub.hasPrefix("sc://") || sub.hasPrefix("p://") {
      return .azurePipelines
    }
    if sub.hasPrefix("system:serviceaccount:") { return .kubernetes }
    if iss == "https://accounts.google.com" || iss == "accounts.google.com" { return .google }
    return .other
  }

  /// The claims trust rules use, per family, in the order they are shown.
  package static func names(for family: Family) -> [String] {
    switch family {
    case .github:
      [
        "repository", "repository_id", "repository_owner", "repository_owner_id", "repository_visibility", "ref",
        "ref_type",
        "environment", "event_name", "workflow_ref", "job_workflow_ref", "base_ref", "head_ref", "actor",
        "runner_environment",
        "enterprise",
      ]
    case .gitlab:
      [
        "project_path", "project_id", "namespace_path", "namespace_id", "ref", "ref_type", "ref_protected",
        "environment",
        "environment_protected", "deployment_tier", "pipeline_source", "ci_config_ref_uri", "user_login",
        "runner_environment",
      ]
    case .buildkite:
      [
        "organization_slug", "organization_id", "pipeline_slug", "build_branch", "build_tag", "build_number",
        "step_key", "build_source",
      ]
    case .circleci:
      [
        "oidc.circleci.com/project-id", "oidc.circleci.com/vcs-origin", "oidc.circleci.com/vcs-ref",
        "oidc.circleci.com/context-ids", "oidc.circleci.com/ssh-rerun",
      ]
    case .bitbucket:
      ["workspaceUuid", "repositoryUuid", "branchName", "deploymentEnvironmentUuid", "pipelineUuid", "stepUuid"]
    case .azurePipelines:
      ["org_id", "prj_id", "def_id", "rpo_id", "rpo_uri", "rpo_ref", "run_id"]
    case .kubernetes:
      ["kubernetes.io"]
    case .google:
      ["email", "email_verified", "azp", "google"]
    case .other:
      []
    }
  }

  /// The registered claims every token has, shown first.
  static let standard = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"]
}
