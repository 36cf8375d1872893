/// A role assumed with a web identity (OIDC) token: `AssumeRoleWithWebIdentity` with the
/// token from `AWS_WEB_IDENTITY_TOKEN_FILE` or the CI.
package struct AWSWebIdentityLink: CredentialLink {
  package static let name = "web-identity"
  package static let settings = [
    AWSSettings.roleARN, AWSSettings.roleSessionName, AWSSettings.webIdentityTokenFile, AWSSettings.audience,
    AWSSettings.region,
    AWSSettings.stsEndpoint, AWSSettings.regionalEndpoints,
  ]
  package var roleARN: String
  package var sessionName: String
  package var source: any IdentitySource
  /// The CI token's audience; nil for the partition's default.
  package var audience: String?
  /// `--aws-region`/`AWS_REGION`: STS's region when given, else the repository's.
  package var region: String?
  /// `--aws-sts-endpoint`/`AWS_ENDPOINT_URL_STS`/`AWS_ENDPOINT_URL`.
  package var stsEndpoint: WebURL?
  /// `AWS_STS_REGIONAL_ENDPOINTS=legacy`: the global STS host for the regions SDKs send there.
  package var legacySTSEndpoints = false

  package init(roleARN: String, sessionName: String, source: any IdentitySource, audience: String?) {
    self.roleARN = roleARN
    self.sessionName = sessionName
    self.source = source
    self.audience = audience
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings[AWSSettings.roleARN] != nil else {
      return .skipped("no role is named (AWS_ROLE_ARN or --aws-role-arn)")
    }
    // A role named in AWS_ROLE_ARN with no token anywhere is the AWS SDKs' case too: they
    // need AWS_WEB_IDENTITY_TOKEN_FILE, and go on to the profile without it.
    guard input.settings.isGiven(AWSSettings.roleARN) || input.ciIdentity != nil else {
      return .skipped("AWS_ROLE_ARN is set, but neither AWS_WEB_IDENTITY_TOKEN_FILE nor a CI token is there")
    }
    // Configured wherever the role is named explicitly: the token is looked for when it is
    // needed, and its absence is then "no identity" (exit 3), not a configuration error.
    return .configured("the role is assumed with the token from \(input.ciIdentity ?? "the CI")")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    guard let role = settings[AWSSettings.roleARN] else {
      throw ConfigError(
        "AWS CodeArtifact needs a way to sign: pass --aws-role-arn arn:aws:iam::ACCOUNT:role/NAME (or set AWS_ROLE_ARN) to assume a role with the CI token, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
      )
    }
    try Self.checkRole(role)
    let session = settings[AWSSettings.roleSessionName] ?? "indexkey"
    let allowed = session.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_+=,.@-".unicodeScalars.contains($0))
    }
    guard (2...64).contains(session.count), allowed else {
      throw ConfigError(
        "The role session name '\(session)' is not valid: use 2 to 64 letters, digits and +=,.@_- (--aws-role-session-name or AWS_ROLE_SESSION_NAME)."
      )
    }
    let source: any IdentitySource
    if input.identity == .auto, let file = settings[AWSSettings.webIdentityTokenFile] {
      source = FileIdentity(path: file, origin: "AWS_WEB_IDENTITY_TOKEN_FILE")
    } else {
      source = try input.identitySource()
    }
    self.init(roleARN: role, sessionName: session, source: source, audience: settings[AWSSettings.audience])
    region = try AWSRegion.configured(settings)
    legacySTSEndpoints = settings[AWSSettings.regionalEndpoints]?.lowercased() == "legacy"
    stsEndpoint = try settings.endpoint(AWSSettings.stsEndpoint, what: "The AWS STS endpoint")
  }

  /// Refuses what is not `arn:aws…:iam::ACCOUNT:role/NAME` (12-digit account).
  package static func checkRole(_ role: String) throws(ConfigError) {
    let parts = role.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam", parts[3].isEmpty,
      parts[4].count == 12, parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix("role/"), parts[5].count > 5
    else {
      throw ConfigError("The role '\(role)' is not an IAM role ARN; expected arn:aws:iam::ACCOUNT:role/NAME.")
    }
  }

  /// `sts.amazonaws.com` (`sts.amazonaws.com.cn` in China), what GitHub's AWS action requests.
  package static func defaultAudience(region: String) -> String {
    "sts.\(CodeArtifactRepository.dnsSuffix(region: region))"
  }

  func sts(_ request: AWSKeysRequest) throws(ConfigError) -> AWSSTS {
    if let stsEndpoint { return AWSSTS(endpoint: stsEndpoint) }
    let region = self.region ?? request.region
    return AWSSTS(
      endpoint: try WebURL(AWSSTS.defaultEndpoint(region: region, legacy: legacySTSEndpoints), what: "The STS endpoint")
    )
  }

  package func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    let sts = try sts(request)
    context.transport.prepare(sts.endpoint.description)  // connect to STS while the CI token is fetched
    let token = try source.freshToken(
      audience: audience ?? Self.defaultAudience(region: region ?? request.region), in: context)
    let call = AWSSTS.Request(roleARN: roleARN, sessionName: sessionName, duration: request.sessionDuration)
    let (credentials, expiresAt) = try sts.assumeRole(call, token: token, in: context)
    return AWSSession(
      credentials: credentials, expiresAt: expiresAt, principal: "the role \(roleARN) (session \(sessionName))")
  }

  package func preview(_ request: AWSKeysRequest) -> LinkPreview {
    let stsRegion = region ?? request.region
    let sts = stsEndpoint?.description ?? AWSSTS.defaultEndpoint(region: stsRegion, legacy: legacySTSEndpoints)
    let durationText = request.sessionDuration.map { "\($0) s" } ?? "the role's default duration"
    return LinkPreview(
      steps: [
        "POST \(sts) (AssumeRoleWithWebIdentity for \(roleARN), session \(sessionName), \(durationText); unsigned)"
      ],
      audience: audience ?? Self.defaultAudience(region: stsRegion), identity: source,
      username: AWSCodeArtifact.username)
  }
}
