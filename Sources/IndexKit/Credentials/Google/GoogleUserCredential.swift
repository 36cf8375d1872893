/// A token from a user's sign-in or the metadata server, then `--gcp-service-account`
/// impersonated with it when asked: what the laptop and runtime links of ``GoogleChain`` hold.
package struct GoogleUserCredential: Sendable {
  package var source: GoogleLocalSource
  package var impersonation: GoogleImpersonation?

  package init(source: GoogleLocalSource, impersonation: GoogleImpersonation?) {
    self.source = source
    self.impersonation = impersonation
  }

  func fetch(in context: Context) throws -> GoogleCredential {
    if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
    let base = try source.accessToken(in: context)
    return .accessToken(try GoogleImpersonation.apply(impersonation, to: base, caller: source.caller, in: context))
  }

  var preview: LinkPreview {
    LinkPreview(
      steps: [source.step + "; no CI token is used"] + (impersonation.map { [$0.step] } ?? []),
      username: GoogleArtifactRegistry.username)
  }

  /// The signed-in user of an `authorized_user`, `impersonated_service_account` or
  /// `external_account_authorized_user` file; nil for another type.
  /// - Parameters:
  ///   - file: the credentials file.
  ///   - origin: how the file was found ("GOOGLE_APPLICATION_CREDENTIALS", "the gcloud ADC file").
  ///   - input: the link's input, whose settings choose the endpoints and impersonation.
  /// - Returns: the user credential, or nil for a file of another type.
  /// - Throws: ``ConfigError`` when the file or the settings cannot be used.
  static func fromFile(_ file: ApplicationCredentials, origin: String, input: LinkInput) throws -> GoogleUserCredential?
  {
    let settings = input.settings
    let endpoints = try GoogleEndpoints(settings)
    let user = try GoogleUserEndpoints(settings, flags: endpoints)
    let source: GoogleLocalSource
    switch file.json["type"]?.stringValue {
    case "authorized_user":
      let endpoint = try user.oauth ?? WebURL(GoogleAuthorizedUser.defaultEndpoint, what: "Google's OAuth endpoint")
      source = .authorizedUser(
        try GoogleAuthorizedUser(json: file.json, path: file.path, origin: origin), endpoint: endpoint)
    case "impersonated_service_account":
      source = .impersonatedFile(
        try GoogleImpersonatedFile(
          json: file.json, contents: file.contents, path: file.path, origin: origin, oauthOverride: user.oauth,
          iamOverride: user.iam))
    case "external_account_authorized_user":
      source = .workforceUser(
        try GoogleExternalAuthorizedUser(json: file.json, path: file.path, origin: origin, stsOverride: endpoints.sts))
    default:
      return nil
    }
    if settings.isOn(GoogleSettings.keyAsPassword) {
      throw ConfigError(
        "--gcp-key-as-password needs a service account key file; \(file.path) (\(origin)) is a user's sign-in.")
    }
    return GoogleUserCredential(
      source: source, impersonation: try endpoints.impersonation(settings[GoogleSettings.serviceAccount], lifetime: nil)
    )
  }

  /// The file types ``fromFile(_:origin:input:)`` reads.
  static let userTypes: Set<String> = [
    "authorized_user", "impersonated_service_account", "external_account_authorized_user",
  ]
}

/// Where gcloud-written files are redeemed: the `--gcp-oauth-endpoint` and
/// `--gcp-iam-credentials-endpoint` flags, else gcloud's own `CLOUDSDK_AUTH_TOKEN_HOST` and
/// `CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS`, which move gcloud's refreshes too.
struct GoogleUserEndpoints {
  var oauth: WebURL?
  var iam: WebURL?

  init(_ settings: Settings, flags: GoogleEndpoints) throws(ConfigError) {
    oauth = flags.oauth
    iam = flags.iam
    if oauth == nil { oauth = try settings.endpoint(GoogleSettings.tokenHost, what: "CLOUDSDK_AUTH_TOKEN_HOST") }
    if iam == nil {
      iam = try settings.endpoint(GoogleSettings.iamOverride, what: "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS")
    }
  }
}
