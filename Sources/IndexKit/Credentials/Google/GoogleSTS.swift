/// Google Security Token Service: trades a workload's token for a federated access token
/// (RFC 8693 token exchange, PROTOCOLS.md §5a).
///
/// No `Authorization` header unless the configuration carries an OAuth client.
package struct GoogleSTS: Sendable {
  package var endpoint: WebURL
  package var client: OAuthClient?

  package static let defaultEndpoint = "https://sts.googleapis.com/v1/token"
  package static let tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
  package static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
  package static let jwtTokenType = "urn:ietf:params:oauth:token-type:jwt"

  package init(endpoint: WebURL, client: OAuthClient? = nil) {
    self.endpoint = endpoint
    self.client = client
  }

  /// What one exchange sends besides the token itself.
  package struct Exchange: Sendable {
    package var audience: String
    package var subjectTokenType: String
    /// `workforce_pool_user_project`, sent as `options={"userProject":…}`.
    package var userProject: String?
    /// Where the configuration came from, for messages ("--gcp-workload-identity-provider").
    package var origin: String

    package init(audience: String, subjectTokenType: String, userProject: String? = nil, origin: String) {
      self.audience = audience
      self.subjectTokenType = subjectTokenType
      self.userProject = userProject
      self.origin = origin
    }
  }

  /// The form body of the exchange, fields in google-auth's order.
  func form(_ exchange: Exchange, subjectToken: Secret) -> [(String, String)] {
    var fields = [
      ("grant_type", Self.tokenExchange),
      ("audience", exchange.audience),
      ("scope", GoogleHosts.cloudPlatformScope),
      ("requested_token_type", Self.accessTokenType),
      ("subject_token", subjectToken.revealed),
      ("subject_token_type", exchange.subjectTokenType),
    ]
    if let project = exchange.userProject, client == nil {
      fields.append(("options", JSON.object([("userProject", .string(project))]).serialized()))
    }
    return fields
  }

  /// Exchanges `subjectToken`; refusals explain the STS error with the presented claims.
  package func exchange(_ exchange: Exchange, subjectToken: Secret, in context: Context) throws -> GoogleToken {
    var request = HTTPRequest(
      method: .post, url: endpoint.description,
      body: Array(PercentEncoding.form(form(exchange, subjectToken: subjectToken)).utf8),
      purpose: "Google STS token exchange")
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    request.setHeader("Accept", "application/json")
    if let client {
      let basic = Base64.encode(Array("\(client.id):\(client.secret.revealed)".utf8))
      request.setHeader("Authorization", "Basic \(basic)")
    }
    let requestedAt = context.clock.now()
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      throw refusal(response, exchange: exchange, presented: JWTClaims(token: subjectToken))
    }
    let document = "Google STS response"
    let body = try response.jsonObject(document, endpoint: endpoint.description)
    let token: GoogleToken
    do {
      let value = try body.string("access_token", in: document)
      let expiresIn = body["expires_in"]?.intValue
      token = GoogleToken(
        value: Secret(value), expiresAt: expiresIn.flatMap { ServerTime.expiry(in: $0, from: requestedAt) })
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    return try token.fresh(from: "Google STS", in: context)
  }

  private func refusal(_ response: HTTPResponse, exchange: Exchange, presented: JWTClaims?) -> ExchangeError {
    let body = try? JSON(parsing: response.body, document: "Google STS error")
    let error = body?["error"]?.stringValue
    if response.isServerFailure {
      return .unavailable(
        ServiceFailure.message(
          service: "Google STS", endpoint: endpoint.description, status: response.status, detail: error,
          provider: "Google"))
    }
    guard let error else {
      return .unavailable(
        "The Google STS endpoint \(endpoint) answered HTTP \(response.status) without an OAuth error body; check --gcp-sts-endpoint."
      )
    }
    return .refused(
      GoogleErrors.sts(
        error: error, description: body?["error_description"]?.stringValue ?? "", exchange: exchange,
        presented: presented))
  }
}
