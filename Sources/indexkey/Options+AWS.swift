import ArgumentParser
import IndexKit

struct AWSOptions: ParsableArguments {
  @Option(help: "IAM role to assume with the CI token; default AWS_ROLE_ARN. Without a role, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY sign directly.")
  var awsRoleArn: String?

  @Option(help: "Role session name; default AWS_ROLE_SESSION_NAME or indexkey.")
  var awsRoleSessionName: String?

  @Option(help: "Region for STS, and for repositories whose URL does not say; default AWS_REGION or AWS_DEFAULT_REGION.")
  var awsRegion: String?

  @Option(help: "Audience of the CI token; default sts.amazonaws.com.")
  var awsAudience: String?

  @Option(help: "CodeArtifact domain, when the index URL is not a codeartifact host; default INDEXKEY_AWS_DOMAIN.")
  var awsDomain: String?

  @Option(help: "Account id owning the domain, when the index URL is not a codeartifact host; default INDEXKEY_AWS_DOMAIN_OWNER.")
  var awsDomainOwner: String?

  @Option(help: "AWS STS endpoint; default AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL or https://sts.REGION.amazonaws.com/.")
  var awsStsEndpoint: String?

  @Option(help: "CodeArtifact API endpoint; default AWS_ENDPOINT_URL_CODEARTIFACT, AWS_ENDPOINT_URL or https://codeartifact.REGION.amazonaws.com.")
  var awsCodeartifactEndpoint: String?

  @Option(help: "Lifetime in seconds of the CodeArtifact token: 900 to 43200, or 0 for the AWS session's (default 3600).")
  var duration: String?

  @Option(help: "Use this AWS credential instead of the first configured one (\(AWSChain.chain.names.joined(separator: ", "))); default INDEXKEY_AWS_CREDENTIAL.")
  var awsCredential: String?

  func apply(to options: inout LoginOptions) {
    options.flags["aws-credential"] = awsCredential
    options.flags["aws-role-arn"] = awsRoleArn
    options.flags["aws-role-session-name"] = awsRoleSessionName
    options.flags["aws-region"] = awsRegion
    options.flags["aws-audience"] = awsAudience
    options.flags["aws-domain"] = awsDomain
    options.flags["aws-domain-owner"] = awsDomainOwner
    options.flags["aws-sts-endpoint"] = awsStsEndpoint
    options.flags["aws-codeartifact-endpoint"] = awsCodeartifactEndpoint
    options.flags["duration"] = duration
  }
}
