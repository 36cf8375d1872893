/// What a Google link answers.
package enum GoogleCredential: Sendable {
  /// An OAuth access token (after any impersonation), sent as `oauth2accesstoken`'s password.
  case accessToken(GoogleToken)
  /// `--gcp-key-as-password`: the service account key itself is the password.
  case serviceAccountKey(GoogleServiceAccountKey)
}

/// The Google links ask nothing of the registry: every token has the cloud-platform scope.
package typealias GoogleTokenRequest = Void

/// The endpoint overrides the user gave explicitly (`--gcp-sts-endpoint`,
/// `--gcp-iam-credentials-endpoint`, `--gcp-oauth-endpoint`): flags only, because a
/// credential file may name Google hosts and only the user may point an exchange elsewhere.
package struct GoogleEndpoints: Sendable {
  package var sts: WebURL?
  package var iam: WebURL?
  package var oauth: WebURL?

  package init(_ settings: Settings) throws(ConfigError) {
    sts = try settings.endpoint(GoogleSettings.stsEndpoint, what: "--gcp-sts-endpoint")
    iam = try settings.endpoint(GoogleSettings.iamCredentialsEndpoint, what: "--gcp-iam-credentials-endpoint")
    oauth = try settings.endpoint(GoogleSettings.oauthEndpoint, what: "--gcp-oauth-endpoint")
  }

  /// The impersonation `--gcp-service-account` asks for, if any.
  package func impersonation(_ serviceAccount: String?, lifetime: Int?) throws(ConfigError) -> GoogleImpersonation? {
    guard let serviceAccount else { return nil }
    guard serviceAccount.contains("@"), !serviceAccount.contains("/") else {
      throw ConfigError(
        "--gcp-service-account '\(serviceAccount)' is not a service account email (NAME@PROJECT.iam.gserviceaccount.com)."
      )
    }
    var base: WebURL
    if let iam {
      base = iam
    } else {
      base = try WebURL(GoogleImpersonation.defaultBase, what: "the IAM Credentials endpoint")
    }
    return GoogleImpersonation(
      serviceAccount: serviceAccount, endpoint: GoogleImpersonation.url(base: base, serviceAccount: serviceAccount),
      lifetime: lifetime ?? 3600)
  }
}

extension GoogleImpersonation {
  /// The doctor step for this impersonation.
  var step: String { "POST \(endpoint) (generateAccessToken for \(serviceAccount), \(lifetime) s)" }

  /// `base`, or the token for the service account when one is impersonated.
  static func apply(_ impersonation: GoogleImpersonation?, to base: GoogleToken, caller: Caller, in context: Context)
    throws
    -> GoogleToken
  {
    guard let impersonation else { return base }
    return try impersonation.accessToken(using: base.value, caller: caller, in: context).fresh(
      from: "IAM Credentials", in: context)
  }
}

/// `GOOGLE_APPLICATION_CREDENTIALS`: the path and the parsed file, read by the links that use it.
struct ApplicationCredentials {
  var path: String
  var json: JSON
  var contents: Secret

  /// The file's `type`, or nil when unset, unreadable or not JSON (the probes' cheap look).
  static func type(_ settings: Settings) -> String? {
    guard let path = settings[GoogleSettings.applicationCredentials],
      let bytes = try? FileIO.read(path, limit: 1 << 20),
      let json = try? JSON(parsing: bytes, document: "credentials file")
    else { return nil }
    return json["type"]?.stringValue
  }

  static func read(_ settings: Settings) throws(ConfigError) -> ApplicationCredentials {
    guard let path = settings[GoogleSettings.applicationCredentials] else {
      throw ConfigError("GOOGLE_APPLICATION_CREDENTIALS is not set.")
    }
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(path, limit: 1 << 20)
    } catch {
      throw ConfigError(
        "Could not read the credentials file named by GOOGLE_APPLICATION_CREDENTIALS: \(error.description).")
    }
    do {
      let json = try JSON(parsing: bytes, document: "credentials file \(path) (GOOGLE_APPLICATION_CREDENTIALS)")
        .requireObject("credentials file \(path) (GOOGLE_APPLICATION_CREDENTIALS)")
      return ApplicationCredentials(path: path, json: json, contents: Secret(String(decoding: bytes, as: UTF8.self)))
    } catch {
      throw ConfigError(error.description)
    }
  }

  /// The refusal of a file neither Google link reads.
  func unsupported() -> ConfigError {
    let what = json["type"]?.stringValue.map { "has type '\($0)'" } ?? "has no \"type\" field"
    return ConfigError(
      "The credentials file \(path) (GOOGLE_APPLICATION_CREDENTIALS) \(what); indexkey reads external_account, service_account, authorized_user, impersonated_service_account and external_account_authorized_user files."
    )
  }
}
