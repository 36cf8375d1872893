/// Which CI this run is in, decided once from the environment (by its marker variables)
/// and carried in ``Context``: the identity, the log masker, the default output, the
/// Azure Pipelines output and doctor's checks all read this one answer.
package struct CIEnvironment: Sendable, Equatable {
  package enum Kind: String, Sendable, CaseIterable {
    case github, gitlab, buildkite, circleci, bitbucket
    case azurePipelines = "azure-pipelines"

    /// For messages ("GitHub Actions").
    package var displayName: String {
      switch self {
      case .github: "GitHub Actions"
      case .gitlab: "GitLab CI"
      case .buildkite: "Buildkite"
      case .circleci: "CircleCI"
      case .bitbucket: "Bitbucket Pipelines"
      case .azurePipelines: "Azure Pipelines"
      }
    }

    /// Why `environment` is this CI (`GITHUB_ACTIONS=true`), or nil when it is not.
    package func evidence(_ environment: Environment) -> String? {
      switch self {
      case .github: return environment["GITHUB_ACTIONS"] == "true" ? "GITHUB_ACTIONS=true" : nil
      case .gitlab: return environment["GITLAB_CI"] == "true" ? "GITLAB_CI=true" : nil
      case .buildkite: return environment["BUILDKITE"] == "true" ? "BUILDKITE=true" : nil
      case .circleci: return environment["CIRCLECI"] == "true" ? "CIRCLECI=true" : nil
      case .bitbucket:
        return environment.has("BITBUCKET_BUILD_NUMBER")
          ? "BITBUCKET_BUILD_NUMBER is set"
          : environment.has("BITBUCKET_STEP_OIDC_TOKEN") ? "BITBUCKET_STEP_OIDC_TOKEN is set" : nil
      case .azurePipelines:
        return environment["TF_BUILD"]?.lowercased() == "true"
          ? "TF_BUILD=\(environment["TF_BUILD"] ?? "")"
          : environment.has("SYSTEM_OIDCREQUESTURI") ? "SYSTEM_OIDCREQUESTURI is set" : nil
      }
    }
  }

  /// nil outside any CI indexkey knows.
  package var kind: Kind?
  /// Why ("GITHUB_ACTIONS=true").
  package var evidence: String?

  package init(kind: Kind?, evidence: String?) {
    self.kind = kind
    self.evidence = evidence
  }

  /// No CI.
  package static let none = CIEnvironment(kind: nil, evidence: nil)

  /// The first CI whose markers are set, in this order: GitHub Actions, GitLab CI,
  /// Buildkite, CircleCI, Bitbucket Pipelines, Azure Pipelines.
  package static func detect(_ environment: Environment) -> CIEnvironment {
    for kind in Kind.allCases {
      if let evidence = kind.evidence(environment) { return CIEnvironment(kind: kind, evidence: evidence) }
    }
    return .none
  }

  package var isGitHubActions: Bool { kind == .github }
  package var isGitLab: Bool { kind == .gitlab }
  package var isAzurePipelines: Bool { kind == .azurePipelines }
}
