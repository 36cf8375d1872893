/// Static keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`[/`AWS_SESSION_TOKEN`], the
/// AWS SDKs' environment provider.
package struct AWSEnvironmentLink: CredentialLink {
  package static let name = "environment"
  package static let settings = [AWSSettings.accessKeyID, AWSSettings.secretAccessKey, AWSSettings.sessionToken]
  package var keys: AWSCredentials

  package init(keys: AWSCredentials) { self.keys = keys }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    input.settings.isSet(AWSSettings.accessKeyID)
      ? .configured("AWS_ACCESS_KEY_ID is set") : .skipped("AWS_ACCESS_KEY_ID is not set")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    guard let keyID = settings[AWSSettings.accessKeyID] else {
      throw ConfigError("The environment credential needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    }
    guard let secret = try settings.secret(AWSSettings.secretAccessKey) else {
      throw ConfigError(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both (and AWS_SESSION_TOKEN for temporary keys), or use a role with --aws-role-arn."
      )
    }
    keys = AWSCredentials(
      accessKeyID: keyID, secretAccessKey: secret, sessionToken: try settings.secret(AWSSettings.sessionToken))
  }

  package var principal: String { "the access key \(keys.accessKeyID) (AWS_ACCESS_KEY_ID)" }

  package func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    AWSSession(credentials: keys, expiresAt: nil, principal: principal)
  }

  package func preview(_ request: AWSKeysRequest) -> LinkPreview {
    LinkPreview(steps: [], username: AWSCodeArtifact.username)
  }
}
