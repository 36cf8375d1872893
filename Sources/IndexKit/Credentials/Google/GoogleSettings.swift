/// What the Google links read, declared once.
package enum GoogleSettings {
  package static let workloadIdentityProvider = Setting.value(
    "gcp-workload-identity-provider", "PROVIDER",
    help:
      "Workload identity provider: projects/NUMBER/locations/global/…/providers/PROVIDER (its full resource name, with the project number)."
  )
  package static let serviceAccount = Setting.value(
    "gcp-service-account", "EMAIL", help: "Service account email to impersonate (IAM Credentials generateAccessToken).")
  package static let audience = Setting.value(
    "gcp-audience", "AUDIENCE",
    help: "Audience of the CI token for the provider; default https://iam.googleapis.com/ + the provider name.")
  package static let keyAsPassword = Setting.toggle(
    "gcp-key-as-password",
    help:
      "With a service account key file: use the key itself as the password (_json_key_base64). It never expires; prefer the default one-hour token."
  )
  package static let stsEndpoint = Setting.value(
    "gcp-sts-endpoint", "URL",
    help: "Google STS token URL (default https://sts.googleapis.com/v1/token); overrides a credential file's token_url."
  )
  package static let iamCredentialsEndpoint = Setting.value(
    "gcp-iam-credentials-endpoint", "URL",
    help:
      "IAM Credentials base URL (default https://iamcredentials.googleapis.com); overrides a credential file's impersonation host."
  )
  package static let oauthEndpoint = Setting.value(
    "gcp-oauth-endpoint", "URL", help: "Google OAuth token URL for service account keys (default the key's token_uri).")
  package static let applicationCredentials = Setting.variable(
    "GOOGLE_APPLICATION_CREDENTIALS", identityFile: true, help: "An external_account or service account key file.")
  package static let allowExecutables = Setting.switchVariable(
    "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES",
    help: "Allow an external_account file to run its credential_source.executable.")

  /// The endpoint overrides every Google link honours.
  static let endpoints = [stsEndpoint, iamCredentialsEndpoint, oauthEndpoint]
  package static let cloudSDKConfig = Setting.variable(
    "CLOUDSDK_CONFIG", help: "gcloud's configuration directory; default ~/.config/gcloud.")
  package static let activeConfig = Setting.variable(
    "CLOUDSDK_ACTIVE_CONFIG_NAME", help: "gcloud's active configuration.")
  package static let account = Setting.variable("CLOUDSDK_CORE_ACCOUNT", help: "gcloud's account.")
  package static let tokenHost = Setting.variable(
    "CLOUDSDK_AUTH_TOKEN_HOST", help: "Where gcloud-written sign-ins are refreshed (without --gcp-oauth-endpoint).")
  package static let iamOverride = Setting.variable(
    "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS",
    help: "gcloud's IAM Credentials endpoint (without --gcp-iam-credentials-endpoint).")
  package static let metadataHost = Setting.variable("GCE_METADATA_HOST", help: "The metadata server's host.")
  package static let noGCECheck = Setting.switchVariable("NO_GCE_CHECK", help: "true: never ask the metadata server.")

  /// What the links that read gcloud's files and sign-ins read.
  static let gcloud =
    [cloudSDKConfig, activeConfig, account, tokenHost, iamOverride, serviceAccount, keyAsPassword] + endpoints
}
