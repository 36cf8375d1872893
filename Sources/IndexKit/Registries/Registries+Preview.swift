/// What `indexkey doctor` says each of these registries will do, without doing it.
extension Chainguard: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      credentials.preview(()), chain: credentials.trace)
  }
}

extension JFrog: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      credentials.preview(JFrogTokenRequest(tokenEndpoint: tokenEndpoint(for: index))), chain: credentials.trace)
  }
}

extension PyPI: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let base = Self.oidcBase(index)
    return ExchangePreview(
      steps: [
        "GET \(base)/audience (the audience the index wants; usually '\(index.name)')",
        "POST \(base)/mint-token (a fresh CI token for every attempt; the upload token lives 15 minutes)",
      ], audience: index.name, identity: source, username: Self.username)
  }
}

extension GitLab: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let from: String
    switch token {
    case .job: from = "the job token (CI_JOB_TOKEN)"
    case .deploy: from = "the deploy token (CI_DEPLOY_USER/CI_DEPLOY_PASSWORD)"
    case .access: from = "the access token (GITLAB_TOKEN)"
    }
    return ExchangePreview(
      steps: ["no exchange: \(from) is the password"], audience: nil, identity: nil, username: token.username)
  }
}

extension StaticIndex: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(
      steps: ["no exchange: the username and password come from INDEXKEY_USERNAME and INDEXKEY_PASSWORD"],
      audience: nil,
      identity: nil, username: username)
  }
}
