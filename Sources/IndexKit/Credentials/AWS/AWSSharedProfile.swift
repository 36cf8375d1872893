/// The profile of the shared files the AWS SDKs would use here: `AWS_PROFILE` (or
/// `AWS_DEFAULT_PROFILE`), else `default`, read once per link from `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/`).
struct AWSSharedProfile {
  var files: AWSSharedFiles
  var name: String
  /// The variable that named it, when one did.
  var namedBy: String?
  var home: String?

  static func load(_ environment: Environment) throws(ConfigError) -> AWSSharedProfile {
    let files = try AWSSharedFiles.load(environment: environment, home: environment["HOME"])
    let namedBy =
      environment.has("AWS_PROFILE")
      ? "AWS_PROFILE" : environment.has("AWS_DEFAULT_PROFILE") ? "AWS_DEFAULT_PROFILE" : nil
    let name = namedBy.flatMap { environment[$0] } ?? "default"
    return AWSSharedProfile(files: files, name: name, namedBy: namedBy, home: environment["HOME"])
  }

  var exists: Bool { files.merged(name) != nil }

  /// "profile 'dev' (AWS_PROFILE)".
  var label: String { "profile '\(name)'\(namedBy.map { " (\($0))" } ?? "")" }

  /// The profile's credential; throws for a named profile that does not exist.
  func credential() throws(ConfigError) -> AWSProfileCredential? {
    if let namedBy, !exists {
      throw ConfigError(
        "The AWS profile '\(name)' (\(namedBy)) is in neither \(files.configPath) nor \(files.credentialsPath); create it with `aws configure --profile \(name)` (or `aws configure sso`), or unset \(namedBy)."
      )
    }
    return try AWSProfileResolver(files: files, home: home).resolve(name)
  }

  /// The profile's `region`, for repositories whose URL does not say.
  static func region(_ environment: Environment) -> String? {
    guard let profile = try? load(environment) else { return nil }
    return profile.files.merged(profile.name)?["region"]
  }

  /// A session for `credential` with the endpoints and sources the environment names.
  static func session(_ credential: AWSProfileCredential, input: LinkInput) throws -> AWSProfileSession {
    let settings = input.settings
    let env = input.environment
    var session = AWSProfileSession(credential: credential, region: try AWSRegion.configured(settings) ?? region(env))
    session.stsEndpoint = try settings.endpoint(AWSSettings.stsEndpoint, what: "The AWS STS endpoint")
    session.legacySTSEndpoints = env["AWS_STS_REGIONAL_ENDPOINTS"]?.lowercased() == "legacy"
    if let sso = try settings.endpoint(AWSSettings.ssoEndpoint, what: "AWS_ENDPOINT_URL_SSO") {
      session.ssoEndpoint = sso
    }
    if let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] {
      session.environmentKeys = AWSCredentials(
        accessKeyID: id, secretAccessKey: Secret(secret), sessionToken: env["AWS_SESSION_TOKEN"].map(Secret.init))
    }
    session.container = try AWSContainerCredentials.from(env)
    session.instanceMetadata = env.flag("AWS_EC2_METADATA_DISABLED") ? nil : try AWSInstanceMetadata.from(env)
    return session
  }
}
