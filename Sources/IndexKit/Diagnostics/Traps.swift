internal import Glibc

/// The known traps `indexkey doctor` checks before any call.
package enum Traps {
  /// GitHub Actions: `id-token: write` missing, and pull requests from forks.
  package static func github(_ environment: Environment, ci: CIEnvironment) -> [DoctorFinding] {
    guard ci.isGitHubActions else { return [] }
    var findings: [DoctorFinding] = []
    let fork = forkPullRequest(environment)
    if environment.has("ACTIONS_ID_TOKEN_REQUEST_URL") && environment.has("ACTIONS_ID_TOKEN_REQUEST_TOKEN") {
      findings.append(.ok("The job may request GitHub OIDC tokens (`id-token: write` is granted)."))
    } else if let fork {
      findings.append(
        .problem(
          "This run is for a pull request from the fork \(fork), and GitHub never gives such runs an OIDC token. Skip the login step for forks (if: github.event.pull_request.head.repo.full_name == github.repository).",
          .noIdentity))
    } else {
      findings.append(
        .problem(
          "The job may not request GitHub OIDC tokens (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set): add `permissions: id-token: write` to the job (with `contents: read` if the job checks out code).",
          .noIdentity))
    }
    if let server = environment["GITHUB_SERVER_URL"], server != "https://github.com" {
      let issuer = GitHubActionsIdentity.expectedIssuer(environment)
      findings.append(
        .warning(
          "GitHub server \(server): tokens are issued by \(issuer.map { "'\($0)'" } ?? "this server's own issuer (see `indexkey claims`)"), not token.actions.githubusercontent.com; every trust must name that issuer, and the cloud must be able to reach its keys."
        ))
    }
    return findings
  }

  /// The fork (`owner/repo`) a pull_request run comes from, read from `GITHUB_EVENT_PATH`.
  static func forkPullRequest(_ environment: Environment) -> String? {
    guard let event = environment["GITHUB_EVENT_NAME"], event.hasPrefix("pull_request"), event != "pull_request_target",
      let path = environment["GITHUB_EVENT_PATH"], let bytes = try? FileIO.read(path),
      let json = try? JSON(parsing: bytes, document: "GitHub event")
    else { return nil }
    let head = json["pull_request"]?["head"]?["repo"]?["full_name"]?.stringValue
    let base = json["repository"]?["full_name"]?.stringValue ?? environment["GITHUB_REPOSITORY"]
    guard let head, head != base else { return nil }
    return head
  }

  /// GitLab: an `id_tokens:` entry for every audience the exchanges need.
  package static func gitlab(_ environment: Environment, ci: CIEnvironment, audiences: [String]) -> [DoctorFinding] {
    guard ci.isGitLab else { return [] }
    if audiences.isEmpty {
      let names = GitLabIdentity.tokenVariables(environment)
      return names.isEmpty
        ? [
          .warning(
            "This GitLab job declares no `id_tokens:`; exchanges need one per audience (e.g. `\(GitLabIdentity.idTokensBlock(forAudience: "pypi"))`)."
          )
        ]
        : [.ok("This GitLab job has ID tokens in \(names.joined(separator: ", ")).")]
    }
    return audiences.map { audience in
      let variable = GitLabIdentity.variableName(forAudience: audience)
      if environment.has(variable) {
        return .ok("GitLab's ID token for the audience '\(audience)' is in \(variable).")
      }
      return .problem(
        "This GitLab job has no ID token for the audience '\(audience)': add `\(GitLabIdentity.idTokensBlock(forAudience: audience))` to the job in .gitlab-ci.yml.",
        .noIdentity)
    }
  }

  /// Azure Pipelines: `System.AccessToken` mapped into the step.
  package static func azurePipelines(_ environment: Environment, ci: CIEnvironment) -> [DoctorFinding] {
    guard ci.isAzurePipelines else { return [] }
    if !environment.has("SYSTEM_OIDCREQUESTURI") {
      return [
        .problem(
          "Azure Pipelines did not set SYSTEM_OIDCREQUESTURI; OIDC tokens need Azure DevOps Services and a current agent.",
          .noIdentity)
      ]
    }
    if !environment.has("SYSTEM_ACCESSTOKEN") {
      return [
        .problem(
          "SYSTEM_ACCESSTOKEN is not set: map it into the step with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`.",
          .noIdentity)
      ]
    }
    let connection = environment[AzurePipelinesIdentity.serviceConnectionVariable]
    return [
      .ok(
        "Azure Pipelines OIDC is available\(connection.map { " (service connection \($0) from \(AzurePipelinesIdentity.serviceConnectionVariable))" } ?? "; without a service connection the subject is the pipeline's p://…")."
      )
    ]
  }

  /// Bitbucket, CircleCI and Buildkite: the token variable or the CLI that mints tokens.
  package static func otherCIs(_ environment: Environment, ci: CIEnvironment) -> [DoctorFinding] {
    var findings: [DoctorFinding] = []
    if ci.kind == .bitbucket && !environment.has("BITBUCKET_STEP_OIDC_TOKEN") {
      findings.append(.problem("This Bitbucket step has no OIDC token: add `oidc: true` to the step.", .noIdentity))
    }
    if ci.kind == .circleci {
      if !environment.has("CIRCLE_OIDC_TOKEN_V2") {
        findings.append(.warning("CIRCLE_OIDC_TOKEN_V2 is not set in this CircleCI job."))
      }
      if !onPath("circleci", environment) {
        findings.append(
          .warning(
            "The circleci CLI is not on PATH, so only CIRCLE_OIDC_TOKEN_V2's audience (the organization id) is available."
          ))
      }
    }
    if ci.kind == .buildkite && !onPath("buildkite-agent", environment) {
      findings.append(
        .problem("buildkite-agent is not on PATH, so no Buildkite OIDC token can be requested.", .noIdentity))
    }
    return findings
  }

  /// AWS: the role to assume, checked as login checks it, even when no index is given.
  package static func aws(_ settings: Settings) -> [DoctorFinding] {
    guard let role = settings[AWSSettings.roleARN] else { return [] }
    do {
      try AWSWebIdentityLink.checkRole(role)
      return []
    } catch {
      return [.problem(error.message, .usage)]
    }
  }

  /// Google: every workload identity provider name given in a flag, a variable, or the
  /// `external_account` file of `GOOGLE_APPLICATION_CREDENTIALS`.
  package static func google(_ environment: Environment, settings: Settings) -> [DoctorFinding] {
    var candidates: [(what: String, value: String)] = []
    if let value = settings[GoogleSettings.workloadIdentityProvider] {
      candidates.append(("--gcp-workload-identity-provider", value))
    }
    for (name, value) in environment.values.sorted(by: { $0.key < $1.key })
    where value.contains("workloadIdentityPools/") && !value.contains("{") {
      candidates.append((name, value))
    }
    if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], let bytes = try? FileIO.read(path, limit: 1 << 16),
      let json = try? JSON(parsing: bytes, document: "credential configuration"),
      json["type"]?.stringValue == "external_account", let audience = json["audience"]?.stringValue
    {
      candidates.append(("the audience in GOOGLE_APPLICATION_CREDENTIALS", audience))
    }
    return candidates.map { candidate in
      if let problem = WorkloadIdentityProvider.problem(candidate.value, what: candidate.what) {
        return .problem(problem, .usage)
      }
      return .ok("\(candidate.what) is a well-formed workload identity provider name.")
    }
  }

  /// True when `program` is an executable file in one of PATH's directories.
  static func onPath(_ program: String, _ environment: Environment) -> Bool {
    let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
  }
}
