/// Why PyPI refused to mint a token, and what to change: each `errors[].code` with a
/// fix, plus the claims a trusted publisher is matched against.
enum PyPIErrors {
  /// A refusal (4xx) from `…/_/oidc/mint-token`.
  static func refusal(_ response: HTTPResponse, host: String, claims: JWTClaims?, source: any IdentitySource)
    -> ExchangeError
  {
    let body = try? JSON(parsing: response.body, document: "PyPI token error")
    let errors: [(code: String, description: String)] =
      body?["errors"]?.arrayValue?.map {
        ($0["code"]?.stringValue ?? "unknown", $0["description"]?.stringValue ?? "")
      } ?? []
    guard !errors.isEmpty else {
      let message = body?["message"]?.stringValue.map { " (\($0))" } ?? ""
      return .unavailable(
        "PyPI (\(host)) answered the token request with HTTP \(response.status)\(message) and no list of errors; this suggests trouble on the index's side. Wait a few minutes and try again; PyPI's status is at https://status.python.org/.")
    }
    let reasons = errors.map { "`\($0.code)`: \($0.description)" }.joined(separator: "; ")
    let fixes = uniqued(errors.map { fix(code: $0.code, description: $0.description, host: host, claims: claims, source: source) })
    return .refused(
      "PyPI (\(host)) refused to mint an upload token (HTTP \(response.status)): \(reasons). "
        + fixes.joined(separator: " ") + " " + rendered(claims))
  }

  static func fix(code: String, description: String, host: String, claims: JWTClaims?, source: any IdentitySource) -> String {
    switch code {
    case "invalid-publisher":
      return publisherFix(host: host, claims: claims)
    case "invalid-pending-publisher":
      return "A pending publisher matched this token, but a project with its name already exists on \(host), and a pending publisher only creates new projects. Add a trusted publisher to the existing project (its settings, Publishing) instead."
    case "invalid-reuse-token":
      return "\(host) has already seen this token (its jti) and accepts each one only once. The token came from \(source.name): a fixed token can mint only once, so give it a fresh token for every run, or let indexkey fetch one from the CI (it fetches a new token for every attempt)."
    case "invalid-token":
      let exp = claims?.expiresAt.map { " It expires at \($0.iso8601)." } ?? ""
      return "\(host) could not verify the token: it is expired or not yet valid, has the wrong audience, or is not signed by its issuer.\(exp) CI tokens live minutes; fetch one right before publishing, with the audience \(host) asks for."
    case "invalid-payload":
      if description.lowercased().contains("issuer") {
        let iss = claims?.issuer ?? "(none)"
        return "\(host) does not take tokens from the issuer '\(iss)'. Trusted publishing works from GitHub Actions, GitLab.com, Google Cloud and ActiveState, and from issuers an organization has registered on PyPI (self-managed GitLab needs that)."
      }
      return "The request did not carry a well-formed token; check where the token comes from (\(source.name))."
    case "not-enabled":
      return "Trusted publishing from this CI is turned off on \(host) right now; try again later, or upload with an API token."
    default:
      return "Compare the trusted publisher's settings on \(host) with the claims below."
    }
  }

  /// What a GitHub or GitLab publisher must say to match these claims.
  static func publisherFix(host: String, claims: JWTClaims?) -> String {
    let head = "No trusted publisher on \(host) matches these claims."
    guard let claims else { return head }
    if let repository = claims.text("repository"), let owner = claims.text("repository_owner") {
      let name = repository.hasPrefix(owner + "/") ? String(repository.dropFirst(owner.count + 1)) : repository
      let workflow = claims.text("job_workflow_ref").map(workflowFile) ?? "WORKFLOW.yml"
      let environment = claims.text("environment").map { "environment '\($0)'" } ?? "no environment (this job has no `environment:`, and a publisher that names one does not match it)"
      var text = "\(head) In the project's settings (Publishing), the GitHub publisher must name owner '\(owner)', repository '\(name)', workflow '\(workflow)' and \(environment), exactly; the environment is the usual mismatch."
      if let reusable = reusableWorkflow(claims) {
        text += " This job runs the reusable workflow \(reusable.called) (from \(reusable.caller)); PyPI matches the reusable workflow's file and does not officially support this."
      }
      return text
    }
    if let project = claims.text("project_path") {
      let file = claims.text("ci_config_ref_uri").map(pipelineFile) ?? ".gitlab-ci.yml"
      let environment = claims.text("environment").map { "environment '\($0)'" } ?? "no environment"
      return "\(head) In the project's settings (Publishing), the GitLab publisher must name the project '\(project)', the top-level pipeline file '\(file)' and \(environment), exactly."
    }
    return "\(head) Compare the publisher's settings with the claims below."
  }

  /// `owner/repo/.github/workflows/release.yml@refs/heads/main` → `release.yml`.
  static func workflowFile(_ ref: String) -> String {
    let path = ref.split(separator: "@", maxSplits: 1).first.map(String.init) ?? ref
    return path.split(separator: "/").last.map(String.init) ?? path
  }

  /// `gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main` → `.gitlab-ci.yml`.
  static func pipelineFile(_ uri: String) -> String {
    let path = uri.split(separator: "@", maxSplits: 1).first.map(String.init) ?? uri
    guard let range = path.firstRange(of: "//") else { return path }
    return String(path[range.upperBound...])
  }

  /// The claims a publisher is matched on, `MISSING` where absent; for debugging only.
  static func rendered(_ claims: JWTClaims?) -> String {
    guard let claims else { return "The token's claims could not be read." }
    let names: [String]
    if claims.claims["repository"] != nil || claims.claims["job_workflow_ref"] != nil {
      names = ["sub", "repository", "repository_owner", "repository_owner_id", "workflow_ref", "job_workflow_ref", "ref", "environment"]
    } else if claims.claims["project_path"] != nil {
      names = ["sub", "project_path", "ref_path", "ci_config_ref_uri", "environment"]
    } else {
      names = ["iss", "sub", "aud"]
    }
    let list = names.map { name in claims.text(name).map { "\(name) '\($0)'" } ?? "\(name) MISSING" }
    return "Claims presented (for debugging; set up the publisher from your workflow, not from these values unless they are what you expect): "
      + list.joined(separator: ", ") + "."
  }

  /// Non-fatal remarks about a successful mint.
  static func warnings(for claims: JWTClaims?) -> [String] {
    guard let claims, let reusable = reusableWorkflow(claims) else { return [] }
    return [
      "This job publishes from the reusable workflow \(reusable.called), called from \(reusable.caller); PyPI does not officially support trusted publishing from reusable workflows, so this may stop working."
    ]
  }

  static func reusableWorkflow(_ claims: JWTClaims) -> (called: String, caller: String)? {
    guard let called = claims.text("job_workflow_ref"), let caller = claims.text("workflow_ref"), called != caller else {
      return nil
    }
    return (called, caller)
  }

  /// A `pull_request` event whose head repository is a fork (`GITHUB_EVENT_PATH` says so).
  static func isForkPullRequest(_ environment: Environment) -> Bool {
    guard environment["GITHUB_EVENT_NAME"] == "pull_request", let path = environment["GITHUB_EVENT_PATH"],
      let bytes = try? FileIO.read(path), let event = try? JSON(parsing: bytes, document: "GitHub event")
    else { return false }
    return event["pull_request"]?["head"]?["repo"]?["fork"] == .bool(true)
  }

  private static func uniqued(_ texts: [String]) -> [String] {
    var seen: Set<String> = []
    return texts.filter { seen.insert($0).inserted }
  }
}
