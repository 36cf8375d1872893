/// The AWS default credential chain in botocore's order, after the environment's keys:
/// a profile that assumes a role, web identity from the environment, the rest of the
/// profile (web identity, IAM Identity Center, keys, `credential_process`), container
/// credentials, IMDSv2. Files and variables only; instance metadata only where the machine
/// says it is EC2 (or an endpoint is named), so a laptop never waits.
extension AWSCodeArtifact {
  static let localLinks = ["AWS_ROLE_ARN (web identity)", "the shared files (~/.aws)", "container credentials", "EC2 instance metadata"]

  /// What the environment and the shared files offer, in order; nil for web identity from
  /// the environment (the caller's own path).
  struct Local {
    var source: AWSLocalSource?
    var chain: [LocalChainStep]
    /// The profile's `region`.
    var region: String?
  }

  static func localChain(settings: Settings, stsEndpoint: WebURL?, legacySTS: Bool) throws -> Local {
    let env = settings.environment
    let home = env["HOME"]
    var steps = [LocalChainStep("AWS_ACCESS_KEY_ID", .skipped, "not set")]
    let files = try AWSSharedFiles.load(environment: env, home: home)
    let named = env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]
    let profileName = named ?? "default"
    if let named, files.merged(named) == nil {
      let variable = env.has("AWS_PROFILE") ? "AWS_PROFILE" : "AWS_DEFAULT_PROFILE"
      throw ConfigError(
        "The AWS profile '\(named)' (\(variable)) is in neither \(files.configPath) nor \(files.credentialsPath); create it with `aws configure --profile \(named)` (or `aws configure sso`), or unset \(variable).")
    }
    let resolver = AWSProfileResolver(files: files, home: home)
    let credential = try resolver.resolve(profileName)
    let region = files.merged(profileName)?["region"]
    func profile(_ credential: AWSProfileCredential) throws -> AWSLocalSource {
      var session = AWSProfileSession(credential: credential, region: settings.value("aws-region", env: ["AWS_REGION", "AWS_DEFAULT_REGION"]) ?? region)
      session.stsEndpoint = stsEndpoint
      session.legacySTSEndpoints = legacySTS
      if env.has("AWS_ENDPOINT_URL_SSO") || env.has("AWS_ENDPOINT_URL") {
        session.ssoEndpoint = try settings.endpoint("", env: ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"], default: "", what: "AWS_ENDPOINT_URL_SSO")
      }
      if let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] {
        session.environmentKeys = AWSCredentials(accessKeyID: id, secretAccessKey: Secret(secret), sessionToken: env["AWS_SESSION_TOKEN"].map(Secret.init))
      }
      session.container = try AWSContainerCredentials.from(env)
      session.instanceMetadata = env.flag("AWS_EC2_METADATA_DISABLED") ? nil : try AWSInstanceMetadata.from(env)
      return .profile(session, name: profileName)
    }
    func answered(_ source: AWSLocalSource?, _ link: Int, _ reason: String) -> Local {
      Local(
        source: source,
        chain: LocalChainStep.trace(steps, answered: LocalChainStep(localLinks[link], .answered, reason), after: Array(localLinks[(link + 1)...])),
        region: region)
    }
    let profileLabel = "profile '\(profileName)'\(named == nil ? "" : " (AWS_PROFILE)")"
    // a profile that assumes a role comes before web identity from the environment
    if let credential, case .assumeRole = credential {
      steps.append(LocalChainStep(localLinks[0], .notTried, ""))
      return Local(
        source: try profile(credential),
        chain: [steps[0], LocalChainStep(localLinks[1], .answered, "\(profileLabel): \(credential.summary)")]
          + localLinks[2...].map { LocalChainStep($0, .notTried) }, region: region)
    }
    if env.has("AWS_ROLE_ARN") {
      return answered(nil, 0, "\(env["AWS_ROLE_ARN"] ?? "")")
    }
    steps.append(LocalChainStep(localLinks[0], .skipped, "not set"))
    if let credential {
      return answered(try profile(credential), 1, "\(profileLabel): \(credential.summary)")
    }
    steps.append(
      LocalChainStep(
        localLinks[1], .skipped,
        files.merged(profileName) == nil
          ? "no profile '\(profileName)' in \(files.configPath) or \(files.credentialsPath)"
          : "the \(profileLabel) has no keys, role, IAM Identity Center or credential_process"))
    if let container = try AWSContainerCredentials.from(env) {
      return answered(.container(container), 2, container.url.description)
    }
    steps.append(LocalChainStep(localLinks[2], .skipped, "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set"))
    if env.flag("AWS_EC2_METADATA_DISABLED") {
      steps.append(LocalChainStep(localLinks[3], .skipped, "AWS_EC2_METADATA_DISABLED is set"))
    } else if env.has("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
      return answered(.instanceMetadata(try AWSInstanceMetadata.from(env)), 3, "AWS_EC2_METADATA_SERVICE_ENDPOINT is set")
    } else if let evidence = AWSInstanceMetadata.machineEvidence() {
      return answered(.instanceMetadata(try AWSInstanceMetadata.from(env)), 3, evidence)
    } else {
      steps.append(LocalChainStep(localLinks[3], .skipped, "this machine does not say it is EC2 (DMI)"))
    }
    throw ConfigError(
      "AWS CodeArtifact found no credentials. Looked at: \(LocalChainStep.tried(steps)). On a laptop run `aws configure` or `aws sso login` (and set AWS_PROFILE); in CI pass --aws-role-arn arn:aws:iam::ACCOUNT:role/NAME (or set AWS_ROLE_ARN) to assume a role with the CI token.")
  }
}
