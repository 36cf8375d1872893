/// Workload Identity Federation with the CI's token: `--gcp-workload-identity-provider`
/// names the provider; optionally `--gcp-service-account` is impersonated.
package struct GoogleFederationLink: CredentialLink {
  package static let name = "ci-federation"
  package static let settings =
    [
      GoogleSettings.workloadIdentityProvider, GoogleSettings.audience, GoogleSettings.serviceAccount,
      GoogleSettings.keyAsPassword,
    ]
    + GoogleSettings.endpoints
  package var federation: GoogleFederation
  package var impersonation: GoogleImpersonation?

  package init(federation: GoogleFederation, impersonation: GoogleImpersonation?) {
    self.federation = federation
    self.impersonation = impersonation
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    input.settings.isGiven(GoogleSettings.workloadIdentityProvider)
      ? .configured("--gcp-workload-identity-provider is given")
      : .skipped("--gcp-workload-identity-provider is not given")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    let endpoints = try GoogleEndpoints(settings)
    if settings.isOn(GoogleSettings.keyAsPassword) {
      throw ConfigError(
        "--gcp-key-as-password needs a service account key file in GOOGLE_APPLICATION_CREDENTIALS, not --gcp-workload-identity-provider."
      )
    }
    guard let text = settings[GoogleSettings.workloadIdentityProvider] else {
      throw ConfigError(
        "The ci-federation credential needs the workload identity provider: pass --gcp-workload-identity-provider \(WorkloadIdentityProvider.shape)."
      )
    }
    let provider = try WorkloadIdentityProvider(parsing: text, what: "--gcp-workload-identity-provider")
    let audience = settings[GoogleSettings.audience] ?? provider.defaultTokenAudience
    federation = GoogleFederation(
      subject: .identity(try input.identitySource(), audience: audience),
      sts: GoogleSTS(endpoint: try endpoints.sts ?? WebURL(GoogleSTS.defaultEndpoint, what: "The STS endpoint")),
      exchange: GoogleSTS.Exchange(
        audience: provider.stsAudience, subjectTokenType: GoogleSTS.jwtTokenType,
        origin: "--gcp-workload-identity-provider"))
    impersonation = try endpoints.impersonation(settings[GoogleSettings.serviceAccount], lifetime: nil)
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    .accessToken(try federation.token(impersonation: impersonation, in: context))
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview {
    federation.preview(impersonation: impersonation)
  }
}
