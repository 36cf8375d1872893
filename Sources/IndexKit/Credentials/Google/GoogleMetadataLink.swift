/// The metadata server's access token on GCE, GKE (workload identity), Cloud Run, Cloud
/// Functions and Cloud Build, used as it is.
///
/// Asked only where the machine says it is Google's (DMI product name, `K_SERVICE`,
/// `CLOUD_RUN_JOB`, `GCE_METADATA_HOST`; not under `NO_GCE_CHECK`), so a laptop never waits
/// for a server that is not there.
package struct GoogleMetadataLink: CredentialLink {
  package static let name = "metadata-server"
  package static let settings =
    [GoogleSettings.metadataHost, GoogleSettings.noGCECheck, GoogleSettings.serviceAccount] + GoogleSettings.endpoints
  package var credential: GoogleUserCredential

  package static func probe(_ input: LinkInput) -> LinkProbe {
    if let evidence = GoogleMetadataIdentity.evidence(input.environment) { return .configured(evidence) }
    return .skipped(
      input.environment.flag("NO_GCE_CHECK")
        ? "NO_GCE_CHECK is set"
        : "this machine does not say it is Google Cloud (no GCE product name, K_SERVICE or GCE_METADATA_HOST)")
  }

  package init(_ input: LinkInput) throws {
    let endpoints = try GoogleEndpoints(input.settings)
    credential = GoogleUserCredential(
      source: .metadata(GoogleMetadataToken(environment: input.environment)),
      impersonation: try endpoints.impersonation(input.settings[GoogleSettings.serviceAccount], lifetime: nil))
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    try credential.fetch(in: context)
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview { credential.preview }
}
