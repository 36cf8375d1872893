import Testing

@testable import IndexKit

@Suite struct AzureArtifactsTests {
  @Test(arguments: [
    (
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/", "feed"
    ),
    (
      "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple",
      "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/",
      "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/upload/", "feed"
    ),
    (
      "https://pkgs.dev.azure.com/org/_packaging/feed@Release/pypi/upload/",
      "https://pkgs.dev.azure.com/org/_packaging/feed@Release/pypi/simple/",
      "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/upload/", "feed@Release"
    ),
    (
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed%40Release/pypi/simple/",
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed%40Release/pypi/simple/",
      "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/", "feed@Release"
    ),
    (
      "https://org.pkgs.visualstudio.com/_packaging/My%20Feed@Prerelease/pypi/simple/",
      "https://org.pkgs.visualstudio.com/_packaging/My%20Feed@Prerelease/pypi/simple/",
      "https://org.pkgs.visualstudio.com/_packaging/My%20Feed/pypi/upload/", "My Feed@Prerelease"
    ),
    (
      "https://org.pkgs.visualstudio.com/_packaging/feed/pypi/simple/",
      "https://org.pkgs.visualstudio.com/_packaging/feed/pypi/simple/",
      "https://org.pkgs.visualstudio.com/_packaging/feed/pypi/upload/", "feed"
    ),
    (
      "https://org.pkgs.visualstudio.com/proj/_packaging/f2/pypi/",
      "https://org.pkgs.visualstudio.com/proj/_packaging/f2/pypi/simple/",
      "https://org.pkgs.visualstudio.com/proj/_packaging/f2/pypi/upload/", "f2"
    ),
  ])
  func derivesInstallAndUploadURLs(given: String, simple: String, upload: String, name: String) throws {
    let url = try WebURL(given, what: "u")
    #expect(AzureArtifacts.matchesHost(url))
    let target = try AzureArtifacts.target(for: url)
    #expect(target.simpleURL.description == simple)
    #expect(target.uploadURL?.description == upload)
    #expect(target.name == name)
  }

  @Test(arguments: [
    "https://pkgs.dev.azure.com/org/proj/_packaging/feed/npm/registry/",
    "https://pkgs.dev.azure.com/_packaging/feed/pypi/simple/",
    "https://pkgs.dev.azure.com/org/proj/feed/pypi/simple/",
    "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/other/",
  ])
  func refusesOtherURLs(given: String) throws {
    #expect(throws: ConfigError.self) { try AzureArtifacts.target(for: try WebURL(given, what: "u")) }
  }

  @Test func recognisedByHostOnly() throws {
    #expect(
      Registries.recognise(try WebURL("https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/", what: "u"))
        is AzureArtifacts.Type)
    #expect(Registries.recognise(try WebURL("https://example.com/o/_packaging/f/pypi/simple/", what: "u")) == nil)
  }
}

@Suite struct EntraClientTests {
  let target = fixtureTarget(AzureArtifacts.self, "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/")

  func client(_ auth: EntraClient.ClientAuth) -> EntraClient {
    EntraClient(
      tenantID: "tenant-1", clientID: "client-1",
      authorityHost: fixtureURL("https://login.microsoftonline.com"), auth: auth)
  }

  @Test func federatedRequestShape() throws {
    let jwt = unsignedJWT(githubClaims)
    let stub = StubTransport { request in
      if request.url.hasPrefix("https://gh.test/") {
        return HTTPResponse(status: 200, text: #"{"value":"\#(jwt)"}"#)
      }
      return HTTPResponse(
        status: 200, text: #"{"token_type":"Bearer","expires_in":3599,"access_token":"entra-access"}"#)
    }
    let github = GitHubActionsIdentity(
      requestURL: try WebURL("https://gh.test/idtoken?api-version=2.0", what: "u"), requestToken: Secret("req-token"))
    let registry = AzureArtifacts(entra: client(.federated(github, audience: "api://AzureADTokenExchange")))
    let credential = try registry.credential(for: target, in: testContext(stub))
    #expect(credential.username == "EntraToken")
    #expect(credential.password.revealed == "entra-access")
    #expect(credential.expiresAt == Optional(Double(1_800_003_599)))
    let requests = stub.requests
    #expect(requests.count == 2)
    // Entra's connection is opened while GitHub's token is fetched
    #expect(
      stub.prepared == [.init(url: "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token", afterRequests: 0)])
    #expect(requests[0].url == "https://gh.test/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange")
    #expect(requests[0].header("Authorization") == "Bearer req-token")
    #expect(requests[1].method == .post)
    #expect(requests[1].url == "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token")
    #expect(requests[1].header("Content-Type") == "application/x-www-form-urlencoded")
    #expect(
      form(requests[1].body) == [
        "client_id": "client-1", "grant_type": "client_credentials",
        "scope": "499b84ac-1321-427f-aa17-267ca6975798/.default",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion": jwt,
      ])
  }

  @Test func secretRequestShape() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"expires_in":"3599","access_token":"a"}"#) }
    _ = try AzureArtifacts(entra: client(.secret(Secret("s3cret")))).credential(for: target, in: testContext(stub))
    #expect(
      form(stub.requests[0].body) == [
        "client_id": "client-1", "grant_type": "client_credentials",
        "scope": "499b84ac-1321-427f-aa17-267ca6975798/.default", "client_secret": "s3cret",
      ])
  }

  static func entraError(_ code: Int, _ error: String = "invalid_client", text: String = "Something.") -> HTTPResponse {
    HTTPResponse(
      status: 400,
      text:
        #"{"error":"\#(error)","error_description":"AADSTS\#(code): \#(text)\r\nTrace ID: 1\r\nCorrelation ID: 2","error_codes":[\#(code)]}"#
    )
  }

  func refusal(_ response: HTTPResponse, claims: JSON = githubClaims) throws -> ExchangeError {
    let stub = StubTransport { _ in response }
    let identity = StaticIdentity(token: unsignedJWT(claims))
    let registry = AzureArtifacts(entra: client(.federated(identity, audience: "api://AzureADTokenExchange")))
    let error = try #require(throws: ExchangeError.self) { try registry.credential(for: target, in: testContext(stub)) }
    #expect(!error.message.contains("c2lnbmF0dXJl"), "the token's signature must never appear")
    #expect(!error.message.contains("Trace ID"))
    return error
  }

  @Test func subjectMismatchNamesThePresentedSubjectAndTheFix() throws {
    let error = try refusal(
      Self.entraError(
        700213,
        text:
          "No matching federated identity record found for presented assertion subject 'repo:octo-org/app:ref:refs/heads/main'."
      ))
    #expect(error.exitStatus == .refused)
    #expect(error.message.contains("AADSTS700213"))
    #expect(error.message.contains("client client-1 in tenant tenant-1"))
    #expect(
      error.message.contains(
        "issuer 'https://token.actions.githubusercontent.com' and subject 'repo:octo-org/app:ref:refs/heads/main'"))
    #expect(error.message.contains("GitHub environment"))
  }

  @Test func environmentSubjectsGetTheEnvironmentHint() throws {
    var claims = githubClaims.objectValue ?? []
    claims.removeAll { $0.0 == "sub" }
    claims.append(("sub", .string("repo:octo-org/app:environment:prod")))
    let error = try refusal(Self.entraError(700213), claims: .object(claims))
    #expect(error.message.contains("names the environment, not the branch"))
  }

  @Test(arguments: [
    (7_002_138, "case"), (700211, "issuer is exactly 'https://token.actions.githubusercontent.com'"),
    (700212, "audience"), (700024, "exp 2027-01-15T08:05:00Z"), (7_000_215, "Value, not its Secret ID"),
    (700016, "No application with client id 'client-1'"), (90002, "Tenant 'tenant-1' was not found"),
  ])
  func everyCodeExplainsItself(code: Int, expected: String) throws {
    let error = try refusal(Self.entraError(code))
    #expect(error.message.contains("AADSTS\(code)"))
    #expect(error.message.contains(expected), "\(error.message)")
  }

  @Test func serverFailuresAreUnavailableNotRefused() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 503, text: "busy") }
    let error = try #require(throws: ExchangeError.self) {
      try AzureArtifacts(entra: client(.secret(Secret("s")))).credential(for: target, in: testContext(stub))
    }
    #expect(error.exitStatus == .network)
    #expect(error.message.contains("HTTP 503"))
  }

  @Test func malformedSuccessIsUnavailable() throws {
    for body in ["not json", #"{"token_type":"Bearer"}"#] {
      let stub = StubTransport { _ in HTTPResponse(status: 200, text: body) }
      let error = try #require(throws: ExchangeError.self) {
        try AzureArtifacts(entra: client(.secret(Secret("s")))).credential(for: target, in: testContext(stub))
      }
      #expect(error.exitStatus == .network)
      #expect(error.message.contains("Entra ID token response"))
    }
  }

  @Test(arguments: [
    ("https://login.microsoftonline.com", "api://AzureADTokenExchange"),
    ("https://login.microsoftonline.us", "api://AzureADTokenExchangeUSGov"),
    ("https://login.chinacloudapi.cn", "api://AzureADTokenExchangeChina"),
  ])
  func sovereignCloudAudiences(host: String, audience: String) throws {
    #expect(EntraClient.federatedAudience(authorityHost: try WebURL(host, what: "a")) == audience)
  }

  @Test func configurationComesFromFlagsThenEnvironment() throws {
    let env = Environment([
      "AZURE_CLIENT_ID": "env-client", "AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_SECRET": "s",
      "AZURE_AUTHORITY_HOST": "login.microsoftonline.us",
    ])
    let client = try entraClient(
      settings: Settings(flags: ["azure-client-id": "flag-client"], environment: env), identity: .auto)
    #expect(client.clientID == "flag-client")
    #expect(client.tenantID == "env-tenant")
    #expect(client.tokenEndpoint == "https://login.microsoftonline.us/env-tenant/oauth2/v2.0/token")
    guard case .secret = client.auth else {
      Issue.record("AZURE_CLIENT_SECRET should select the secret flow")
      return
    }
  }

  @Test func theFederatedAudienceCanBeSet() throws {
    let env = ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "GITLAB_CI": "true"]
    let client = try entraClient(
      settings: Settings(flags: ["azure-audience": "https://gitlab.example.com"], environment: Environment(env)),
      identity: .auto)
    guard case .federated(_, let audience) = client.auth else {
      Issue.record("expected the federated flow")
      return
    }
    #expect(audience == "https://gitlab.example.com")
    // In GitLab CI, the token comes from the id_tokens variable named after that audience.
    let message = thrownMessage {
      _ = try client.accessToken(
        scope: "s", in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env))
    }
    #expect(
      message.contains(#"id_tokens: { HTTPS___GITLAB_EXAMPLE_COM_ID_TOKEN: { aud: "https://gitlab.example.com" } }"#),
      "\(message)")
  }

  @Test func anExplicitIdentityWinsOverAClientSecret() throws {
    let env = Environment(["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"])
    let client = try entraClient(settings: Settings(environment: env), identity: IdentitySpec(parsing: "file:/tok"))
    guard case .federated = client.auth else {
      Issue.record("--identity should select the federated flow")
      return
    }
  }

  @Test func missingSettingsSayHowToSetThem() {
    let error = #expect(throws: ConfigError.self) {
      try entraClient(settings: Settings(environment: Environment(["AZURE_TENANT_ID": "t"])), identity: .auto)
    }
    #expect(error?.message.contains("AZURE_CLIENT_ID") == true)
    #expect(error?.message.contains("--azure-client-id") == true)
  }

  @Test func plainHTTPAuthorityIsRefusedUnlessLoopback() throws {
    let env = Environment(["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"])
    #expect(throws: ConfigError.self) {
      try entraClient(
        settings: Settings(flags: ["azure-authority-host": "http://login.example.com"], environment: env),
        identity: .auto)
    }
    _ = try entraClient(
      settings: Settings(flags: ["azure-authority-host": "http://127.0.0.1:1234"], environment: env), identity: .auto)
  }
}

/// An identity that always answers the same token (tests).
struct StaticIdentity: IdentitySource {
  var token: String
  var name: String { "a test token" }
  func idToken(audience: String, in context: Context) throws -> Secret { Secret(token) }
}
