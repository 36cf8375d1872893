/// Google's links in the order of Application Default Credentials: the CI token through
/// `--gcp-workload-identity-provider` (an explicit flag, so first), then the file in
/// `GOOGLE_APPLICATION_CREDENTIALS` (an `external_account` or a service account key).
public enum GoogleChain {
  public static let chain = CredentialChain<GoogleTokenRequest, GoogleCredential>(
    cloud: "Google", flag: "gcp-credential", variable: "INDEXKEY_GCP_CREDENTIAL",
    links: [
      GoogleFederationLink.self,
      ExternalAccountLink.self,
      ServiceAccountKeyLink.self,
    ],
    unconfigured: unconfigured)

  /// A file neither link reads is refused for what it is; no file at all, with the ways in.
  @Sendable static func unconfigured(_ input: LinkInput, _ trace: ChainTrace) -> any Error {
    guard input.settings.isSet(GoogleSettings.applicationCredentials) else {
      return ConfigError(
        "Google Artifact Registry needs a way to authenticate: pass --gcp-workload-identity-provider \(WorkloadIdentityProvider.shape) (and optionally --gcp-service-account EMAIL) to exchange the CI token, or set GOOGLE_APPLICATION_CREDENTIALS to an external_account or service account key file."
      )
    }
    do {
      return try ApplicationCredentials.read(input.settings).unsupported()
    } catch {
      return error
    }
  }
}
