/// A refused mint, as gh-action-pypi-publish reports one: each `errors[].code` explained
/// by the catalogue (``PyPIErrors``), then the claims a trusted publisher is matched on.
enum PyPIRefusal {
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
      let message = body?["message"]?.stringValue.map { " (\(Refusal.clean($0)))" } ?? ""
      return .unavailable(
        "PyPI (\(host)) answered the token request with HTTP \(response.status)\(message) and no list of errors; this suggests trouble on the index's side. Wait a few minutes and try again; PyPI's status is at https://status.python.org/."
      )
    }
    let site = host == "upload.pypi.org" ? "pypi.org" : host
    var sentences = errors.map {
      PyPIErrors.explain(code: $0.code, description: $0.description, presented: claims, index: site)
    }
    if errors.contains(where: { $0.code == "invalid-reuse-token" }) {
      sentences.append("This token came from \(source.name).")
    }
    return .refused(sentences.joined(separator: " ") + " " + rendered(claims))
  }

  /// The claims a publisher is matched on, `MISSING` where absent; for debugging only.
  static func rendered(_ claims: JWTClaims?) -> String {
    guard let claims else { return "The token's claims could not be read." }
    let names: [String]
    if claims.claims["repository"] != nil || claims.claims["job_workflow_ref"] != nil {
      names = [
        "sub", "repository", "repository_owner", "repository_owner_id", "workflow_ref", "job_workflow_ref", "ref",
        "environment",
      ]
    } else if claims.claims["project_path"] != nil {
      names = ["sub", "project_path", "ref_path", "ci_config_ref_uri", "environment"]
    } else {
      names = ["iss", "sub", "aud"]
    }
    let list = names.map { name in claims.text(name).map { "\(name) '\($0)'" } ?? "\(name) MISSING" }
    return
      "Claims presented (for debugging; set up the publisher from your workflow, not from these values unless they are what you expect): "
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
    guard let called = claims.text("job_workflow_ref"), let caller = claims.text("workflow_ref"), called != caller
    else {
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
}
