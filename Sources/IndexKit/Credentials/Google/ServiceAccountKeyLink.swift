/// A service account key file in `GOOGLE_APPLICATION_CREDENTIALS`: a JWT-bearer grant for a
/// one-hour token, or with `--gcp-key-as-password` the key itself as the password.
package struct ServiceAccountKeyLink: CredentialLink {
  package static let name = "service-account-key"
  package static let settings =
    [GoogleSettings.applicationCredentials, GoogleSettings.serviceAccount, GoogleSettings.keyAsPassword]
    + GoogleSettings.endpoints
  package var key: GoogleServiceAccountKey
  package var use: Use

  /// What the key is used for.
  package enum Use: Sendable {
    /// A JWT-bearer grant at the key's token endpoint, then impersonation if asked.
    case grant(tokenEndpoint: WebURL, impersonation: GoogleImpersonation?)
    /// `--gcp-key-as-password`: the key itself is the password; no exchange.
    case keyAsPassword
  }

  package init(key: GoogleServiceAccountKey, use: Use) {
    self.key = key
    self.use = use
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings.isSet(GoogleSettings.applicationCredentials) else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS is not set")
    }
    guard ApplicationCredentials.type(input.settings) == "service_account" else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS names no service account key file")
    }
    return .configured("GOOGLE_APPLICATION_CREDENTIALS names a service account key file")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    let endpoints = try GoogleEndpoints(settings)
    let file = try ApplicationCredentials.read(settings)
    key = try GoogleServiceAccountKey(json: file.json, contents: file.contents, path: file.path)
    let serviceAccount = settings[GoogleSettings.serviceAccount]
    if settings.isOn(GoogleSettings.keyAsPassword) {
      if serviceAccount != nil {
        throw ConfigError(
          "--gcp-key-as-password sends the key itself and cannot impersonate --gcp-service-account; drop one of them.")
      }
      use = .keyAsPassword
    } else {
      use = .grant(
        tokenEndpoint: try key.tokenEndpoint(override: endpoints.oauth),
        impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    }
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    guard case .grant(let tokenEndpoint, let impersonation) = use else { return .serviceAccountKey(key) }
    if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
    let base = try key.accessToken(endpoint: tokenEndpoint, in: context).fresh(from: "Google OAuth", in: context)
    return .accessToken(
      try GoogleImpersonation.apply(impersonation, to: base, caller: .serviceAccount(key.clientEmail), in: context))
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview {
    guard case .grant(let tokenEndpoint, let impersonation) = use else {
      return LinkPreview(
        steps: ["no exchange: the key file \(key.path) is the password (\(GoogleArtifactRegistry.keyUsername))"],
        username: GoogleArtifactRegistry.keyUsername,
        findings: [
          .warning(
            "--gcp-key-as-password: the service account key of \(key.clientEmail) itself becomes the password; it never expires until the key is deleted."
          )
        ])
    }
    let steps = [
      "POST \(tokenEndpoint) (JWT-bearer grant signed with key \(key.privateKeyID) of \(key.clientEmail)); no CI token is used"
    ]
    return LinkPreview(
      steps: steps + (impersonation.map { [$0.step] } ?? []), username: GoogleArtifactRegistry.username)
  }
}
