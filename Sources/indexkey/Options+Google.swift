import ArgumentParser
import IndexKit

struct GoogleOptions: ParsableArguments {
  @Option(help: "Workload identity provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER. Without it, GOOGLE_APPLICATION_CREDENTIALS names an external_account or service account key file.")
  var gcpWorkloadIdentityProvider: String?

  @Option(help: "Service account email to impersonate (IAM Credentials generateAccessToken).")
  var gcpServiceAccount: String?

  @Option(help: "Audience of the CI token for the provider; default https://iam.googleapis.com/ + the provider name.")
  var gcpAudience: String?

  @Flag(help: "With a service account key file: use the key itself as the password (_json_key_base64). It never expires; prefer the default one-hour token.")
  var gcpKeyAsPassword = false

  @Option(help: "Google STS token URL (default https://sts.googleapis.com/v1/token); overrides a credential file's token_url.")
  var gcpStsEndpoint: String?

  @Option(help: "IAM Credentials base URL (default https://iamcredentials.googleapis.com); overrides a credential file's impersonation host.")
  var gcpIamCredentialsEndpoint: String?

  @Option(help: "Google OAuth token URL for service account keys (default the key's token_uri).")
  var gcpOauthEndpoint: String?

  @Option(help: "Use this Google credential instead of the first configured one (\(GoogleChain.chain.names.joined(separator: ", "))); default INDEXKEY_GCP_CREDENTIAL.")
  var gcpCredential: String?

  func apply(to options: inout LoginOptions) {
    options.flags["gcp-credential"] = gcpCredential
    options.flags["gcp-workload-identity-provider"] = gcpWorkloadIdentityProvider
    options.flags["gcp-service-account"] = gcpServiceAccount
    options.flags["gcp-audience"] = gcpAudience
    options.flags["gcp-key-as-password"] = gcpKeyAsPassword ? "true" : nil
    options.flags["gcp-sts-endpoint"] = gcpStsEndpoint
    options.flags["gcp-iam-credentials-endpoint"] = gcpIamCredentialsEndpoint
    options.flags["gcp-oauth-endpoint"] = gcpOauthEndpoint
  }
}
