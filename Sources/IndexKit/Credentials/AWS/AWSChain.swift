/// AWS's links in the order of botocore's default provider chain: the environment's keys,
/// a profile that assumes a role, web identity (a role assumed with the CI's or the token
/// file's token), the rest of the profile (web identity, IAM Identity Center, keys,
/// `credential_process`), container credentials, EC2 instance metadata.
package enum AWSChain {
  package static let chain = CredentialChain<AWSKeysRequest, AWSSession>(
    cloud: "AWS", flag: "aws-credential", variable: "INDEXKEY_AWS_CREDENTIAL",
    links: [
      AWSEnvironmentLink.self,
      AWSAssumeRoleLink.self,
      AWSWebIdentityLink.self,
      AWSProfileLink.self,
      AWSContainerLink.self,
      AWSInstanceMetadataLink.self,
    ],
    implied: implied, unconfigured: unconfigured)

  /// `--aws-role-arn` or an explicit `--identity` asks for the role, even where keys are set.
  @Sendable static func implied(_ input: LinkInput) -> (link: String, reason: String)? {
    if input.settings.isGiven(AWSSettings.roleARN) { return (AWSWebIdentityLink.name, "--aws-role-arn") }
    guard input.identity != .auto, let reason = input.ciIdentity else { return nil }
    return (AWSWebIdentityLink.name, reason)
  }

  /// Nothing to sign with: every place looked at, and the ways in.
  @Sendable static func unconfigured(_ input: LinkInput, _ trace: ChainTrace) -> any Error {
    ConfigError(
      "AWS CodeArtifact found no credentials. Looked at: \(trace.skipped). On a laptop run `aws configure` or `aws configure sso` (and set AWS_PROFILE); in CI pass --aws-role-arn arn:aws:iam::ACCOUNT:role/NAME (or set AWS_ROLE_ARN) to assume a role with the CI token."
    )
  }
}
