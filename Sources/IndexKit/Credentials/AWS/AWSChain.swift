/// AWS's links in the order of the AWS SDKs' default provider chain: the environment's
/// keys, then web identity (a role assumed with the CI's or the token file's token).
public enum AWSChain {
  public static let chain = CredentialChain<AWSKeysRequest, AWSSession>(
    cloud: "AWS", flag: "aws-credential", variable: "INDEXKEY_AWS_CREDENTIAL",
    links: [
      AWSEnvironmentLink.self,
      AWSWebIdentityLink.self,
    ],
    implied: implied, unconfigured: unconfigured)

  /// `--aws-role-arn` or an explicit `--identity` asks for the role, even where keys are set.
  @Sendable static func implied(_ input: LinkInput) -> (link: String, reason: String)? {
    if input.settings.isGiven(AWSSettings.roleARN) { return (AWSWebIdentityLink.name, "--aws-role-arn") }
    guard input.identity != .auto, let reason = input.ciIdentity else { return nil }
    return (AWSWebIdentityLink.name, reason)
  }

  /// Neither keys nor a role: what to set.
  @Sendable static func unconfigured(_ input: LinkInput, _ trace: ChainTrace) -> any Error {
    ConfigError(
      "AWS CodeArtifact needs a way to sign: pass --aws-role-arn arn:aws:iam::ACCOUNT:role/NAME (or set AWS_ROLE_ARN) to assume a role with the CI token, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
    )
  }
}
