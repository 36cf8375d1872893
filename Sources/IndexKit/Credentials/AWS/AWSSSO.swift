/// IAM Identity Center: the access token `aws sso login` cached, exchanged at the portal's
/// `GetRoleCredentials` (`GET /federation/credentials?account_id=&role_name=` with
/// `x-amz-sso_bearer_token`) for the role's keys.
///
/// The cached token is only read: when it is missing or expired the user signs in again
/// with the AWS CLI, as the message says.
package struct AWSSSO: Sendable {
  package var profile: AWSSSOProfile
  /// `https://portal.sso.REGION.amazonaws.com` unless `AWS_ENDPOINT_URL_SSO` says otherwise.
  package var endpoint: WebURL

  package init(profile: AWSSSOProfile, endpoint: WebURL) {
    self.profile = profile
    self.endpoint = endpoint
  }

  package static func defaultEndpoint(region: String) -> String {
    "https://portal.sso.\(region).\(CodeArtifactRepository.dnsSuffix(region: region))"
  }

  /// The cached access token, refused with the login command when missing or expired.
  package func cachedToken(now: UnixTime) throws -> Secret {
    let login = "run `\(profile.loginCommand)`"
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(profile.cacheFile, limit: 1 << 20)
    } catch {
      throw IdentityError(
        "The AWS profile '\(profile.profile)' signs in with IAM Identity Center, but there is no cached sign-in (\(profile.cacheFile)); \(login)."
      )
    }
    let document = "IAM Identity Center token cache \(profile.cacheFile)"
    let json: JSON
    let token: String
    let expiry: String
    do {
      json = try JSON(parsing: bytes, document: document).requireObject(document)
      token = try json.string("accessToken", in: document)
      expiry = try json.string("expiresAt", in: document)
    } catch {
      throw IdentityError("\(error.description) Sign in again: \(login).")
    }
    guard let expiresAt = RFC3339.parse(expiry) else {
      throw IdentityError("The \(document) has an expiresAt '\(expiry)' that is not an ISO 8601 time; \(login).")
    }
    guard expiresAt - now > Freshness.margin else {
      throw IdentityError(
        "The IAM Identity Center sign-in of the AWS profile '\(profile.profile)' expired at \(expiresAt.iso8601); \(login)."
      )
    }
    return Secret(token)
  }

  /// The role's keys for the cached sign-in.
  package func roleCredentials(in context: Context) throws -> AWSSession {
    let token = try cachedToken(now: context.clock.now())
    var path = endpoint.path
    while path.hasSuffix("/") { path.removeLast() }
    let url =
      "\(endpoint.origin)\(path)/federation/credentials?account_id=\(PercentEncoding.encode(profile.accountID))&role_name=\(PercentEncoding.encode(profile.roleName))"
    var request = HTTPRequest(url: url, purpose: "IAM Identity Center GetRoleCredentials request")
    request.setHeader("x-amz-sso_bearer_token", token.revealed)
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    let principal =
      "IAM Identity Center role \(profile.roleName) in account \(profile.accountID) (profile \(profile.profile))"
    guard response.status == 200 else { throw refusal(response) }
    let document = "IAM Identity Center GetRoleCredentials response"
    let session: AWSSession
    do {
      let body = try JSON(parsing: response.body, document: document).requireObject(document)
      let role = try body.object("roleCredentials", in: document)
      let keys = AWSCredentials(
        accessKeyID: try role.string("accessKeyId", in: document),
        secretAccessKey: Secret(try role.string("secretAccessKey", in: document)),
        sessionToken: Secret(try role.string("sessionToken", in: document)))
      let millis = try role.integer("expiration", in: document)
      session = AWSSession(
        credentials: keys, expiresAt: ServerTime.instant(Double(millis) / 1000), principal: principal)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (HTTP \(response.status) from \(endpoint))")
    }
    try Freshness.check(
      "role credentials", from: "IAM Identity Center", stated: session.expiresAt, token: nil, now: context.clock.now())
    return session
  }

  private func refusal(_ response: HTTPResponse) -> any Error {
    let body = try? JSON(parsing: response.body, document: "IAM Identity Center error")
    let type = CodeArtifactClient.errorType(response, body: body)
    if response.isServerFailure {
      return ExchangeError.unavailable(
        ServiceFailure.message(
          service: "IAM Identity Center", endpoint: endpoint.description, status: response.status, detail: type,
          provider: "AWS"))
    }
    let message = body?["message"]?.stringValue ?? body?["Message"]?.stringValue ?? ""
    let head =
      "IAM Identity Center refused the cached sign-in of the AWS profile '\(profile.profile)' (HTTP \(response.status)\(type.map { " \($0)" } ?? "")\(message.isEmpty ? "" : ": \(Refusal.clean(message))"))"
    switch type {
    case "UnauthorizedException":
      return IdentityError("\(head); the sign-in has ended or was revoked: run `\(profile.loginCommand)`.")
    case "ForbiddenException":
      return ExchangeError.refused(
        "\(head); your user has no assignment to the role \(profile.roleName) in account \(profile.accountID). Check sso_account_id and sso_role_name (`aws sso list-account-roles`), or ask for the assignment."
      )
    default:
      return ExchangeError.refused("\(head).")
    }
  }
}
