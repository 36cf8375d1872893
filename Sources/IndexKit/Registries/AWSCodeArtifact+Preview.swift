extension AWSCodeArtifact: PreviewableRegistry {
  /// The AWS exchange in words, for `indexkey doctor`; nothing is sent.
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let repository: CodeArtifactRepository
    do {
      repository = try self.repository(for: index)
    } catch {
      var preview = ExchangePreview(
        steps: [], audience: nil, identity: nil, username: Self.username,
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
    return ExchangePreview(link, chain: credentials.trace, after: [tokenStep + signer])
  }
}
