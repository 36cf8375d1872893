import IndexKit
import Testing

@Suite struct AzurePipelinesIdentityTests {
  let environment = [
    "TF_BUILD": "True",
    "SYSTEM_OIDCREQUESTURI":
      "https://dev.azure.com/org/proj-id/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken",
    "SYSTEM_ACCESSTOKEN": "job-access-token",
  ]

  @Test func postsToTheRequestURIWithTheJobToken() throws {
    let token = unsignedJWT([("sub", .string("sc://org/proj/conn"))])
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"oidcToken":"\#(token)"}"#) }
    let source = try AzurePipelinesIdentity(environment: Environment(environment), serviceConnectionID: "1234-abcd")
    #expect(
      try source.idToken(audience: "ignored", in: identityContext(environment, transport: stub)).revealed == token)
    let request = try #require(stub.requests.first)
    #expect(request.method == .post)
    #expect(
      request.url
        == "https://dev.azure.com/org/proj-id/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken?api-version=7.1&serviceConnectionId=1234-abcd"
    )
    #expect(request.header("Authorization") == "Bearer job-access-token")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("X-TFS-FedAuthRedirect") == "Suppress")
    #expect(request.body.isEmpty)
  }

  @Test(arguments: [401, 203, 302])
  func aSignInAnswerExplainsTheAccessTokenMapping(status: Int) throws {
    let source = try AzurePipelinesIdentity(environment: Environment(environment), serviceConnectionID: nil)
    let signIn = StubTransport { _ in HTTPResponse(status: status, text: "<html>Azure DevOps Services | Sign In</html>")
    }
    let message = errorMessage { try source.idToken(audience: "", in: identityContext(environment, transport: signIn)) }
    #expect(message?.contains("SYSTEM_ACCESSTOKEN was not accepted") == true, "\(message ?? "")")
  }

  @Test func serviceConnectionComesFromTheTaskVariable() throws {
    var env = environment
    env["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"] = "from-task"
    let source = try AzurePipelinesIdentity(environment: Environment(env), serviceConnectionID: nil)
    #expect(source.serviceConnectionID == "from-task")
    let explicit = try AzurePipelinesIdentity(environment: Environment(env), serviceConnectionID: "flag")
    #expect(explicit.serviceConnectionID == "flag")
  }

  @Test func withoutServiceConnectionOnlyTheApiVersionIsAdded() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"oidcToken":"\#(githubToken())"}"#) }
    _ = try AzurePipelinesIdentity(environment: Environment(environment), serviceConnectionID: nil)
      .idToken(audience: "", in: identityContext(environment, transport: stub))
    #expect(stub.requests.first?.url.hasSuffix("/oidctoken?api-version=7.1") == true)
  }

  @Test func missingAccessTokenExplainsTheMapping() {
    var env = environment
    env["SYSTEM_ACCESSTOKEN"] = ""
    let message = errorMessage { try AzurePipelinesIdentity(environment: Environment(env), serviceConnectionID: nil) }
    #expect(message?.contains("env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }") == true)
  }

  @Test func refusalsNameTheCause() throws {
    let source = try AzurePipelinesIdentity(environment: Environment(environment), serviceConnectionID: "conn")
    let denied = StubTransport { _ in HTTPResponse(status: 401, text: #"{"message":"TF400813: not authorized"}"#) }
    let message = errorMessage { try source.idToken(audience: "", in: identityContext(environment, transport: denied)) }
    #expect(message?.contains("HTTP 401 (TF400813: not authorized)") == true)
    #expect(message?.contains("$(System.AccessToken)") == true)
    let missing = StubTransport { _ in HTTPResponse(status: 404, text: "{}") }
    let second = errorMessage { try source.idToken(audience: "", in: identityContext(environment, transport: missing)) }
    #expect(second?.contains("service connection 'conn' exists") == true)
  }
}

@Suite struct GoogleMetadataIdentityTests {
  @Test func asksTheMetadataServerForAnIDToken() throws {
    let token = unsignedJWT([("iss", .string("https://accounts.google.com"))])
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: token) }
    let env = ["GCE_METADATA_HOST": "127.0.0.1:8089"]
    let source = GoogleMetadataIdentity(environment: Environment(env))
    #expect(
      try source.idToken(audience: "https://example.com/a b", in: identityContext(env, transport: stub)).revealed
        == token)
    let request = try #require(stub.requests.first)
    #expect(
      request.url
        == "http://127.0.0.1:8089/computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fexample.com%2Fa%20b&format=full"
    )
    #expect(request.header("Metadata-Flavor") == "Google")
  }

  @Test func defaultHostIsTheMetadataServer() {
    #expect(GoogleMetadataIdentity(environment: Environment()).host == "metadata.google.internal")
    #expect(GoogleMetadataIdentity(environment: Environment(["GCE_METADATA_ROOT": "10.0.0.1"])).host == "10.0.0.1")
  }

  @Test func noServiceAccountIsExplained() {
    let stub = StubTransport { _ in HTTPResponse(status: 404, text: "Not Found\n") }
    let message = errorMessage {
      try GoogleMetadataIdentity().idToken(audience: "a", in: identityContext([:], transport: stub))
    }
    #expect(message?.contains("HTTP 404") == true)
    #expect(message?.contains("No service account is attached") == true)
  }

  @Test func anAudienceIsRequired() {
    #expect(
      errorMessage { try GoogleMetadataIdentity().idToken(audience: "", in: identityContext([:])) }?.contains(
        "--audience") == true)
  }
}

@Suite struct GitHubActionsIdentityTests {
  @Test func everyCallRequestsAFreshToken() throws {
    let counter = Locked(0)
    let stub = StubTransport { _ in
      let n = counter.withLock {
        $0 += 1
        return $0
      }
      return HTTPResponse(status: 200, text: #"{"value":"\#(githubToken(sub: "repo:o/r:ref:refs/heads/b\(n)"))"}"#)
    }
    let env = [
      "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://runner.example/idtoken?api-version=2.0",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
    ]
    let context = identityContext(env, transport: stub)
    let first = try AmbientIdentity().idToken(audience: "pypi", in: context)
    let second = try AmbientIdentity().idToken(audience: "pypi", in: context)
    #expect(first != second)
    #expect(
      stub.requests.map(\.url)
        == Array(repeating: "https://runner.example/idtoken?api-version=2.0&audience=pypi", count: 2))
  }

  @Test(
    arguments: [
      (nil, "https://token.actions.githubusercontent.com"),
      ("https://github.com", "https://token.actions.githubusercontent.com"),
      ("https://ghe.example.com", "https://ghe.example.com/_services/token"),
      ("https://ghe.example.com/", "https://ghe.example.com/_services/token"),
      ("https://octo.ghe.com", nil),
    ] as [(String?, String?)])
  func expectedIssuerFollowsTheServer(server: String?, issuer: String?) {
    let env = server.map { ["GITHUB_SERVER_URL": $0] } ?? [:]
    #expect(GitHubActionsIdentity.expectedIssuer(Environment(env)) == issuer)
  }
}
