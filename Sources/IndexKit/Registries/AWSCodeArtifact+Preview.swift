extension AWSCodeArtifact: PreviewableRegistry {
  /// The AWS exchange in words, for `indexkey doctor`; nothing is sent.
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let variables = [
      "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION",
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
      "AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL_SSO",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_DISABLED",
    ]
    let chainSteps = chain.map { "credential chain: \($0.line)" }
    let repository: CodeArtifactRepository
    do {
      repository = try self.repository(for: index)
    } catch {
      return ExchangePreview(
        steps: [], audience: nil, identity: nil, username: Self.username, variables: variables,
        findings: [.problem(error.message, .usage)])
    }
    let caEndpoint = codeArtifactEndpoint?.description ?? CodeArtifactClient.defaultEndpoint(region: repository.region)
    let tokenStep =
      "POST \(caEndpoint)/v1/authorization-token?domain=\(repository.domain)&domain-owner=\(repository.owner)&duration=\(duration) (SigV4, service codeartifact, region \(repository.region))"
    switch authentication {
    case .keys(let keys, let origin):
      return ExchangePreview(
        steps: chainSteps + [tokenStep + " signed with the access key \(keys.accessKeyID) (\(origin)); no CI token is used"], audience: nil,
        identity: nil, username: Self.username, variables: variables)
    case .local(let source):
      return ExchangePreview(
        steps: chainSteps + [source.step, tokenStep + " signed with those keys; no CI token is used"], audience: nil, identity: nil,
        username: Self.username, variables: variables)
    case .webIdentity(let identity):
      let stsRegion = region ?? repository.region
      let sts = stsEndpoint?.description ?? AWSSTS.defaultEndpoint(region: stsRegion, legacy: legacySTSEndpoints)
      let durationText = duration == 0 ? "the role's default duration" : "900 s"
      return ExchangePreview(
        steps: chainSteps + [
          "POST \(sts) (AssumeRoleWithWebIdentity for \(identity.roleARN), session \(identity.sessionName), \(durationText); unsigned)",
          tokenStep + " signed with the role session",
        ],
        audience: identity.audience ?? AWSWebIdentity.defaultAudience(region: stsRegion), identity: identity.source,
        username: Self.username, variables: variables)
    }
  }
}
