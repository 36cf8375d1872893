/// An `external_account_authorized_user` file (`gcloud auth application-default login
/// --login-config`, workforce identity federation): a refresh token redeemed at Google
/// STS's `token_url` (`https://sts.googleapis.com/v1/oauthtoken`) with the client in a Basic
/// header.
package struct GoogleExternalAuthorizedUser: Sendable {
  package var clientID: String
  package var clientSecret: Secret
  package var refreshToken: Secret
  package var tokenURL: WebURL
  package var path: String

  package static let loginCommand = "gcloud auth application-default login --login-config=LOGIN_CONFIG_FILE"

  /// - Parameters:
  ///   - json: the file's parsed contents.
  ///   - path: the file's path, for messages.
  ///   - origin: how the file was found, for messages.
  ///   - stsOverride: `--gcp-sts-endpoint`, the only way to send the token off Google.
  /// - Throws: ``ConfigError`` when a field is missing or the `token_url` is not on googleapis.com.
  package init(json: JSON, path: String, origin: String, stsOverride: WebURL?) throws(ConfigError) {
    let document = "external_account_authorized_user file \(path) (\(origin))"
    do throws(JSONError) {
      clientID = try json.string("client_id", in: document)
      clientSecret = Secret(try json.string("client_secret", in: document))
      refreshToken = Secret(try json.string("refresh_token", in: document))
      let given = try json.string("token_url", in: document)
      let url = try? WebURL(given, what: "The token_url of \(path)")
      if let stsOverride {
        tokenURL = stsOverride
      } else if let url, GoogleHosts.isGoogleAPI(url) {
        tokenURL = url
      } else {
        throw JSONError(document: document, problem: "has a token_url '\(given)' that is not on googleapis.com")
      }
    } catch {
      throw ConfigError("\(error.description) Sign in again with `\(Self.loginCommand)`.")
    }
    self.path = path
  }

  package func accessToken(in context: Context) throws -> GoogleToken {
    try GoogleAuthorizedUser.redeem(
      fields: [("grant_type", "refresh_token"), ("refresh_token", refreshToken.revealed)],
      basic: (clientID, clientSecret), endpoint: tokenURL,
      purpose: "Google STS token request (workforce refresh token)", login: Self.loginCommand,
      who: "the workforce user signed in to \(path)",
      in: context)
  }
}
