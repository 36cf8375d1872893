/// An `external_account` file in `GOOGLE_APPLICATION_CREDENTIALS` (what
/// google-github-actions/auth writes): its `credential_source` gives the subject token.
package struct ExternalAccountLink: CredentialLink {
  package static let name = "external-account"
  package static let settings =
    [
      GoogleSettings.applicationCredentials, GoogleSettings.allowExecutables, GoogleSettings.serviceAccount,
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
    guard input.settings.isSet(GoogleSettings.applicationCredentials) else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS is not set")
    }
    guard ApplicationCredentials.type(input.settings) == "external_account" else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS names no external_account file")
    }
    return .configured("GOOGLE_APPLICATION_CREDENTIALS names an external_account file")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    let endpoints = try GoogleEndpoints(settings)
    let file = try ApplicationCredentials.read(settings)
    let path = file.path
    if input.identity != .auto {
      throw ConfigError(
        "--identity cannot be combined with the external_account file \(path): its credential_source says where the token comes from."
      )
    }
    if settings.isOn(GoogleSettings.keyAsPassword) {
      throw ConfigError("--gcp-key-as-password needs a service account key file; \(path) is an external_account file.")
    }
    let account = try ExternalAccount(json: file.json, path: path, environment: input.environment)
    federation = GoogleFederation(
      subject: .externalAccount(account),
      sts: GoogleSTS(endpoint: try account.stsEndpoint(override: endpoints.sts), client: account.client),
      exchange: GoogleSTS.Exchange(
        audience: account.audience, subjectTokenType: account.subjectTokenType,
        userProject: account.workforcePoolUserProject, origin: "the external_account file \(path)"))
    if let serviceAccount = settings[GoogleSettings.serviceAccount] {
      impersonation = try endpoints.impersonation(serviceAccount, lifetime: account.tokenLifetime)
    } else if let url = try account.impersonationEndpoint(override: endpoints.iam),
      let email = account.impersonatedAccount
    {
      impersonation = GoogleImpersonation(serviceAccount: email, endpoint: url, lifetime: account.tokenLifetime ?? 3600)
    } else {
      impersonation = nil
    }
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    .accessToken(try federation.token(impersonation: impersonation, in: context))
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview {
    federation.preview(impersonation: impersonation)
  }
}
