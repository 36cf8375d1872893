/// Static keys from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`[/`AWS_SESSION_TOKEN`], the
/// AWS SDKs' environment provider.
public struct AWSEnvironmentLink: CredentialLink {
  public static let name = "environment"
  public static let settings = [AWSSettings.accessKeyID, AWSSettings.secretAccessKey, AWSSettings.sessionToken]
  public var keys: AWSCredentials

  public init(keys: AWSCredentials) { self.keys = keys }

  public static func probe(_ input: LinkInput) -> LinkProbe {
    input.settings.isSet(AWSSettings.accessKeyID)
      ? .configured("AWS_ACCESS_KEY_ID is set") : .skipped("AWS_ACCESS_KEY_ID is not set")
  }

  public init(_ input: LinkInput) throws {
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

  public var principal: String { "the access key \(keys.accessKeyID) (AWS_ACCESS_KEY_ID)" }

  public func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    AWSSession(credentials: keys, expiresAt: nil, principal: principal)
  }

  public func preview(_ request: AWSKeysRequest) -> LinkPreview {
    LinkPreview(steps: [], username: AWSCodeArtifact.username)
  }
}
