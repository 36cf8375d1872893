/// The rest of the shared-file profile, in botocore's order: `web_identity_token_file`,
/// IAM Identity Center (the token `aws sso login` cached, then `GetRoleCredentials`), keys
/// in the credentials file, `credential_process`, keys in the config file.
package struct AWSProfileLink: CredentialLink {
  package static let name = "profile"
  package static let settings = AWSSettings.sharedFiles
  package var session: AWSProfileSession
  package var profile: String

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let profile: AWSSharedProfile
    let credential: AWSProfileCredential?
    do {
      profile = try AWSSharedProfile.load(input.environment)
      credential = try profile.credential()
    } catch {
      return .configured("the shared files say: \(error.message)")  // init reports it
    }
    guard let credential else {
      return .skipped(
        profile.exists
          ? "the \(profile.label) has no keys, IAM Identity Center or credential_process"
          : "no \(profile.label) in \(profile.files.configPath) or \(profile.files.credentialsPath)")
    }
    return .configured("\(profile.label): \(credential.summary)")
  }

  package init(_ input: LinkInput) throws {
    let profile = try AWSSharedProfile.load(input.environment)
    guard let credential = try profile.credential() else {
      throw ConfigError(
        "The profile credential needs keys, IAM Identity Center or credential_process in the \(profile.label); run `aws configure` or `aws configure sso`."
      )
    }
    session = try AWSSharedProfile.session(credential, input: input)
    self.profile = profile.name
  }

  package func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    try session.fetch(fallbackRegion: request.region, sessionDuration: request.sessionDuration, in: context)
  }

  package func preview(_ request: AWSKeysRequest) -> LinkPreview {
    LinkPreview(
      steps: ["the AWS profile '\(profile)': \(session.credential.summary)"], username: AWSCodeArtifact.username)
  }
}
