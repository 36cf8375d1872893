/// An Azure DevOps personal access token in `AZURE_DEVOPS_EXT_PAT` (or `_FILE`), as the
/// Azure DevOps CLI reads it: no exchange, the token is the password.
package struct PersonalAccessTokenLink: CredentialLink {
  package static let name = "personal-access-token"
  package static let settings = [AzureSettings.personalAccessToken]
  package var token: Secret

  package init(token: Secret) { self.token = token }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let env = input.environment
    guard input.settings.isSet(AzureSettings.personalAccessToken) else {
      return .skipped("AZURE_DEVOPS_EXT_PAT is not set")
    }
    return .configured(
      env.has("AZURE_DEVOPS_EXT_PAT") ? "AZURE_DEVOPS_EXT_PAT is set" : "AZURE_DEVOPS_EXT_PAT_FILE is set")
  }

  package init(_ input: LinkInput) throws {
    guard let token = try input.settings.secret(AzureSettings.personalAccessToken) else {
      throw ConfigError(
        "The personal-access-token credential needs the token in AZURE_DEVOPS_EXT_PAT (or a file named by AZURE_DEVOPS_EXT_PAT_FILE)."
      )
    }
    self.token = token
  }

  package func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential {
    .personalAccessToken(token)
  }

  package func preview(_ request: AzureTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: ["no exchange: the personal access token from AZURE_DEVOPS_EXT_PAT is the password"],
      username: AzureArtifacts.patUsername)
  }
}
