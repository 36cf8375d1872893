extension AWSCodeArtifact {
  /// From `--aws-*` flags and the variables the AWS SDKs read.
  ///
  /// A role (`--aws-role-arn`, an explicit `--identity`) means web identity; otherwise
  /// static keys in `AWS_ACCESS_KEY_ID` win over `AWS_ROLE_ARN`, as in the AWS SDKs.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> AWSCodeArtifact {
    let region = settings.value("aws-region", env: ["AWS_REGION", "AWS_DEFAULT_REGION"])
    if let region { try checkRegion(region) }
    let durationText = settings.value("duration") ?? "3600"
    guard let duration = Int(durationText), duration == 0 || (900...43200).contains(duration) else {
      throw ConfigError("--duration '\(durationText)' is not valid for CodeArtifact: give 0 (as long as the AWS session) or 900 to 43200 seconds.")
    }
    // a keyring lookup takes no flags: for a repository behind another host name, these variables
    let owner = settings.value("aws-domain-owner", env: ["INDEXKEY_AWS_DOMAIN_OWNER"])
    if let owner, owner.count != 12 || !owner.allSatisfy({ $0.isASCII && $0.isNumber }) {
      throw ConfigError("--aws-domain-owner '\(owner)' is not an AWS account id (12 digits).")
    }
    let legacy = settings.environment["AWS_STS_REGIONAL_ENDPOINTS"]?.lowercased() == "legacy"
    var stsEndpoint: WebURL?
    if settings.value("aws-sts-endpoint", env: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) != nil {
      stsEndpoint = try settings.endpoint(
        "aws-sts-endpoint", env: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"], default: "", what: "The AWS STS endpoint")
    }
    let (authentication, chain, profileRegion) = try authentication(settings: settings, identity: identity, sts: stsEndpoint, legacy: legacy)
    if region == nil, let profileRegion { try checkRegion(profileRegion) }
    var registry = AWSCodeArtifact(
      authentication: authentication, domain: settings.value("aws-domain", env: ["INDEXKEY_AWS_DOMAIN"]), owner: owner, region: region ?? profileRegion, duration: duration)
    registry.chain = chain
    registry.legacySTSEndpoints = legacy
    registry.stsEndpoint = stsEndpoint
    if settings.value("aws-codeartifact-endpoint", env: ["AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"]) != nil {
      registry.codeArtifactEndpoint = try settings.endpoint(
        "aws-codeartifact-endpoint", env: ["AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"], default: "",
        what: "The CodeArtifact endpoint")
    }
    return registry
  }

  /// The way to sign, the chain's trace (for doctor) and the profile's region.
  private static func authentication(
    settings: Settings, identity: IdentitySpec, sts: WebURL?, legacy: Bool
  ) throws -> (Authentication, [LocalChainStep], String?) {
    let env = settings.environment
    let wantsRole = settings.has("aws-role-arn") || identity != .auto
    if !wantsRole, let keyID = env["AWS_ACCESS_KEY_ID"] {
      guard let secret = env["AWS_SECRET_ACCESS_KEY"] else {
        throw ConfigError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both (and AWS_SESSION_TOKEN for temporary keys), or use a role with --aws-role-arn.")
      }
      let keys = AWSCredentials(accessKeyID: keyID, secretAccessKey: Secret(secret), sessionToken: env["AWS_SESSION_TOKEN"].map(Secret.init))
      let chain = [LocalChainStep("AWS_ACCESS_KEY_ID", .answered, keys.accessKeyID)] + localLinks.map { LocalChainStep($0, .notTried) }
      return (.keys(keys, origin: "AWS_ACCESS_KEY_ID"), chain, nil)
    }
    var chain: [LocalChainStep] = []
    var profileRegion: String?
    if !wantsRole {
      let local = try localChain(settings: settings, stsEndpoint: sts, legacySTS: legacy)
      if let source = local.source { return (.local(source), local.chain, local.region) }
      (chain, profileRegion) = (local.chain, local.region)
    }
    guard let role = settings.value("aws-role-arn", env: ["AWS_ROLE_ARN"]) else {
      throw ConfigError(
        "AWS CodeArtifact needs a way to sign: pass --aws-role-arn arn:aws:iam::ACCOUNT:role/NAME (or set AWS_ROLE_ARN) to assume a role with the CI token, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
    }
    let parts = role.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam", parts[4].count == 12,
      parts[5].hasPrefix("role/")
    else {
      throw ConfigError("The role '\(role)' is not an IAM role ARN; expected arn:aws:iam::ACCOUNT:role/NAME.")
    }
    let session = settings.value("aws-role-session-name", env: ["AWS_ROLE_SESSION_NAME"]) ?? "indexkey"
    let allowed = session.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_+=,.@-".unicodeScalars.contains($0)) }
    guard (2...64).contains(session.count), allowed else {
      throw ConfigError("The role session name '\(session)' is not valid: use 2 to 64 letters, digits and +=,.@_- (--aws-role-session-name or AWS_ROLE_SESSION_NAME).")
    }
    let source: any IdentitySource
    if identity == .auto, let file = env["AWS_WEB_IDENTITY_TOKEN_FILE"] {
      source = FileIdentity(path: file, origin: "AWS_WEB_IDENTITY_TOKEN_FILE")
    } else {
      source = try identity.source(environment: env)
    }
    return (
      .webIdentity(AWSWebIdentity(roleARN: role, sessionName: session, source: source, audience: settings.value("aws-audience"))), chain,
      profileRegion
    )
  }

  private static func checkRegion(_ region: String) throws(ConfigError) {
    let ok = !region.isEmpty && region.count <= 32
      && region.unicodeScalars.allSatisfy { $0.isASCII && (("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-") }
    guard ok else {
      throw ConfigError("The AWS region '\(region)' is not a region name like us-east-1 (--aws-region, AWS_REGION or AWS_DEFAULT_REGION).")
    }
  }
}
