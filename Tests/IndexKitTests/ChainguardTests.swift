import IndexKit
import Testing

@Suite struct ChainguardTests {
  let identity = "0123abcd/4567ef89"

  func registry(_ source: CountingIdentity) throws -> Chainguard {
    Chainguard(
      link: ChainguardExchangeLink(
        identity: identity, source: source, oidcAudience: Chainguard.defaultOIDCAudience,
        issuer: RegistryFixtures.url("https://issuer.enforce.dev")))
  }

  var target: IndexTarget {
    get throws { try Chainguard.target(for: RegistryFixtures.url("https://libraries.cgr.dev/python/simple/")) }
  }

  @Test func exchangeSendsTheCITokenAsBearerWithAudienceAndIdentityInTheQuery() throws {
    let issued = unsignedJWT([("sub", .string("x")), ("exp", .integer(Int64(RegistryFixtures.now) + 3600))])
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"token":"\#(issued)","refresh_token":""}"#) }
    let source = CountingIdentity()
    let credential = try registry(source).credential(for: target, in: RegistryFixtures.context(stub))

    #expect(source.audiences == ["issuer.enforce.dev"])
    #expect(stub.prepared == [.init(url: "https://issuer.enforce.dev/sts/exchange", afterRequests: 0)])
    let request = try #require(stub.requests.first)
    #expect(stub.requests.count == 1)
    #expect(request.method == .post)
    #expect(request.url == "https://issuer.enforce.dev/sts/exchange?aud=libraries.cgr.dev&identity=0123abcd%2F4567ef89")
    #expect(request.header("Authorization") == "Bearer \(source.tokens[0])")
    #expect(request.body.isEmpty)
    #expect(credential.username == "_token")
    #expect(credential.password.revealed == issued)
    #expect(credential.expiresAt == RegistryFixtures.now + 3600)
    #expect(credential.index.simpleURL.description == "https://libraries.cgr.dev/python/simple/")
    #expect(credential.index.uploadURL == nil)
  }

  @Test func aPullTokenIsUsedAsGivenWithoutRequests() throws {
    let settings = Settings(
      environment: Environment([
        "CHAINGUARD_PYTHON_IDENTITY_ID": "0123abcd/feed", "CHAINGUARD_PYTHON_TOKEN": "pull-secret",
      ]))
    let registry = try Chainguard.make(settings: settings, identity: .auto)
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let credential = try registry.credential(for: target, in: RegistryFixtures.context(stub))
    #expect(stub.requests.isEmpty)
    #expect(credential.username == "0123abcd/feed")
    #expect(credential.password.revealed == "pull-secret")
  }

  @Test func anIdentityToAssumeWinsOverAPullToken() throws {
    let settings = Settings(
      environment: Environment([
        "CHAINGUARD_IDENTITY": identity, "CHAINGUARD_PYTHON_IDENTITY_ID": "0123abcd/feed",
        "CHAINGUARD_PYTHON_TOKEN": "pull-secret",
      ]))
    let registry = try Chainguard.make(settings: settings, identity: .auto)
    let link = try #require(registry.credentials.link as? ChainguardExchangeLink)
    #expect(link.identity == identity)
    #expect(link.oidcAudience == "issuer.enforce.dev")
  }

  @Test func outsideCIChainctlAnswersOrIsNamed() throws {
    try withTemporaryDirectory { dir in
      let env = Environment(["PATH": dir])
      #expect(throws: ChainctlError.notInstalled) {
        try Chainguard.make(settings: Settings(environment: env), identity: .auto)
      }
      writeFile("\(dir)/chainctl", "#!/bin/sh\n", mode: 0o755)
      let made = try Chainguard.make(settings: Settings(environment: env), identity: .auto)
      let link = try #require(made.credentials.link as? ChainctlLink)
      #expect(link.chainctl.arguments == ["chainctl", "auth", "token", "--audience", "libraries.cgr.dev"])
      #expect(throws: ConfigError.self) {
        try Chainguard.make(settings: Settings(environment: Environment(["PATH": dir, "CI": "true"])), identity: .auto)
      }
    }
  }

  @Test(arguments: [
    (["CI": "true"], "CHAINGUARD_IDENTITY"),
    (["CHAINGUARD_PYTHON_IDENTITY_ID": "a/b"], "CHAINGUARD_PYTHON_TOKEN is not"),
    (["CHAINGUARD_PYTHON_TOKEN": "t"], "CHAINGUARD_PYTHON_IDENTITY_ID (the pull token's username) is not"),
    (["CHAINGUARD_IDENTITY": "my-identity"], "is not an identity id"),
  ])
  func missingOrBadSettingsAreConfigErrors(environment: [String: String], expected: String) {
    let error = #expect(throws: ConfigError.self) {
      try Chainguard.make(settings: Settings(environment: Environment(environment)), identity: .auto)
    }
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test func anIssuerOverrideMustBeHTTPSUnlessLoopback() throws {
    let env = Environment(["CHAINGUARD_IDENTITY": identity])
    #expect(throws: ConfigError.self) {
      try Chainguard.make(
        settings: Settings(flags: ["chainguard-issuer": "http://sts.example.com"], environment: env), identity: .auto)
    }
    let local = try Chainguard.make(
      settings: Settings(flags: ["chainguard-issuer": "http://127.0.0.1:8080/base/"], environment: env), identity: .auto
    )
    #expect(
      (local.credentials.link as? ChainguardExchangeLink)?.stsEndpoint == "http://127.0.0.1:8080/base/sts/exchange")
  }

  @Test(arguments: [
    (
      401, #"{"code":16,"message":"invalid identity token"}"#, IndexKit.ExitStatus.refused,
      [
        "invalid identity token", "issuer must be exactly 'https://token.actions.githubusercontent.com'",
        "must match 'repo:octo-org/app:ref:refs/heads/main'", "chainctl iam identities create",
      ]
    ),
    (
      401, #"{"code":16,"message":"invalid audience"}"#, .refused,
      ["does not accept the audience 'issuer.enforce.dev'", "--chainguard-oidc-audience"]
    ),
    (
      403, #"{"code":7,"message":"permission denied"}"#, .refused,
      ["permission denied", "role that may pull Python libraries", "entitled"]
    ),
    (
      404, #"{"code":5,"message":"identity not found"}"#, .refused,
      ["No assumable identity '0123abcd/4567ef89'", "chainctl iam identities list"]
    ),
    (400, #"{"code":3,"message":"bad aud"}"#, .refused, ["bad aud", "--chainguard-oidc-audience"]),
    (503, #"{"code":14,"message":"unavailable"}"#, .network, ["try again later"]),
    (418, "<html>teapot</html>", .network, ["without Chainguard's error format", "--chainguard-issuer"]),
  ])
  func refusalsSayWhatWasPresentedAndWhatToChange(
    status: Int, body: String, exit: IndexKit.ExitStatus, expected: [String]
  ) throws {
    let stub = StubTransport { _ in RegistryFixtures.response(status, body) }
    let source = CountingIdentity()
    let error = #expect(throws: ExchangeError.self) {
      try registry(source).credential(for: target, in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == exit)
    for text in expected {
      #expect(error?.message.contains(text) == true, "missing '\(text)' in: \(error?.message ?? "")")
    }
    #expect(error?.message.contains(source.tokens[0]) == false)
    #expect(error?.message.contains("HTTP \(status)") == true)
  }

  @Test func aSuccessWithoutATokenIsAServiceFailure() throws {
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"refresh_token":"r"}"#) }
    let error = #expect(throws: ExchangeError.self) {
      try registry(CountingIdentity()).credential(for: target, in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == .network)
    #expect(error?.message.contains("\"token\"") == true)
  }

  @Test(arguments: [
    ("https://libraries.cgr.dev/python/simple/", "chainguard", "/python/simple/"),
    ("https://libraries.cgr.dev/python/simple", "chainguard", "/python/simple/"),
    (
      "https://libraries.cgr.dev/python-remediated/simple/", "chainguard-python-remediated",
      "/python-remediated/simple/"
    ),
    ("http://127.0.0.1:9000/python/", "chainguard", "/python/simple/"),
  ])
  func targets(url: String, name: String, path: String) throws {
    let target = try Chainguard.target(for: RegistryFixtures.url(url))
    #expect(target.name == name)
    #expect(target.simpleURL.path == path)
    #expect(target.uploadURL == nil)
  }

  @Test func otherEcosystemsAreRefused() {
    #expect(throws: ConfigError.self) {
      try Chainguard.target(for: RegistryFixtures.url("https://libraries.cgr.dev/java/"))
    }
    #expect(Chainguard.matchesHost(RegistryFixtures.url("https://libraries.cgr.dev/python/simple/")))
    #expect(!Chainguard.matchesHost(RegistryFixtures.url("https://cgr.dev/chainguard/python")))
  }
}
