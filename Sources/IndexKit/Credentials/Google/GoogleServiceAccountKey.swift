/// A Google service account key file (`"type": "service_account"`, PROTOCOLS.md §5d).
package struct GoogleServiceAccountKey: Sendable {
  package var path: String
  package var clientEmail: String
  package var privateKeyID: String
  /// The private key, loaded into libcrypto when the file is read.
  package var signingKey: RSAPrivateKey
  /// `token_uri` as the file gives it, if any.
  package var tokenURI: WebURL?
  /// The whole file, for `_json_key_base64`.
  package var contents: Secret

  package static let defaultTokenEndpoint = "https://oauth2.googleapis.com/token"
  package static let jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

  package init(json: JSON, contents: Secret, path: String) throws(ConfigError) {
    let file = ConfigFile(path: path, kind: "service account key")
    self.path = path
    self.contents = contents
    clientEmail = try file.string(json, "client_email")
    privateKeyID = try file.string(json, "private_key_id")
    let key = try file.string(json, "private_key")
    guard key.contains("-----BEGIN") && key.contains("PRIVATE KEY-----") else {
      throw file.error("has a \"private_key\" that is not a PEM private key")
    }
    do {
      signingKey = try RSAPrivateKey(pem: key, source: "the \"private_key\" of \(path)")
    } catch {
      throw file.error("has an unusable \"private_key\": \(error)")
    }
    if json["token_uri"] != nil {
      tokenURI = try file.url(json, "token_uri")
    }
  }

  /// The OAuth token URL to use: the explicit override, else the file's `token_uri`
  /// (or Google's default) if it is a Google API host.
  package func tokenEndpoint(override: WebURL?) throws(ConfigError) -> WebURL {
    if let override { return override }
    guard let uri = tokenURI else {
      do { return try WebURL(Self.defaultTokenEndpoint, what: "token_uri") } catch { throw error }
    }
    guard GoogleHosts.isGoogleOAuth(uri) else {
      throw ConfigFile(path: path, kind: "service account key").error(
        "has token_uri '\(uri)', which is not a Google OAuth host (https://*.googleapis.com or https://accounts.google.com); indexkey will not send a signed assertion there on a file's say-so. If this endpoint is intended, pass it explicitly with --gcp-oauth-endpoint"
      )
    }
    return uri
  }
}
