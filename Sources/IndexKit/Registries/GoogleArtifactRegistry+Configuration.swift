extension GoogleArtifactRegistry {
  /// From `--gcp-*` flags, else the local chain (``localChain(settings:identity:endpoints:)``).
  ///
  /// Endpoint overrides (`--gcp-sts-endpoint`, `--gcp-iam-credentials-endpoint`,
  /// `--gcp-oauth-endpoint`) are flags only: a credential file may name Google hosts,
  /// and only the user, explicitly, may point an exchange anywhere else.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> GoogleArtifactRegistry {
    let endpoints = try Endpoints(settings)
    let serviceAccount = settings.value("gcp-service-account")
    if let text = settings.value("gcp-workload-identity-provider") {
      if settings.has("gcp-key-as-password") {
        throw ConfigError("--gcp-key-as-password needs a service account key file in GOOGLE_APPLICATION_CREDENTIALS, not --gcp-workload-identity-provider.")
      }
      let provider = try WorkloadIdentityProvider(parsing: text, what: "--gcp-workload-identity-provider")
      let audience = settings.value("gcp-audience") ?? provider.defaultTokenAudience
      let federation = GoogleFederation(
        subject: .identity(try identity.source(environment: settings.environment), audience: audience),
        sts: GoogleSTS(endpoint: try endpoints.sts ?? WebURL(GoogleSTS.defaultEndpoint, what: "The STS endpoint")),
        exchange: GoogleSTS.Exchange(
          audience: provider.stsAudience, subjectTokenType: GoogleSTS.jwtTokenType, origin: "--gcp-workload-identity-provider"))
      return GoogleArtifactRegistry(
        authentication: .federated(federation), impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    }
    return try localChain(settings: settings, identity: identity, endpoints: endpoints)
  }

  /// A credentials file (`GOOGLE_APPLICATION_CREDENTIALS` or the gcloud ADC file) by its type.
  /// - Parameter origin: how the file was found, for messages.
  static func fromFile(
    _ path: String, origin: String, settings: Settings, identity: IdentitySpec, endpoints: Endpoints
  ) throws -> GoogleArtifactRegistry {
    let serviceAccount = settings.value("gcp-service-account")
    let (json, contents) = try readCredentialsFile(path, origin: origin)
    let type = json["type"]?.stringValue
    if settings.has("gcp-key-as-password") && type != "service_account" {
      throw ConfigError("--gcp-key-as-password needs a service account key file; \(path) (\(origin)) is \(type.map { "an \($0) file" } ?? "no key file").")
    }
    switch type {
    case "external_account":
      if identity != .auto {
        throw ConfigError("--identity cannot be combined with the external_account file \(path): its credential_source says where the token comes from.")
      }
      let account = try ExternalAccount(json: json, path: path, environment: settings.environment)
      let federation = GoogleFederation(
        subject: .externalAccount(account),
        sts: GoogleSTS(endpoint: try account.stsEndpoint(override: endpoints.sts), client: account.client),
        exchange: GoogleSTS.Exchange(
          audience: account.audience, subjectTokenType: account.subjectTokenType,
          userProject: account.workforcePoolUserProject, origin: "the external_account file \(path)"))
      let impersonation: GoogleImpersonation?
      if let serviceAccount {
        impersonation = try endpoints.impersonation(serviceAccount, lifetime: account.tokenLifetime)
      } else if let url = try account.impersonationEndpoint(override: endpoints.iam), let email = account.impersonatedAccount {
        impersonation = GoogleImpersonation(serviceAccount: email, endpoint: url, lifetime: account.tokenLifetime ?? 3600)
      } else {
        impersonation = nil
      }
      return GoogleArtifactRegistry(authentication: .federated(federation), impersonation: impersonation)
    case "service_account":
      let key = try GoogleServiceAccountKey(json: json, contents: contents, path: path)
      if settings.has("gcp-key-as-password") {
        if serviceAccount != nil {
          throw ConfigError("--gcp-key-as-password sends the key itself and cannot impersonate --gcp-service-account; drop one of them.")
        }
        return GoogleArtifactRegistry(authentication: .keyAsPassword(key), impersonation: nil)
      }
      return GoogleArtifactRegistry(
        authentication: .serviceAccountKey(key, tokenEndpoint: try key.tokenEndpoint(override: endpoints.oauth)),
        impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    case "authorized_user":
      let user = try GoogleAuthorizedUser(json: json, path: path, origin: origin)
      let endpoint = try endpoints.userOAuth ?? WebURL(GoogleAuthorizedUser.defaultEndpoint, what: "Google's OAuth endpoint")
      return GoogleArtifactRegistry(
        authentication: .local(.authorizedUser(user, endpoint: endpoint)), impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    case "impersonated_service_account":
      let file = try GoogleImpersonatedFile(
        json: json, contents: contents, path: path, origin: origin, oauthOverride: endpoints.userOAuth, iamOverride: endpoints.userIAM)
      return GoogleArtifactRegistry(
        authentication: .local(.impersonatedFile(file)), impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    case "external_account_authorized_user":
      let user = try GoogleExternalAuthorizedUser(json: json, path: path, origin: origin, stsOverride: endpoints.sts)
      return GoogleArtifactRegistry(
        authentication: .local(.workforceUser(user)), impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
    case let other:
      let what = other.map { "has type '\($0)'" } ?? "has no \"type\" field"
      throw ConfigError(
        "The credentials file \(path) (\(origin)) \(what); indexkey reads authorized_user, impersonated_service_account, external_account, external_account_authorized_user and service_account files.")
    }
  }

  private static func readCredentialsFile(_ path: String, origin: String) throws(ConfigError) -> (JSON, Secret) {
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(path, limit: 1 << 20)
    } catch {
      throw ConfigError("Could not read the credentials file named by \(origin): \(error.description).")
    }
    do {
      let json = try JSON(parsing: bytes, document: "credentials file \(path) (\(origin))")
        .requireObject("credentials file \(path) (\(origin))")
      return (json, Secret(String(decoding: bytes, as: UTF8.self)))
    } catch {
      throw ConfigError(error.description)
    }
  }

  /// The endpoint overrides the user gave explicitly.
  struct Endpoints {
    var sts: WebURL?
    var iam: WebURL?
    var oauth: WebURL?
    /// For gcloud-written files: the flags, else gcloud's own `CLOUDSDK_AUTH_TOKEN_HOST` and
    /// `CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS`, which move gcloud's refreshes too.
    var userOAuth: WebURL?
    var userIAM: WebURL?

    init(_ settings: Settings) throws(ConfigError) {
      func flag(_ name: String, _ what: String) throws(ConfigError) -> WebURL? {
        guard settings.has(name) else { return nil }
        return try settings.endpoint(name, default: "", what: what)
      }
      sts = try flag("gcp-sts-endpoint", "--gcp-sts-endpoint")
      iam = try flag("gcp-iam-credentials-endpoint", "--gcp-iam-credentials-endpoint")
      oauth = try flag("gcp-oauth-endpoint", "--gcp-oauth-endpoint")
      userOAuth = oauth
      userIAM = iam
      if userOAuth == nil, settings.environment.has("CLOUDSDK_AUTH_TOKEN_HOST") {
        userOAuth = try settings.endpoint("", env: ["CLOUDSDK_AUTH_TOKEN_HOST"], default: "", what: "CLOUDSDK_AUTH_TOKEN_HOST")
      }
      if userIAM == nil, settings.environment.has("CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS") {
        userIAM = try settings.endpoint(
          "", env: ["CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS"], default: "", what: "CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS")
      }
    }

    func impersonation(_ serviceAccount: String?, lifetime: Int?) throws(ConfigError) -> GoogleImpersonation? {
      guard let serviceAccount else { return nil }
      guard serviceAccount.contains("@"), !serviceAccount.contains("/") else {
        throw ConfigError("--gcp-service-account '\(serviceAccount)' is not a service account email (NAME@PROJECT.iam.gserviceaccount.com).")
      }
      var base: WebURL
      if let iam { base = iam } else { base = try WebURL(GoogleImpersonation.defaultBase, what: "the IAM Credentials endpoint") }
      return GoogleImpersonation(
        serviceAccount: serviceAccount, endpoint: GoogleImpersonation.url(base: base, serviceAccount: serviceAccount),
        lifetime: lifetime ?? 3600)
    }
  }
}
