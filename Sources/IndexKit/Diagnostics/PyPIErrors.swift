/// PyPI's trusted-publishing refusals (PROTOCOLS.md §9): the `errors[].code` of a 422 from
/// `/_/oidc/mint-token`, explained with the publisher values to configure.
package enum PyPIErrors {
  /// Explains one error of a mint-token refusal.
  ///
  /// - Parameters:
  ///   - code: `errors[].code` (`invalid-publisher`, `invalid-reuse-token`, `invalid-payload`, …).
  ///   - description: `errors[].description`.
  ///   - presented: the claims of the CI token sent (nil if unknown).
  ///   - index: the index's host (`pypi.org`, `test.pypi.org`, or a private warehouse).
  /// - Returns: the message explaining the error and the publisher values to configure.
  package static func explain(code: String, description: String, presented: JWTClaims?, index: String) -> String {
    let head = "\(index) refused to mint an upload token: \(Refusal.code(code, description))."
    let claims = Refusal.presented(presented)
    switch code {
    case "invalid-publisher":
      return head + claims
        + " No trusted publisher on \(index) matches this token. \(publisher(presented, index: index))"
    case "invalid-reuse-token":
      let jti = presented?.text("jti").map { " (jti '\($0)')" } ?? ""
      return head + claims
        + " PyPI accepts each token once and has seen this one\(jti) before. indexkey fetches a fresh token per exchange, but a token fixed for the whole job (GitLab id_tokens, BITBUCKET_STEP_OIDC_TOKEN, CIRCLE_OIDC_TOKEN_V2, a token file) can be exchanged only once: mint once per job, or let another step that used it upload."
    case "invalid-payload" where Refusal.mentions(description, "issuer"):
      return head + claims
        + " \(index) trusts tokens from GitHub Actions, GitLab.com, Google Cloud and ActiveState (and issuers an organization registered with it); this token's issuer is '\(presented?.issuer ?? "unknown")'. Publish from one of those, or use an API token."
    case "invalid-payload":
      return head + claims
        + " The request did not carry a well-formed token; this is a bug or a proxy rewriting the body."
    case "invalid-token":
      let aud = presented?.audiences.joined(separator: ", ") ?? "?"
      return head + claims
        + " The token failed verification: its aud must be the index's audience (from https://\(index)/_/oidc/audience; 'pypi' on pypi.org, 'testpypi' on test.pypi.org — this token has '\(aud)'), it must not be expired, and its signature must verify."
    case "invalid-pending-publisher":
      return head + claims
        + " A pending publisher matches, but the project could not be created from it (the name may be taken or not allowed); register the project under another name or ask its owner to add this publisher."
    case "not-enabled":
      return head + " Trusted publishing is disabled on \(index); use an API token."
    default:
      return head + claims
    }
  }

  /// The publisher form's values for this token, per CI.
  static func publisher(_ claims: JWTClaims?, index: String) -> String {
    let settings =
      "In the project's Publishing settings (or as a pending publisher at https://\(index)/manage/account/publishing/) add"
    guard let claims else { return "\(settings) a publisher for this CI job." }
    switch TrustClaims.family(of: claims) {
    case .github:
      return "\(settings) a GitHub publisher with \(github(claims))." + githubHints(claims)
    case .gitlab:
      return "\(settings) a GitLab publisher with \(gitlab(claims))."
    case .google:
      return "\(settings) a Google publisher with Email '\(claims.text("email") ?? "SERVICE_ACCOUNT_EMAIL")'."
    default:
      return
        "\(index) has no publisher type for \(TrustClaims.family(of: claims).displayName) tokens (issuer '\(claims.issuer ?? "")') unless an organization registered that issuer."
    }
  }

  private static func github(_ claims: JWTClaims) -> String {
    let repository = claims.text("repository") ?? "OWNER/REPO"
    let owner = claims.text("repository_owner") ?? String(repository.split(separator: "/").first ?? "OWNER")
    let name = String(repository.split(separator: "/").last ?? "REPO")
    let workflow = workflowFile(claims.text("job_workflow_ref") ?? claims.text("workflow_ref")) ?? "WORKFLOW.yml"
    let environment =
      claims.text("environment").map { "Environment name '\($0)'" }
      ?? "no Environment name (the job has no `environment:`)"
    return "Owner '\(owner)', Repository name '\(name)', Workflow name '\(workflow)' and \(environment)"
  }

  private static func githubHints(_ claims: JWTClaims) -> String {
    var hints: [String] = []
    if let job = claims.text("job_workflow_ref"), let caller = claims.text("workflow_ref"), job != caller {
      hints.append(
        "the job runs the reusable workflow '\(job)'; PyPI matches the workflow that runs the job, so a publisher for the calling workflow '\(workflowFile(caller) ?? caller)' does not match (reusable workflows cannot currently be trusted publishers)"
      )
    }
    if claims.text("environment") == nil {
      hints.append("a publisher that names an environment matches only jobs that declare `environment:` with that name")
    }
    return hints.isEmpty ? "" : " Common causes: " + hints.joined(separator: "; ") + "."
  }

  private static func gitlab(_ claims: JWTClaims) -> String {
    let path = claims.text("project_path") ?? "NAMESPACE/PROJECT"
    let namespace =
      claims.text("namespace_path") ?? String(path.split(separator: "/").dropLast().joined(separator: "/"))
    let project = String(path.split(separator: "/").last ?? "PROJECT")
    var file = ".gitlab-ci.yml"
    if let uri = claims.text("ci_config_ref_uri"), let range = uri.firstRange(of: "//") {
      let rest = uri[range.upperBound...]
      file = String(rest.split(separator: "@").first ?? rest)
    }
    let environment =
      claims.text("environment").map { "Environment '\($0)'" } ?? "no Environment (the job has no `environment:`)"
    return
      "Namespace '\(namespace)', Project name '\(project)', Top-level pipeline file path '\(file)' and \(environment)"
  }

  /// `OWNER/REPO/.github/workflows/release.yml@refs/heads/main` → `release.yml`.
  static func workflowFile(_ ref: String?) -> String? {
    guard let ref else { return nil }
    let path = ref.split(separator: "@").first.map(String.init) ?? ref
    return path.split(separator: "/").last.map(String.init)
  }
}
