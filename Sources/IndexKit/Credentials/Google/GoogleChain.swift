/// Google's links in the order of Application Default Credentials: the CI token through
/// `--gcp-workload-identity-provider` (an explicit flag, so first), then the file in
/// `GOOGLE_APPLICATION_CREDENTIALS` (an `external_account`, a service account key or a
/// user's sign-in), the gcloud ADC file, the gcloud CLI's active account (where the
/// Artifact Registry keyring plugin falls back to), and the metadata server.
package enum GoogleChain {
  package static let chain = CredentialChain<GoogleTokenRequest, GoogleCredential>(
    cloud: "Google", flag: "gcp-credential", variable: "INDEXKEY_GCP_CREDENTIAL",
    links: [
      GoogleFederationLink.self,
      ExternalAccountLink.self,
      ServiceAccountKeyLink.self,
      UserCredentialsLink.self,
      GcloudADCLink.self,
      GcloudCLILink.self,
      GoogleMetadataLink.self,
    ],
    unconfigured: unconfigured)

  /// A file no link reads is refused for what it is; nothing at all, with every place looked at.
  @Sendable static func unconfigured(_ input: LinkInput, _ trace: ChainTrace) -> any Error {
    guard input.settings.isSet(GoogleSettings.applicationCredentials) else {
      return ConfigError(
        "Google Artifact Registry found no credentials. Looked at: \(trace.skipped). On a laptop run `gcloud auth application-default login`; in CI pass --gcp-workload-identity-provider \(WorkloadIdentityProvider.shape) (and optionally --gcp-service-account EMAIL), or set GOOGLE_APPLICATION_CREDENTIALS."
      )
    }
    do {
      return try ApplicationCredentials.read(input.settings).unsupported()
    } catch {
      return error
    }
  }
}
