/// Common reasons a CI token's subject does not match what a cloud was told to expect,
/// read from the token itself: environment vs branch subjects, pull_request subjects,
/// letter case, GitHub's immutable `repo:OWNER@ID/REPO@ID` format, reusable workflows,
/// and the per-CI shapes of GitLab, Azure Pipelines, Kubernetes, Bitbucket and CircleCI.
package enum SubjectHints {
  /// The hints as one sentence (" Common causes: …."), or "" when none applies.
  package static func hints(for claims: JWTClaims?) -> String {
    let list = list(for: claims)
    return list.isEmpty ? "" : " Common causes: " + list.joined(separator: "; ") + "."
  }

  /// The hints that apply to this token, most likely first.
  package static func list(for claims: JWTClaims?) -> [String] {
    guard let claims, let sub = claims.subject else { return [] }
    var hints: [String]
    switch TrustClaims.family(of: claims) {
    case .github: hints = github(sub, claims)
    case .gitlab: hints = gitlab(sub, claims)
    case .azurePipelines: hints = azurePipelines(sub)
    case .kubernetes: hints = kubernetes(sub)
    case .bitbucket:
      hints = [
        "Bitbucket subjects name the repository and the step by UUID and so change with every step; trust the repositoryUuid claim (or a subject pattern) instead of one step's subject"
      ]
    case .circleci:
      hints = [
        "CircleCI's v2 subject 'org/…/project/…/user/…' ends with /vcs-origin/…/vcs-ref/…; a trust written for the v1 form ('…/user/ID') does not match it"
      ]
    default: hints = []
    }
    if sub != sub.lowercased() {
      hints.append(
        "matching is case-sensitive and this subject has upper-case letters ('\(sub)'): a trust written in lower case does not match"
      )
    }
    return hints
  }

  private static func github(_ sub: String, _ claims: JWTClaims) -> [String] {
    var hints: [String] = []
    let repository = claims.text("repository") ?? "OWNER/REPO"
    if sub.contains(":environment:") {
      let environment = claims.text("environment") ?? "NAME"
      let ref = claims.text("ref").map { ":ref:\($0)" } ?? ":ref:refs/heads/BRANCH"
      hints.append(
        "the job runs in the GitHub environment '\(environment)', so its subject names the environment, not the branch: a trust for 'repo:\(repository)\(ref)' does not match"
      )
    } else if sub.hasSuffix(":pull_request") {
      hints.append("pull_request events carry the subject 'repo:\(repository):pull_request', not the branch's")
    } else if sub.contains(":ref:refs/tags/") {
      hints.append(
        "this is a tag build ('…:ref:refs/tags/…'); a trust for a branch or an environment does not match it")
    } else if sub.contains(":ref:") {
      hints.append(
        "a trust written for a GitHub environment ('repo:\(repository):environment:NAME') does not match a job without `environment:`"
      )
    } else if sub.hasPrefix("repo:") == false {
      hints.append(
        "the organization or repository customised GitHub's subject template, so the subject is '\(sub)' rather than 'repo:\(repository):…'"
      )
    }
    if sub.hasPrefix("repo:"), let slash = sub.firstIndex(of: "/"), sub[..<slash].contains("@") {
      hints.append(
        "this repository uses GitHub's immutable subject format 'repo:OWNER@OWNER_ID/REPO@REPO_ID:…'; trusts written for 'repo:\(repository):…' no longer match"
      )
    }
    if let job = claims.text("job_workflow_ref"), let workflow = claims.text("workflow_ref"), job != workflow {
      hints.append(
        "the job runs the reusable workflow '\(job)' (called from '\(workflow)'); the subject is still the caller's, and conditions on job_workflow_ref must name the reusable workflow"
      )
    }
    return hints
  }

  private static func gitlab(_ sub: String, _ claims: JWTClaims) -> [String] {
    var hints: [String] = []
    if sub.contains(":ref_type:tag:") {
      hints.append(
        "this is a tag pipeline ('…:ref_type:tag:ref:…'); a trust written for branches ('…:ref_type:branch:ref:…') does not match"
      )
    } else if sub.contains(":ref_type:branch:") {
      hints.append(
        "GitLab subjects name the branch ('…:ref_type:branch:ref:\(claims.text("ref") ?? "BRANCH")'); merge request pipelines and other branches carry their own ref"
      )
    }
    if let environment = claims.text("environment") {
      hints.append(
        "GitLab does not put the environment ('\(environment)') in the subject; trust the environment claim instead")
    }
    return hints
  }

  private static func azurePipelines(_ sub: String) -> [String] {
    if sub.hasPrefix("p://") {
      return [
        "the token was requested without a service connection, so its subject is the pipeline's ('\(sub)'); a federated credential for a service connection expects 'sc://ORG/PROJECT/CONNECTION' — pass --azure-service-connection-id"
      ]
    }
    if sub.hasPrefix("sc://") {
      return [
        "the subject names the service connection by name ('\(sub)'); renaming the connection or the project changes it"
      ]
    }
    return []
  }

  private static func kubernetes(_ sub: String) -> [String] {
    let parts = sub.split(separator: ":")
    guard parts.count == 4 else { return [] }
    return [
      "the subject names the namespace '\(parts[2])' and the service account '\(parts[3])'; both must match the trust exactly"
    ]
  }
}
