extension AWSCodeArtifact: PreviewableRegistry {
  /// The AWS exchange in words, for `indexkey doctor`; nothing is sent.
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let variables = [
      "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
      "AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_SSO",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_DISABLED",
    ]
    let repository: CodeArtifactRepository
    do {
      repository = try self.repository(for: index)
    } catch {
      var preview = ExchangePreview(
        steps: [], audience: nil, identity: nil, username: Self.username, variables: variables,
        findings: [.problem(error.message, .usage)])
      preview.chain = credentials.trace
      return preview
    }
    let caEndpoint = codeArtifactEndpoint?.description ?? CodeArtifactClient.defaultEndpoint(region: repository.region)
    let link = credentials.preview(keysRequest(repository))
    let signer =
      if let environment = credentials.link as? AWSEnvironmentLink {
        " signed with \(environment.principal); no CI token is used"
      } else if credentials.link is AWSWebIdentityLink {
        " signed with the role session"
      } else {
        " signed with those keys; no CI token is used"
      }
    let tokenStep =
      "POST \(caEndpoint)/v1/authorization-token?domain=\(repository.domain)&domain-owner=\(repository.owner)&duration=\(duration) (SigV4, service codeartifact, region \(repository.region))"
    return ExchangePreview(link, chain: credentials.trace, variables: variables, after: [tokenStep + signer])
  }
}
