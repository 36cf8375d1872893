/// What `indexkey doctor` says each of these registries will do, without doing it.
extension Chainguard: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let variables = ["CHAINGUARD_IDENTITY", "CHAINGUARD_PYTHON_IDENTITY_ID", "CHAINGUARD_PYTHON_TOKEN"]
    switch auth {
    case .pullToken(let username, _):
      return ExchangePreview(
        steps: ["no exchange: the pull token from CHAINGUARD_PYTHON_TOKEN is the password"], audience: nil, identity: nil,
        username: username, variables: variables)
    case .exchange(let identity, let source, let oidcAudience):
      return ExchangePreview(
        steps: ["POST \(stsEndpoint)?aud=\(audience)&identity=\(identity) (Chainguard STS, the CI token as Bearer)"],
        audience: oidcAudience, identity: source, username: Self.tokenUsername, variables: variables)
    case .chainctl(let chainctl):
      return ExchangePreview(
        steps: ["run \(chainctl.arguments.joined(separator: " ")) (chainctl's own sign-in; stopped after \(HTTPError.format(chainctl.timeout)) s)"],
        audience: nil, identity: nil, username: Self.tokenUsername, variables: variables)
    }
  }
}

extension JFrog: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let variables = ["JF_URL", "JF_ACCESS_TOKEN", "JF_USER", "JF_PROJECT"]
    switch auth {
    case .accessToken(let token, let username):
      return ExchangePreview(
        steps: ["no exchange: the access token from JF_ACCESS_TOKEN is the password"], audience: nil, identity: nil,
        username: username ?? Self.username(fromAccessToken: token), variables: variables)
    case .oidc(let provider, let source, let audience, _):
      return ExchangePreview(
        steps: ["POST \(tokenEndpoint(for: index)) (JFrog OIDC token exchange with the integration '\(provider)')"],
        audience: audience.isEmpty ? nil : audience, identity: source, username: nil, variables: variables)
    }
  }
}

extension PyPI: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let base = Self.oidcBase(index)
    return ExchangePreview(
      steps: [
        "GET \(base)/audience (the audience the index wants; usually '\(index.name)')",
        "POST \(base)/mint-token (a fresh CI token for every attempt; the upload token lives 15 minutes)",
      ], audience: index.name, identity: source, username: Self.username)
  }
}

extension GitLab: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let from: String
    switch token {
    case .job: from = "the job token (CI_JOB_TOKEN)"
    case .deploy: from = "the deploy token (CI_DEPLOY_USER/CI_DEPLOY_PASSWORD)"
    case .access: from = "the access token (GITLAB_TOKEN)"
    }
    return ExchangePreview(
      steps: ["no exchange: \(from) is the password"], audience: nil, identity: nil, username: token.username,
      variables: ["CI_JOB_TOKEN", "CI_DEPLOY_USER", "CI_DEPLOY_PASSWORD", "GITLAB_TOKEN"])
  }
}

extension StaticIndex: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      steps: ["no exchange: the username and password come from INDEXKEY_USERNAME and INDEXKEY_PASSWORD"], audience: nil,
      identity: nil, username: username,
      variables: ["INDEXKEY_USERNAME", "INDEXKEY_USERNAME_FILE", "INDEXKEY_PASSWORD", "INDEXKEY_PASSWORD_FILE"])
  }
}
