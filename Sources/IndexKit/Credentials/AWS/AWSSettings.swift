/// What the AWS links (and CodeArtifact) read, declared once.
package enum AWSSettings {
  package static let roleARN = Setting.value(
    "aws-role-arn", "ARN", env: ["AWS_ROLE_ARN"],
    help: "IAM role to assume with the CI token. Without a role, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY sign directly."
  )
  package static let roleSessionName = Setting.value(
    "aws-role-session-name", "NAME", env: ["AWS_ROLE_SESSION_NAME"], help: "Role session name; default indexkey.")
  package static let region = Setting.value(
    "aws-region", "REGION", env: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    help: "Region for STS, and for repositories whose URL does not say.")
  package static let audience = Setting.value(
    "aws-audience", "AUDIENCE", help: "Audience of the CI token; default sts.amazonaws.com.")
  package static let stsEndpoint = Setting.value(
    "aws-sts-endpoint", "URL", env: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"],
    help: "AWS STS endpoint; default https://sts.REGION.amazonaws.com/.")
  package static let regionalEndpoints = Setting.variable(
    "AWS_STS_REGIONAL_ENDPOINTS", help: "legacy: the global STS host for the regions the AWS SDKs send there.")
  package static let webIdentityTokenFile = Setting.variable(
    "AWS_WEB_IDENTITY_TOKEN_FILE", help: "A web identity token file (EKS, or written by the CI).")
  package static let accessKeyID = Setting.variable("AWS_ACCESS_KEY_ID", help: "A static access key id.")
  package static let secretAccessKey = Setting.secret(
    "AWS_SECRET_ACCESS_KEY", file: false, help: "The static access key's secret.")
  package static let sessionToken = Setting.secret(
    "AWS_SESSION_TOKEN", file: false, help: "The session token of temporary keys.")
  package static let profile = Setting.variable(
    "AWS_PROFILE", help: "The shared-file profile to use; default AWS_DEFAULT_PROFILE or default.")
  package static let defaultProfile = Setting.variable(
    "AWS_DEFAULT_PROFILE", help: "The profile when AWS_PROFILE is not set.")
  package static let configFile = Setting.variable(
    "AWS_CONFIG_FILE", identityFile: true, help: "The shared config file; default ~/.aws/config.")
  package static let credentialsFile = Setting.variable(
    "AWS_SHARED_CREDENTIALS_FILE", identityFile: true, help: "The shared credentials file; default ~/.aws/credentials.")
  package static let ssoEndpoint = Setting(
    flag: nil, variables: ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"], kind: .value(placeholder: "URL"),
    help: "The IAM Identity Center portal endpoint.")
  package static let containerRelativeURI = Setting.variable(
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", help: "ECS task role credentials, relative to 169.254.170.2.")
  package static let containerFullURI = Setting.variable(
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", help: "Container credentials (EKS Pod Identity) at this URL.")
  package static let containerTokenFile = Setting.variable(
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", help: "The file of the container credentials' authorization token.")
  package static let containerToken = Setting.secret(
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", file: false, help: "The container credentials' authorization token.")
  package static let metadataDisabled = Setting.switchVariable(
    "AWS_EC2_METADATA_DISABLED", help: "true: never ask the EC2 instance metadata service.")
  package static let metadataEndpoint = Setting.variable(
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", help: "The EC2 instance metadata service's address.")
  package static let metadataEndpointMode = Setting.variable(
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", help: "IPv6: the metadata service's IPv6 address.")
  package static let metadataTimeout = Setting.variable(
    "AWS_METADATA_SERVICE_TIMEOUT", help: "Seconds to wait for the metadata service.")

  /// What every shared-file profile link reads.
  static let sharedFiles = [
    profile, defaultProfile, configFile, credentialsFile, region, stsEndpoint, regionalEndpoints, ssoEndpoint,
  ]
}
