/// The OAuth 2.0 JWT-bearer grant (RFC 7523) that turns a service account key into a
/// one-hour access token (PROTOCOLS.md §5d).
extension GoogleServiceAccountKey {
  /// google-auth puts this `aud` in the assertion whatever the key's `token_uri`.
  static let assertionAudience = "https://oauth2.googleapis.com/token"

  /// The signed assertion: RS256, `kid` = `private_key_id`, one hour of validity from `now`.
  func assertion(now: UnixTime) throws -> String {
    let issuedAt = Int64(now.rounded(.down))
    let header = JSON.object([("alg", .string("RS256")), ("typ", .string("JWT")), ("kid", .string(privateKeyID))])
    let claims = JSON.object([
      ("iss", .string(clientEmail)), ("scope", .string(GoogleHosts.cloudPlatformScope)),
      ("aud", .string(Self.assertionAudience)), ("iat", .integer(issuedAt)), ("exp", .integer(issuedAt + 3600)),
    ])
    do {
      return try JWTSigner.sign(header: header.serialized(), claims: claims.serialized(), key: signingKey, alg: .rs256)
    } catch {
      throw ConfigError("Could not sign with the service account key \(privateKeyID) in \(path): \(error).")
    }
  }

  /// Exchanges a fresh assertion for an access token at `endpoint`.
  package func accessToken(endpoint: WebURL, in context: Context) throws -> GoogleToken {
    let requestedAt = context.clock.now()
    let fields = [("grant_type", Self.jwtBearer), ("assertion", try assertion(now: requestedAt))]
    var request = HTTPRequest(
      method: .post, url: endpoint.description, body: Array(PercentEncoding.form(fields).utf8),
      purpose: "Google OAuth token request (service account key)")
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    let document = "Google OAuth token response"
    guard response.status == 200 else {
      let body = try? JSON(parsing: response.body, document: document)
      let error = body?["error"]?.stringValue
      if response.isServerFailure {
        throw ExchangeError.unavailable(
          ServiceFailure.message(
            service: "Google OAuth", endpoint: endpoint.description, status: response.status, detail: error,
            provider: "Google"))
      }
      guard let error else {
        throw ExchangeError.unavailable(
          "The Google OAuth endpoint \(endpoint) answered HTTP \(response.status) without an OAuth error body; check --gcp-oauth-endpoint."
        )
      }
      throw ExchangeError.refused(
        GoogleErrors.keyGrant(
          error: error, description: body?["error_description"]?.stringValue ?? "", account: clientEmail,
          keyID: privateKeyID,
          keyFile: path))
    }
    let body = try response.jsonObject(document, endpoint: endpoint.description)
    do throws(JSONError) {
      let token = try body.string("access_token", in: document)
      return GoogleToken(
        value: Secret(token),
        expiresAt: body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) })
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
  }
}
