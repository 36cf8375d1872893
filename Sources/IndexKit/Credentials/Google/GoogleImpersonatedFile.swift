/// An `impersonated_service_account` credentials file (`gcloud auth application-default
/// login --impersonate-service-account`): a source credential, then IAM Credentials
/// `generateAccessToken` for the service account its URL names.
package struct GoogleImpersonatedFile: Sendable {
  /// The source credential's own token.
  package enum Source: Sendable {
    case user(GoogleAuthorizedUser, tokenEndpoint: WebURL)
    case serviceAccount(GoogleServiceAccountKey, tokenEndpoint: WebURL)
  }

  package var source: Source
  package var impersonation: GoogleImpersonation
  package var path: String

  package init(source: Source, impersonation: GoogleImpersonation, path: String) {
    self.source = source
    self.impersonation = impersonation
    self.path = path
  }

  /// Reads the file's `service_account_impersonation_url` (a Google API URL unless
  /// `iamOverride` replaces its base) and `source_credentials`.
  package init(json: JSON, contents: Secret, path: String, origin: String, oauthOverride: WebURL?, iamOverride: WebURL?)
    throws(ConfigError)
  {
    let document = "impersonated_service_account file \(path) (\(origin))"
    let urlText: String
    let source: JSON
    do throws(JSONError) {
      urlText = try json.string("service_account_impersonation_url", in: document)
      source = try json.object("source_credentials", in: document)
    } catch {
      throw ConfigError(error.description)
    }
    let given = try WebURL(urlText, what: "The service_account_impersonation_url of \(path)")
    guard let account = GoogleImpersonation.serviceAccount(in: given) else {
      throw ConfigError(
        "The service_account_impersonation_url of \(path) does not end in SERVICE_ACCOUNT:generateAccessToken.")
    }
    let endpoint: WebURL
    if let iamOverride {
      endpoint = GoogleImpersonation.url(base: iamOverride, serviceAccount: account)
    } else {
      guard GoogleHosts.isGoogleAPI(given) else {
        throw ConfigError(
          "The service_account_impersonation_url of \(path) is not on googleapis.com; indexkey sends a token only to Google (or where --gcp-iam-credentials-endpoint says)."
        )
      }
      endpoint = given
    }
    var sourceEndpoint = try WebURL(GoogleAuthorizedUser.defaultEndpoint, what: "Google's OAuth endpoint")
    if let oauthOverride { sourceEndpoint = oauthOverride }
    switch source["type"]?.stringValue {
    case "authorized_user":
      self.source = .user(
        try GoogleAuthorizedUser(json: source, path: path, origin: origin), tokenEndpoint: sourceEndpoint)
    case "service_account":
      let key = try GoogleServiceAccountKey(json: source, contents: Secret(source.serialized()), path: path)
      self.source = .serviceAccount(key, tokenEndpoint: try key.tokenEndpoint(override: oauthOverride))
    case let other:
      throw ConfigError(
        "The source_credentials of \(path) have type '\(other ?? "none")'; indexkey reads authorized_user and service_account sources there."
      )
    }
    self.impersonation = GoogleImpersonation(serviceAccount: account, endpoint: endpoint, lifetime: 3600)
    self.path = path
  }

  package func accessToken(in context: Context) throws -> GoogleToken {
    let base: GoogleToken
    let caller: GoogleImpersonation.Caller
    context.transport.prepare(impersonation.endpoint.description)
    switch source {
    case .user(let user, let endpoint):
      base = try user.accessToken(endpoint: endpoint, in: context)
      caller = .user(user.who)
    case .serviceAccount(let key, let endpoint):
      base = try key.accessToken(endpoint: endpoint, in: context).fresh(from: "Google OAuth", in: context)
      caller = .serviceAccount(key.clientEmail)
    }
    return try impersonation.accessToken(using: base.value, caller: caller, in: context).fresh(
      from: "IAM Credentials", in: context)
  }
}
