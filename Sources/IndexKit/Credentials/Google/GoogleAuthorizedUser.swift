/// A signed-in user's refresh token: an `authorized_user` credentials file (what
/// `gcloud auth application-default login` writes) redeemed at Google's OAuth endpoint with
/// `grant_type=refresh_token` and the file's `client_id`/`client_secret`.
///
/// Its `quota_project_id` plays no part for Artifact Registry.
package struct GoogleAuthorizedUser: Sendable {
  package var clientID: String
  package var clientSecret: Secret
  package var refreshToken: Secret
  package var path: String
  /// Where the file came from, in words ("the gcloud ADC file", "GOOGLE_APPLICATION_CREDENTIALS").
  package var origin: String

  package static let defaultEndpoint = "https://oauth2.googleapis.com/token"
  package static let loginCommand = "gcloud auth application-default login"

  package init(clientID: String, clientSecret: Secret, refreshToken: Secret, path: String, origin: String) {
    self.clientID = clientID
    self.clientSecret = clientSecret
    self.refreshToken = refreshToken
    self.path = path
    self.origin = origin
  }

  package init(json: JSON, path: String, origin: String) throws(ConfigError) {
    let document = "authorized_user credentials file \(path) (\(origin))"
    do {
      self.init(
        clientID: try json.string("client_id", in: document),
        clientSecret: Secret(try json.string("client_secret", in: document)),
        refreshToken: Secret(try json.string("refresh_token", in: document)), path: path, origin: origin)
    } catch {
      throw ConfigError("\(error.description) Sign in again with `\(Self.loginCommand)`.")
    }
  }

  /// Who the token stands for, in words.
  package var who: String { "the user signed in to \(path)" }

  /// Redeems the refresh token at `endpoint`.
  package func accessToken(endpoint: WebURL, in context: Context) throws -> GoogleToken {
    let fields = [
      ("grant_type", "refresh_token"), ("refresh_token", refreshToken.revealed), ("client_id", clientID),
      ("client_secret", clientSecret.revealed),
    ]
    return try Self.redeem(
      fields: fields, basic: nil, endpoint: endpoint, purpose: "Google OAuth token request (refresh token)",
      login: Self.loginCommand, who: who, in: context)
  }

  /// The refresh-token grant, shared with `external_account_authorized_user` (which sends
  /// its client in a Basic header).
  static func redeem(
    fields: [(String, String)], basic: (String, Secret)?, endpoint: WebURL, purpose: String, login: String, who: String,
    in context: Context
  ) throws -> GoogleToken {
    let requestedAt = context.clock.now()
    var request = HTTPRequest(
      method: .post, url: endpoint.description, body: Array(PercentEncoding.form(fields).utf8), purpose: purpose)
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    request.setHeader("Accept", "application/json")
    if let (id, secret) = basic {
      request.setHeader(
        "Authorization",
        "Basic " + Base64.encode(Array("\(PercentEncoding.encode(id)):\(PercentEncoding.encode(secret.revealed))".utf8))
      )
    }
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
      let description = body?["error_description"]?.stringValue.map { ": \(Refusal.clean($0))" } ?? ""
      let head = "Google refused the refresh token of \(who) (\(error)\(description))"
      switch error {
      case "invalid_grant":
        throw IdentityError(
          "\(head): the sign-in expired or was revoked (a password change, an admin's session limit, 7 days for an app in testing). Run `\(login)` again."
        )
      case "invalid_client", "unauthorized_client":
        throw IdentityError(
          "\(head): the OAuth client in the file is unknown or its secret is wrong. Run `\(login)` again to write a fresh file."
        )
      default:
        throw ExchangeError.refused("\(head).")
      }
    }
    let body = try response.jsonObject(document, endpoint: endpoint.description)
    let token: String
    do throws(JSONError) {
      token = try body.string("access_token", in: document)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    let expiry = body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) }
    return try GoogleToken(value: Secret(token), expiresAt: expiry).fresh(from: "Google OAuth", in: context)
  }
}
