/// A profile that assumes a role: `role_arn` with `source_profile` (STS `AssumeRole` signed
/// with the source profile's keys, chains of profiles followed) or `credential_source`
/// (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`).
///
/// Before web identity from the environment, as botocore's assume-role provider is.
package struct AWSAssumeRoleLink: CredentialLink {
  package static let name = "assume-role"
  package static let settings =
    AWSSettings.sharedFiles + [
      AWSSettings.accessKeyID, AWSSettings.secretAccessKey, AWSSettings.sessionToken, AWSSettings.containerRelativeURI,
      AWSSettings.containerFullURI, AWSSettings.metadataEndpoint,
    ]
  package var session: AWSProfileSession
  package var profile: String

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard let profile = try? AWSSharedProfile.load(input.environment) else {
      return .configured("the AWS shared files cannot be read")
    }
    guard let settings = profile.files.merged(profile.name) else {
      return .skipped("no \(profile.label) in the shared files")
    }
    guard settings["role_arn"] != nil, settings["web_identity_token_file"] == nil else {
      return .skipped("the \(profile.label) assumes no role with source_profile or credential_source")
    }
    return .configured("the \(profile.label) assumes \(settings["role_arn"] ?? "")")
  }

  package init(_ input: LinkInput) throws {
    let profile = try AWSSharedProfile.load(input.environment)
    guard let credential = try profile.credential(), case .assumeRole = credential else {
      throw ConfigError(
        "The assume-role credential needs a profile with role_arn and source_profile or credential_source; the \(profile.label) has none."
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
