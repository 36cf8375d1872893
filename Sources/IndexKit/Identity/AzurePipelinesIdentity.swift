/// Azure Pipelines (PROTOCOLS.md §3): `POST $SYSTEM_OIDCREQUESTURI?api-version=7.1
/// [&serviceConnectionId=ID]` with `Authorization: Bearer $SYSTEM_ACCESSTOKEN` → `{"oidcToken"}`.
///
/// The audience is always `api://AzureADTokenExchange`. With a service connection the
/// subject is `sc://ORG/PROJECT/CONNECTION`; without one it is the pipeline's `p://…`.
package struct AzurePipelinesIdentity: IdentitySource {
  package var requestURL: WebURL
  package var accessToken: Secret
  package var serviceConnectionID: String?

  package init(requestURL: WebURL, accessToken: Secret, serviceConnectionID: String?) {
    self.requestURL = requestURL
    self.accessToken = accessToken
    self.serviceConnectionID = serviceConnectionID
  }

  /// The variable AzureCLI@2 and similar tasks set to the service connection they run with.
  package static let serviceConnectionVariable = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"

  static let variables = [
    "TF_BUILD", "SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN", serviceConnectionVariable, "SYSTEM_TEAMPROJECT",
    "BUILD_DEFINITIONNAME",
  ]

  /// Reads the job's variables; explains how to map `System.AccessToken` when it is missing.
  package init(environment: Environment, serviceConnectionID: String?) throws {
    guard let url = environment["SYSTEM_OIDCREQUESTURI"] else {
      throw IdentityError(
        "Azure Pipelines did not give this job an OIDC request URL (SYSTEM_OIDCREQUESTURI is not set); it needs a current Azure DevOps Services agent. Outside Azure Pipelines, choose another --identity."
      )
    }
    guard let token = environment["SYSTEM_ACCESSTOKEN"] else {
      throw IdentityError(
        "Azure Pipelines does not put the job access token in the environment unless the step maps it: add `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` to the step that runs indexkey (SYSTEM_ACCESSTOKEN is not set)."
      )
    }
    let parsed: WebURL
    do {
      parsed = try WebURL(url, what: "SYSTEM_OIDCREQUESTURI")
      try parsed.requireSecureTransport("SYSTEM_OIDCREQUESTURI")
    }
    self.init(
      requestURL: parsed, accessToken: Secret(token),
      serviceConnectionID: serviceConnectionID ?? environment[Self.serviceConnectionVariable])
  }

  package var name: String {
    serviceConnectionID.map { "Azure Pipelines OIDC (service connection \($0))" } ?? "Azure Pipelines OIDC"
  }

  package func prepare(in context: Context) {
    context.transport.prepare(requestURL.description)
  }

  package func idToken(audience: String, in context: Context) throws -> Secret {
    var url = requestURL.appendingQuery("api-version", "7.1")
    if let serviceConnectionID { url = url.appendingQuery("serviceConnectionId", serviceConnectionID) }
    var request = HTTPRequest(method: .post, url: url.description, purpose: "Azure Pipelines OIDC token request")
    request.setHeader("Authorization", "Bearer \(accessToken.revealed)")
    request.setHeader("Content-Type", "application/json")
    request.setHeader("Accept", "application/json")
    // Without it, a token Azure DevOps does not accept gets a sign-in redirect, not a 401.
    request.setHeader("X-TFS-FedAuthRedirect", "Suppress")
    let response = try context.transport.send(request)
    let document = "Azure Pipelines OIDC token response"
    guard response.status == 200 else {
      throw refusal(response)
    }
    let value: String
    do {
      value = try JSON(parsing: response.body, document: document).string("oidcToken", in: document)
    } catch {
      throw IdentityError(error.description, exitStatus: .network)
    }
    return try Secret(value).requireJWT(from: "Azure Pipelines")
  }

  private func refusal(_ response: HTTPResponse) -> IdentityError {
    let message = (try? JSON(parsing: response.body, document: "error"))?["message"]?.stringValue
    let said = message.map { " (\(ProcessToken.redactingTokens($0)))" } ?? ""
    let head = "Azure Pipelines refused the OIDC token request with HTTP \(response.status)\(said)."
    if response.isServerFailure {
      return IdentityError("\(head) Azure DevOps may be having trouble; try again.", exitStatus: .network)
    }
    switch response.status {
    case 401, 403, 203, 302:
      return IdentityError(
        "\(head) SYSTEM_ACCESSTOKEN was not accepted: map it from this job with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` (a token from another job or a PAT does not work)."
      )
    default:
      let connection =
        serviceConnectionID.map {
          " Check that the service connection '\($0)' exists (its id, not its name), uses workload identity federation, and that this pipeline is allowed to use it."
        } ?? ""
      return IdentityError(head + connection)
    }
  }
}
