import IndexKit
import Testing

@Suite struct JFrogTests {
  static let index = "https://acme.jfrog.io/artifactory/api/pypi/pypi-local/simple"

  func target(_ url: String = index) throws -> IndexTarget {
    try JFrog.target(for: RegistryFixtures.url(url))
  }

  func oidc(
    _ source: CountingIdentity, audience: String = "jfrog-github", project: String? = nil, platform: WebURL? = nil
  ) -> JFrog {
    JFrog(
      link: JFrogOIDCLink(provider: "github-oidc", source: source, audience: audience, projectKey: project),
      platform: platform)
  }

  static func accessToken(sub: String) -> String {
    unsignedJWT([("sub", .string(sub)), ("exp", .integer(Int64(RegistryFixtures.now) + 3600))])
  }

  @Test func exchangePostsTheTokenExchangeJSONToAccess() throws {
    let access = Self.accessToken(sub: "jfac@01h/users/ci-bot")
    let stub = StubTransport { _ in
      RegistryFixtures.response(
        200,
        #"{"access_token":"\#(access)","token_type":"Bearer","expires_in":3600,"username":"ci-bot","reference_token":""}"#
      )
    }
    let source = CountingIdentity()
    let credential = try oidc(source, project: "proj").credential(for: target(), in: RegistryFixtures.context(stub))

    #expect(source.audiences == ["jfrog-github"])
    #expect(stub.prepared == [.init(url: "https://acme.jfrog.io/access/api/v1/oidc/token", afterRequests: 0)])
    let request = try #require(stub.requests.first)
    #expect(stub.requests.count == 1)
    #expect(request.method == .post)
    #expect(request.url == "https://acme.jfrog.io/access/api/v1/oidc/token")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("Authorization") == nil)
    let body = try JSON(parsing: request.body, document: "request")
    #expect(body["grant_type"] == .string("urn:ietf:params:oauth:grant-type:token-exchange"))
    #expect(body["subject_token_type"] == .string("urn:ietf:params:oauth:token-type:id_token"))
    #expect(body["subject_token"] == .string(source.tokens[0]))
    #expect(body["provider_name"] == .string("github-oidc"))
    #expect(body["project_key"] == .string("proj"))
    #expect(credential.username == "ci-bot")
    #expect(credential.password.revealed == access)
    #expect(credential.expiresAt == RegistryFixtures.now + 3600)
    #expect(credential.index.uploadURL?.description == "https://acme.jfrog.io/artifactory/api/pypi/pypi-local")
  }

  @Test func withoutAUsernameInTheAnswerItComesFromTheTokenSubject() throws {
    let access = Self.accessToken(sub: "jfrt@01abc/users/deployer")
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"access_token":"\#(access)"}"#) }
    let credential = try oidc(CountingIdentity()).credential(for: target(), in: RegistryFixtures.context(stub))
    #expect(credential.username == "deployer")
    #expect(credential.expiresAt == RegistryFixtures.now + 3600)
    let request = try #require(stub.requests.first)
    #expect(try JSON(parsing: request.body, document: "request")["project_key"] == nil)
  }

  @Test func anAnswerWithNoUsernameAndAnOpaqueTokenIsAServiceFailure() throws {
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"access_token":"opaque-reference"}"#) }
    let error = #expect(throws: ExchangeError.self) {
      try oidc(CountingIdentity()).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == .network)
    #expect(error?.message.contains("no username") == true)
  }

  @Test(
    arguments: [
      (
        "https://acme.example.com/jfrog/artifactory/api/pypi/py/simple/", nil,
        "https://acme.example.com/jfrog/access/api/v1/oidc/token"
      ),
      (
        "https://acme.example.com/artifactory/api/pypi/py/simple", "https://platform.example.com/",
        "https://platform.example.com/access/api/v1/oidc/token"
      ),
      ("http://127.0.0.1:8081/artifactory/api/pypi/py", nil, "http://127.0.0.1:8081/access/api/v1/oidc/token"),
    ] as [(String, String?, String)])
  func theAccessEndpointComesFromThePlatformURLOrTheIndex(index: String, platform: String?, expected: String) throws {
    let registry = oidc(CountingIdentity(), platform: platform.map(RegistryFixtures.url))
    #expect(registry.tokenEndpoint(for: try target(index)) == expected)
  }

  @Test(arguments: [
    (
      401, #"{"errors":[{"status":401,"message":"Failed to validate the token"}]}"#, IndexKit.ExitStatus.refused,
      [
        "Failed to validate the token", "integration 'github-oidc'", "No identity mapping of 'github-oidc'",
        "iss 'https://token.actions.githubusercontent.com'",
      ]
    ),
    (
      401, #"{"errors":[{"status":401,"message":"Token audience mismatch"}]}"#, .refused,
      [
        "must equal the token's aud 'jfrog-github'", "asked the CI for a token with the audience 'jfrog-github'",
        "--jfrog-oidc-audience",
      ]
    ),
    (
      400, #"{"errors":[{"status":400,"message":"Invalid request"}]}"#, .refused,
      ["Invalid request", "identity mappings"]
    ),
    (
      404, #"{"errors":[{"status":404,"message":"Provider not found"}]}"#, .refused,
      ["Provider not found", "no OIDC integration named 'github-oidc'", "--jfrog-oidc-provider"]
    ),
    (403, #"{"errors":[{"status":403,"message":"Forbidden"}]}"#, .refused, ["token scope"]),
    (500, #"{"errors":[{"status":500,"message":"boom"}]}"#, .network, ["boom", "try again later"]),
    (401, "<html>login</html>", .network, ["without JFrog's error format", "--jfrog-url"]),
  ])
  func refusalsSayWhatWasPresentedAndWhatToChange(
    status: Int, body: String, exit: IndexKit.ExitStatus, expected: [String]
  ) throws {
    let stub = StubTransport { _ in RegistryFixtures.response(status, body) }
    let source = CountingIdentity()
    let error = #expect(throws: ExchangeError.self) {
      try oidc(source).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == exit)
    #expect(error?.message.contains("HTTP \(status)") == true)
    for text in expected {
      #expect(error?.message.contains(text) == true, "missing '\(text)' in: \(error?.message ?? "")")
    }
    #expect(error?.message.contains(source.tokens[0]) == false)
  }

  @Test func aStaticAccessTokenNeedsNoRequest() throws {
    let token = Self.accessToken(sub: "jfac@01h/users/alice")
    let settings = Settings(environment: Environment(["JF_ACCESS_TOKEN": token, "JF_URL": "https://acme.jfrog.io"]))
    let registry = try JFrog.make(settings: settings, identity: .auto)
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let credential = try registry.credential(for: target(), in: RegistryFixtures.context(stub))
    #expect(stub.requests.isEmpty)
    #expect(credential.username == "alice")
    #expect(credential.password.revealed == token)

    let named = try JFrog.make(
      settings: Settings(
        environment: Environment(["JF_ACCESS_TOKEN": "opaque", "JF_USER": "bob", "JF_URL": "https://acme.jfrog.io/"])),
      identity: .auto)
    #expect(try named.credential(for: target(), in: RegistryFixtures.context(stub)).username == "bob")
  }

  @Test func theProviderFlagWinsOverAStaticToken() throws {
    let settings = Settings(
      flags: ["jfrog-oidc-provider": "gh", "jfrog-oidc-audience": "aud"],
      environment: Environment(["JF_ACCESS_TOKEN": "t", "JF_PROJECT": "p"]))
    let link = try #require(try JFrog.make(settings: settings, identity: .auto).credentials.link as? JFrogOIDCLink)
    #expect(link.provider == "gh")
    #expect(link.audience == "aud")
    #expect(link.projectKey == "p")
  }

  @Test(arguments: [
    ([:], "--jfrog-oidc-provider"),
    (["JF_ACCESS_TOKEN": "opaque"], "JF_USER"),
    (["JF_ACCESS_TOKEN": "a", "JF_ACCESS_TOKEN_FILE": "/x"], "only one"),
    (["JF_ACCESS_TOKEN": accessToken(sub: "jfac@01h/users/alice")], "set JF_URL (or pass --jfrog-url)"),
  ])
  func missingSettingsAreConfigErrors(environment: [String: String], expected: String) {
    let error = #expect(throws: ConfigError.self) {
      try JFrog.make(settings: Settings(environment: Environment(environment)), identity: .auto)
    }
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test(arguments: [
    ["JF_ACCESS_TOKEN": accessToken(sub: "jfac@01h/users/alice"), "JF_URL": "https://acme.jfrog.io"],
    ["JF_ACCESS_TOKEN": accessToken(sub: "jfac@01h/users/alice"), "JF_URL": "acme.jfrog.io:443"],
  ])
  func anAccessTokenGoesOnlyToItsPlatformsHost(environment: [String: String]) throws {
    let registry = try JFrog.make(settings: Settings(environment: Environment(environment)), identity: .auto)
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    _ = try registry.credential(for: target(), in: RegistryFixtures.context(stub))
    let error = #expect(throws: ConfigError.self) {
      try registry.credential(
        for: target("https://evil.example/artifactory/api/pypi/x/simple/"), in: RegistryFixtures.context(stub))
    }
    #expect(error?.message.contains("to evil.example: it is for acme.jfrog.io") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(environment["JF_ACCESS_TOKEN"] ?? "-") == false)
    #expect(stub.requests.isEmpty)
  }

  @Test func anExchangeWithANamedPlatformMintsOnlyForItsHost() throws {
    let source = CountingIdentity()
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let registry = oidc(source, platform: RegistryFixtures.url("https://acme.jfrog.io"))
    #expect(throws: ConfigError.self) {
      try registry.credential(
        for: target("https://evil.example/artifactory/api/pypi/x/simple/"), in: RegistryFixtures.context(stub))
    }
    #expect(source.tokens.isEmpty)
    #expect(stub.requests.isEmpty)
  }

  @Test func aProxyWithoutTheArtifactoryPrefixIsAcceptedWhenNamed() throws {
    let url = RegistryFixtures.url("https://pypi.acme.example/api/pypi/py-local/simple")
    #expect(!JFrog.matchesHost(url))
    let t = try JFrog.target(for: url)
    #expect(t.simpleURL.description == "https://pypi.acme.example/api/pypi/py-local/simple/")
    #expect(t.uploadURL?.description == "https://pypi.acme.example/api/pypi/py-local")
    #expect(t.name == "py-local")
    #expect(oidc(CountingIdentity()).tokenEndpoint(for: t) == "https://pypi.acme.example/access/api/v1/oidc/token")
    var options = LoginOptions()
    options.urls = [url.description]
    options.registry = "jfrog"
    options.settings = ["jfrog-oidc-provider": .value("gh")]
    let plan = try Planner.plan(
      options,
      environment: Environment([
        "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.test/t",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "r",
      ]))
    #expect(plan.indexes.map(\.target.name) == ["py-local"])
  }

  @Test func targetsAndRecognition() throws {
    let t = try target("https://acme.jfrog.io/artifactory/api/pypi/pypi-remote")
    #expect(t.simpleURL.description == "https://acme.jfrog.io/artifactory/api/pypi/pypi-remote/simple/")
    #expect(t.name == "pypi-remote")
    #expect(JFrog.matchesHost(RegistryFixtures.url(Self.index)))
    #expect(!JFrog.matchesHost(RegistryFixtures.url("https://acme.jfrog.io/artifactory/api/npm/npm/")))
    #expect(throws: ConfigError.self) { try target("https://acme.jfrog.io/artifactory/api/pypi/repo/packages/x") }
  }
}
