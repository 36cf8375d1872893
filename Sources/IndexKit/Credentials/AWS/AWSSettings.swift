/// What the AWS links (and CodeArtifact) read, declared once.
public enum AWSSettings {
  public static let roleARN = Setting.value(
    "aws-role-arn", "ARN", env: ["AWS_ROLE_ARN"],
    help: "IAM role to assume with the CI token. Without a role, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY sign directly."
  )
  public static let roleSessionName = Setting.value(
    "aws-role-session-name", "NAME", env: ["AWS_ROLE_SESSION_NAME"], help: "Role session name; default indexkey.")
  public static let region = Setting.value(
    "aws-region", "REGION", env: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    help: "Region for STS, and for repositories whose URL does not say.")
  public static let audience = Setting.value(
    "aws-audience", "AUDIENCE", help: "Audience of the CI token; default sts.amazonaws.com.")
  public static let stsEndpoint = Setting.value(
    "aws-sts-endpoint", "URL", env: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"],
    help: "AWS STS endpoint; default https://sts.REGION.amazonaws.com/.")
  public static let regionalEndpoints = Setting.variable(
    "AWS_STS_REGIONAL_ENDPOINTS", help: "legacy: the global STS host for the regions the AWS SDKs send there.")
  public static let webIdentityTokenFile = Setting.variable(
    "AWS_WEB_IDENTITY_TOKEN_FILE", help: "A web identity token file (EKS, or written by the CI).")
  public static let accessKeyID = Setting.variable("AWS_ACCESS_KEY_ID", help: "A static access key id.")
  public static let secretAccessKey = Setting.secret(
    "AWS_SECRET_ACCESS_KEY", file: false, help: "The static access key's secret.")
  public static let sessionToken = Setting.secret(
    "AWS_SESSION_TOKEN", file: false, help: "The session token of temporary keys.")
}
