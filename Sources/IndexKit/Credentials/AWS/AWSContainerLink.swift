/// Container credentials (ECS task roles, EKS Pod Identity): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// or `_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `_TOKEN`.
package struct AWSContainerLink: CredentialLink {
  package static let name = "container"
  package static let settings = [
    AWSSettings.containerRelativeURI, AWSSettings.containerFullURI, AWSSettings.containerTokenFile,
    AWSSettings.containerToken,
  ]
  package var container: AWSContainerCredentials

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let env = input.environment
    if env.has("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
      return .configured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is set")
    }
    if env.has("AWS_CONTAINER_CREDENTIALS_FULL_URI") { return .configured("AWS_CONTAINER_CREDENTIALS_FULL_URI is set") }
    return .skipped("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set")
  }

  package init(_ input: LinkInput) throws {
    guard let container = try AWSContainerCredentials.from(input.environment) else {
      throw ConfigError(
        "The container credential needs AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI.")
    }
    self.container = container
  }

  package func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    try container.fetch(in: context)
  }

  package func preview(_ request: AWSKeysRequest) -> LinkPreview {
    LinkPreview(steps: ["GET \(container.url) (container credentials)"], username: AWSCodeArtifact.username)
  }
}
