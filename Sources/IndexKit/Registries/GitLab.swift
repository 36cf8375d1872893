/// GitLab's PyPI package registry (project and group endpoints, PROTOCOLS.md §2c).
///
/// No exchange: the job token a GitLab CI job already has (`gitlab-ci-token` +
/// `CI_JOB_TOKEN`), a deploy token (`CI_DEPLOY_USER`/`CI_DEPLOY_PASSWORD`), or a
/// personal, project or group access token (`GITLAB_TOKEN`; GitLab reads only the
/// password for those, so the username is a placeholder unless given).
package struct GitLab: Registry {
  package static let name = "gitlab"
  package static let aliases = ["gitlab-packages"]
  package static let displayName = "GitLab package registry"
  package static let settings = [
    GitLabSettings.token, GitLabSettings.username, GitLabSettings.jobToken, GitLabSettings.deployUser,
    GitLabSettings.deployPassword,
    GitLabSettings.accessToken, GitLabSettings.host,
  ]

  package enum Token: Sendable, Equatable {
    case job(Secret)
    case deploy(username: String, Secret)
    case access(username: String, Secret)

    var username: String {
      switch self {
      case .job: GitLab.jobTokenUsername
      case .deploy(let user, _), .access(let user, _): user
      }
    }

    var secret: Secret {
      switch self {
      case .job(let s), .deploy(_, let s), .access(_, let s): s
      }
    }
  }

  package var token: Token
  /// The GitLab server the token is for; it is handed to no other host.
  package var server: ServerBinding

  package init(token: Token, server: ServerBinding) {
    self.token = token
    self.server = server
  }

  /// Where GitLab CI says its server is: the job and deploy tokens it sets are for it.
  static let ciServerVariables = ["CI_SERVER_HOST", "CI_API_V4_URL", "CI_SERVER_URL"]
  /// glab's variable for the server an access token is for; gitlab.com without it.
  static let hostVariable = "GITLAB_HOST"

  /// The job's server for the tokens GitLab CI sets; for an access token `GITLAB_HOST`,
  /// else the job's server, else gitlab.com (as glab does).
  static func server(for token: Token, environment: Environment) -> ServerBinding {
    let ci = ServerBinding.from(ciServerVariables, in: environment)
    let fallback = ServerBinding(hosts: ["gitlab.com"], source: "the default; set \(hostVariable) for another server")
    switch token {
    case .job, .deploy:
      return ci ?? fallback
    case .access:
      return ServerBinding.from([hostVariable], in: environment) ?? ci ?? fallback
    }
  }

  func described() -> String {
    switch token {
    case .job: "GitLab's job token (CI_JOB_TOKEN)"
    case .deploy: "the GitLab deploy token (CI_DEPLOY_PASSWORD)"
    case .access: "the GitLab access token (GITLAB_TOKEN)"
    }
  }

  package static let jobTokenUsername = "gitlab-ci-token"
  package static let accessTokenUsername = "__token__"
  package static let forwardingWarning =
    "GitLab forwards requests for packages its registry does not hold to pypi.org unless the group's 'Forward PyPI package requests' setting is off, so a public package named like a private one would be installed from pypi.org. Turn it off under the group's Settings, Packages and registries."

  enum Kind { case project, group }

  /// `…/api/v4/projects/ID/packages/pypi…` or `…/api/v4/groups/ID/-/packages/pypi…`:
  /// where the feed's path ends (exclusive) and which kind it is.
  static func feed(_ segments: [String]) -> (end: Int, kind: Kind, id: String)? {
    guard segments.count >= 6 else { return nil }
    for i in 0..<(segments.count - 2) where segments[i] == "api" && segments[i + 1] == "v4" {
      let rest = Array(segments[(i + 2)...])
      if rest.count >= 4, rest[0] == "projects", rest[2] == "packages", rest[3] == "pypi" {
        return (i + 6, .project, rest[1])
      }
      if rest.count >= 5, rest[0] == "groups", rest[2] == "-", rest[3] == "packages", rest[4] == "pypi" {
        return (i + 7, .group, rest[1])
      }
    }
    return nil
  }

  package static func matchesHost(_ url: WebURL) -> Bool {
    feed(url.segments) != nil
  }

  /// Project feeds install and upload; group feeds only install.
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    let segments = url.segments
    guard let feed = feed(segments) else {
      throw ConfigError(
        "'\(url)' is not a GitLab PyPI registry URL; expected $CI_API_V4_URL/projects/ID/packages/pypi/simple or $CI_API_V4_URL/groups/ID/-/packages/pypi/simple."
      )
    }
    let rest = segments.dropFirst(feed.end)
    if let first = rest.first, first != "simple" || rest.count > 1 {
      throw ConfigError(
        "'\(url)' has '\(rest.joined(separator: "/"))' after /pypi; give the registry's …/packages/pypi/simple URL.")
    }
    let base = "/" + segments[..<feed.end].joined(separator: "/")
    let id = PercentEncoding.decode(feed.id) ?? feed.id
    return IndexTarget(
      given: url, simpleURL: url.with(path: base + "/simple/"),
      uploadURL: feed.kind == .project ? url.with(path: base) : nil,
      name: (feed.kind == .project ? "gitlab-" : "gitlab-group-") + id.replacing("/", with: "-"))
  }

  /// `--gitlab-token job|deploy|access` picks one; by default the job token inside GitLab
  /// CI, else a deploy token, else an access token.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> GitLab {
    let token = try token(settings: settings)
    return GitLab(token: token, server: server(for: token, environment: settings.environment))
  }

  static func token(settings: Settings) throws -> Token {
    let choice = settings[GitLabSettings.token]
    let job = try settings.secret(GitLabSettings.jobToken)
    let deployUser = settings[GitLabSettings.deployUser]
    let deployPassword = try settings.secret(GitLabSettings.deployPassword)
    let access = try settings.secret(GitLabSettings.accessToken)
    let accessUser = settings[GitLabSettings.username] ?? accessTokenUsername
    switch choice {
    case nil:
      if let job { return .job(job) }
      if let deployPassword {
        guard let deployUser else {
          throw ConfigError("CI_DEPLOY_PASSWORD is set but CI_DEPLOY_USER (the deploy token's username) is not.")
        }
        return .deploy(username: deployUser, deployPassword)
      }
      if let access { return .access(username: accessUser, access) }
      throw ConfigError(
        "GitLab's package registry needs a token: inside GitLab CI the job token (CI_JOB_TOKEN) is used; elsewhere set a deploy token in CI_DEPLOY_USER and CI_DEPLOY_PASSWORD, or an access token with the api or read_api scope in GITLAB_TOKEN."
      )
    case "job":
      guard let job else {
        throw ConfigError(
          "--gitlab-token job needs CI_JOB_TOKEN, which GitLab CI sets in every job; it is not set here.")
      }
      return .job(job)
    case "deploy":
      guard let deployUser, let deployPassword else {
        throw ConfigError(
          "--gitlab-token deploy needs CI_DEPLOY_USER and CI_DEPLOY_PASSWORD (a deploy token with read_package_registry or write_package_registry)."
        )
      }
      return .deploy(username: deployUser, deployPassword)
    case "access":
      guard let access else {
        throw ConfigError(
          "--gitlab-token access needs GITLAB_TOKEN (or GITLAB_TOKEN_FILE): a personal, project or group access token with the api or read_api scope."
        )
      }
      return .access(username: accessUser, access)
    case let other?:
      throw ConfigError("--gitlab-token '\(other)' is not understood; use job, deploy or access.")
    }
  }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    try server.check(index, credential: described())
    return Credential(
      index: index, registry: Self.name, username: token.username, password: token.secret, expiresAt: nil,
      warnings: [Self.forwardingWarning])
  }
}

/// What GitLab reads, declared once.
package enum GitLabSettings {
  package static let token = Setting.value(
    "gitlab-token", "KIND",
    help:
      "Which GitLab token to send: job (CI_JOB_TOKEN), deploy (CI_DEPLOY_USER/CI_DEPLOY_PASSWORD) or access (GITLAB_TOKEN); default the first that is set."
  )
  package static let username = Setting.value(
    "gitlab-username", "USER", help: "Username to send with an access token in GITLAB_TOKEN; default __token__.")
  package static let jobToken = Setting.secret(
    "CI_JOB_TOKEN", file: false, help: "The job token GitLab CI sets in every job.")
  package static let deployUser = Setting.variable("CI_DEPLOY_USER", help: "A deploy token's username.")
  package static let deployPassword = Setting.secret("CI_DEPLOY_PASSWORD", file: true, help: "A deploy token.")
  package static let accessToken = Setting.secret(
    "GITLAB_TOKEN", file: true, help: "A personal, project or group access token with the api or read_api scope.")
  package static let host = Setting.variable(
    GitLab.hostVariable, help: "The GitLab server an access token is for; default the job's, else gitlab.com.")
}
