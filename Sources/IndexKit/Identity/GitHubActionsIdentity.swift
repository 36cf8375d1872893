/// GitHub Actions: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the request token.
package struct GitHubActionsIdentity: IdentitySource {
  package var requestURL: WebURL
  package var requestToken: Secret

  package init(requestURL: WebURL, requestToken: Secret) {
    self.requestURL = requestURL
    self.requestToken = requestToken
  }

  /// Reads the two runner variables; explains what to add when they are missing.
  package init(environment: Environment) throws {
    guard let url = environment["ACTIONS_ID_TOKEN_REQUEST_URL"],
      let token = environment["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
    else {
      throw IdentityError(
        "GitHub Actions did not give this job an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set): add `permissions: id-token: write` to the job or workflow. Pull requests from forks never get a token; run such jobs on pull_request_target with care, or skip publishing for forks."
      )
    }
    let parsed: WebURL
    do {
      parsed = try WebURL(url, what: "ACTIONS_ID_TOKEN_REQUEST_URL")
      try parsed.requireSecureTransport("ACTIONS_ID_TOKEN_REQUEST_URL")
    }
    self.init(requestURL: parsed, requestToken: Secret(token))
  }

  package var name: String { "GitHub Actions OIDC" }

  package func prepare(in context: Context) {
    context.transport.prepare(requestURL.description)
  }

  package func idToken(audience: String, in context: Context) throws -> Secret {
    let url = audience.isEmpty ? requestURL : requestURL.appendingQuery("audience", audience)
    var request = HTTPRequest(url: url.description, purpose: "GitHub Actions OIDC token request")
    request.setHeader("Authorization", "Bearer \(requestToken.revealed)")
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    let document = "GitHub Actions OIDC token response"
    guard response.status == 200 else {
      let message = (try? JSON(parsing: response.body, document: document))?["message"]?.stringValue
      let status = (500...599).contains(response.status) || response.status == 429 ? ExitStatus.network : .noIdentity
      throw IdentityError(
        "GitHub refused the OIDC token request with HTTP \(response.status)\(message.map { " (\($0))" } ?? ""). The request token may have expired (it lives as long as the job) or the job lacks `permissions: id-token: write`.",
        exitStatus: status)
    }
    let value: String
    do {
      value = try JSON(parsing: response.body, document: document).string("value", in: document)
    } catch {
      throw IdentityError(error.description, exitStatus: .network)
    }
    return try Secret(value).requireJWT(from: "GitHub Actions")
  }
}

extension GitHubActionsIdentity {
  /// The variables the runner sets for OIDC and the ones its subject is made of.
  static let variables = [
    "GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY", "GITHUB_REF", "GITHUB_EVENT_NAME", "GITHUB_WORKFLOW_REF",
  ]

  /// The issuer tokens of this job will carry: github.com's, or `https://HOST/_services/token`
  /// on GitHub Enterprise Server (`GITHUB_SERVER_URL` names the server); nil for GHE.com
  /// (data residency) hosts, whose issuer is best read from a token (`indexkey claims`).
  ///
  /// An enterprise on github.com may also have opted into `…githubusercontent.com/<enterprise>`.
  package static func expectedIssuer(_ environment: Environment) -> String? {
    guard var server = environment["GITHUB_SERVER_URL"], server != "https://github.com" else {
      return "https://token.actions.githubusercontent.com"
    }
    while server.hasSuffix("/") { server.removeLast() }
    if server.hasSuffix(".ghe.com") { return nil }
    return server + "/_services/token"
  }
}
