/// Fetches the keys a shared-file profile describes: each step of its chain in turn, the
/// innermost (the source's keys) first.
package struct AWSProfileSession: Sendable {
  package var credential: AWSProfileCredential
  /// The profile's (or the environment's) region: STS's, when set.
  package var region: String?
  package var stsEndpoint: WebURL?
  package var legacySTSEndpoints = false
  /// `AWS_ENDPOINT_URL_SSO`: IAM Identity Center's portal elsewhere (the emulator).
  package var ssoEndpoint: WebURL?
  /// For `credential_source`: what the environment holds.
  package var environmentKeys: AWSCredentials?
  package var container: AWSContainerCredentials?
  package var instanceMetadata: AWSInstanceMetadata?

  package init(credential: AWSProfileCredential, region: String? = nil) {
    self.credential = credential
    self.region = region
  }

  /// - Parameters:
  ///   - fallbackRegion: the repository's, when neither the profile nor the environment names one.
  ///   - sessionDuration: a role session's lifetime when the profile's `duration_seconds` does not say.
  ///   - context: the context the requests run in.
  /// - Returns: the session's keys, expiry and principal.
  /// - Throws: ``IdentityError`` when the profile's `credential_source` is not available, or the
  ///   error of the exchange, file or process that failed.
  package func fetch(fallbackRegion: String, sessionDuration: Int? = nil, in context: Context) throws -> AWSSession {
    try fetch(credential, region: region ?? fallbackRegion, duration: sessionDuration, in: context)
  }

  private func fetch(_ credential: AWSProfileCredential, region: String, duration: Int?, in context: Context) throws
    -> AWSSession
  {
    switch credential {
    case .keys(let keys, let origin):
      return AWSSession(credentials: keys, expiresAt: nil, principal: "the access key \(keys.accessKeyID) (\(origin))")
    case .assumeRole(var call, let source):
      let sourceSession = try fetch(source, region: region, duration: duration, in: context)
      if call.duration == nil { call.duration = duration }
      let endpoint =
        try stsEndpoint
        ?? WebURL(AWSSTS.defaultEndpoint(region: region, legacy: legacySTSEndpoints), what: "The STS endpoint")
      let signingRegion = stsEndpoint == nil && endpoint.host == "sts.amazonaws.com" ? "us-east-1" : region
      return try AWSAssumeRole(endpoint: endpoint, region: signingRegion).assume(call, with: sourceSession, in: context)
    case .webIdentity(let role, let file, let sessionName, let profile):
      let endpoint =
        try stsEndpoint
        ?? WebURL(AWSSTS.defaultEndpoint(region: region, legacy: legacySTSEndpoints), what: "The STS endpoint")
      let token = try FileIdentity(path: file, origin: "web_identity_token_file of the AWS profile '\(profile)'")
        .freshToken(audience: AWSWebIdentityLink.defaultAudience(region: region), in: context)
      let call = AWSSTS.Request(roleARN: role, sessionName: sessionName, duration: nil)
      let (keys, expiresAt) = try AWSSTS(endpoint: endpoint).assumeRole(call, token: token, in: context)
      return AWSSession(credentials: keys, expiresAt: expiresAt, principal: "the role \(role) (profile \(profile))")
    case .sso(let profile):
      let endpoint =
        try ssoEndpoint
        ?? WebURL(AWSSSO.defaultEndpoint(region: profile.region), what: "The IAM Identity Center portal")
      return try AWSSSO(profile: profile, endpoint: endpoint).roleCredentials(in: context)
    case .process(let command, let profile):
      return try AWSCredentialProcess(command: command, profile: profile).run(in: context)
    case .environment:
      guard let environmentKeys else {
        throw IdentityError(
          "credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set.")
      }
      return AWSSession(
        credentials: environmentKeys, expiresAt: nil,
        principal: "the access key \(environmentKeys.accessKeyID) (AWS_ACCESS_KEY_ID)")
    case .container:
      guard let container else {
        throw IdentityError(
          "credential_source = EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set."
        )
      }
      return try container.fetch(in: context)
    case .instanceMetadata:
      guard let instanceMetadata else {
        throw IdentityError(
          "credential_source = Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED turns the instance metadata service off."
        )
      }
      return try instanceMetadata.fetch(in: context)
    }
  }
}
