import IndexKit
import Testing

@Suite struct PyPITests {
  static let upload = "https://upload.pypi.org/legacy/"

  func target(_ url: String = upload) throws -> IndexTarget {
    try PyPI.target(for: RegistryFixtures.url(url))
  }

  final class SleepLog: Sendable {
    private let log = Locked<[Double]>([])
    var seconds: [Double] { log.withLock { $0 } }
    func record(_ s: Double) { log.withLock { $0.append(s) } }
  }

  func registry(_ source: any IdentitySource, attempts: Int = 3) -> PyPI {
    PyPI(source: source, mintAttempts: attempts, retryDelay: 0.25)
  }

  static let audience = RegistryFixtures.response(200, #"{"audience":"pypi"}"#)
  static let minted = RegistryFixtures.response(
    200, #"{"success":true,"token":"pypi-AgEIcHlwaS5vcmc","expires":1790000900}"#)

  static func refusal(_ code: String, _ description: String) -> HTTPResponse {
    RegistryFixtures.response(
      422, #"{"message":"Token request failed","errors":[{"code":"\#(code)","description":"\#(description)"}]}"#)
  }

  @Test func oneAudienceRequestThenOneMintWithAFreshToken() throws {
    let stub = StubTransport(sequence: [.success(Self.audience), .success(Self.minted)])
    let source = CountingIdentity()
    let credential = try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))

    #expect(stub.requests.count == 2)
    let audience = stub.requests[0]
    #expect(audience.method == .get)
    #expect(audience.url == "https://upload.pypi.org/_/oidc/audience")
    let mint = stub.requests[1]
    #expect(mint.method == .post)
    #expect(mint.url == "https://upload.pypi.org/_/oidc/mint-token")
    #expect(mint.header("Content-Type") == "application/json")
    #expect(!mint.retryable)
    #expect(try JSON(parsing: mint.body, document: "mint") == .object([("token", .string(source.tokens[0]))]))
    #expect(source.audiences == ["pypi"])
    #expect(credential.username == "__token__")
    #expect(credential.password.revealed == "pypi-AgEIcHlwaS5vcmc")
    #expect(credential.expiresAt == 1_790_000_900)
    #expect(credential.warnings.isEmpty)
    #expect(credential.index.name == "pypi")
    #expect(credential.index.uploadURL?.description == Self.upload)
  }

  @Test func gitHubsConnectionOpensDuringTheAudienceLookup() throws {
    let jwt = unsignedJWT([("sub", .string("repo:o/r:ref:refs/heads/main"))])
    let stub = StubTransport(sequence: [
      .success(Self.audience), .success(RegistryFixtures.response(200, #"{"value":"\#(jwt)"}"#)), .success(Self.minted),
    ])
    let github = GitHubActionsIdentity(
      requestURL: try WebURL("https://gh.test/idtoken?api-version=2.0", what: "u"), requestToken: Secret("r"))
    _ = try registry(github).credential(for: target(), in: RegistryFixtures.context(stub))
    #expect(stub.prepared == [.init(url: "https://gh.test/idtoken?api-version=2.0", afterRequests: 0)])
    #expect(
      stub.requests.map(\.url) == [
        "https://upload.pypi.org/_/oidc/audience", "https://gh.test/idtoken?api-version=2.0&audience=pypi",
        "https://upload.pypi.org/_/oidc/mint-token",
      ])
  }

  @Test func aMissingExpiryMeansFifteenMinutes() throws {
    let stub = StubTransport(sequence: [
      .success(RegistryFixtures.response(200, #"{"audience":"testpypi"}"#)),
      .success(RegistryFixtures.response(200, #"{"success":true,"token":"pypi-x"}"#)),
    ])
    let source = CountingIdentity()
    let credential = try registry(source).credential(
      for: target("https://test.pypi.org/legacy/"), in: RegistryFixtures.context(stub))
    #expect(
      stub.requests.map(\.url) == ["https://test.pypi.org/_/oidc/audience", "https://test.pypi.org/_/oidc/mint-token"])
    #expect(source.audiences == ["testpypi"])
    #expect(credential.expiresAt == RegistryFixtures.now + 900)
    #expect(credential.index.name == "testpypi")
  }

  @Test func aFailedMintIsRetriedOnlyWithANewToken() throws {
    let slept = SleepLog()
    let stub = StubTransport(sequence: [
      .success(Self.audience),
      .success(RegistryFixtures.response(503, "<html>unavailable</html>")),
      .failure(.connection(purpose: "mint", url: "u", detail: "reset")),
      .success(Self.minted),
    ])
    let source = CountingIdentity()
    var context = RegistryFixtures.context(stub)
    context.sleep = { slept.record($0) }
    let credential = try registry(source).credential(for: target(), in: context)
    #expect(credential.password.revealed == "pypi-AgEIcHlwaS5vcmc")
    let presented = try stub.requests.dropFirst().map {
      try JSON(parsing: $0.body, document: "mint")["token"]?.stringValue
    }
    #expect(presented == source.tokens)
    #expect(Set(source.tokens).count == 3)
    #expect(slept.seconds == [0.25, 0.5])
  }

  /// A CI whose token is one variable for the whole job (GitLab's id_tokens).
  struct OneTokenPerJob: IdentitySource {
    var name: String { "GitLab CI id_tokens" }
    func idToken(audience: String, in context: Context) throws -> Secret { Secret("same-jwt-for-the-whole-job") }
  }

  @Test func aTokenThatCannotChangeIsNeverPresentedTwice() throws {
    let stub = StubTransport(sequence: [
      .success(Self.audience), .failure(.timeout(purpose: "mint", url: "u", seconds: 30)), .success(Self.minted),
    ])
    let error = #expect(throws: ExchangeError.self) {
      try registry(OneTokenPerJob()).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(stub.requests.count == 2)
    #expect(error?.exitStatus == .network)
    #expect(error?.message.contains("timed out after 30 s") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains("GitLab CI id_tokens gives the same CI token for every request") == true)
    #expect(error?.message.contains("Rerun the job") == true)
    #expect(error?.message.contains("same-jwt") == false)
  }

  @Test func whenEveryAttemptFailsTheErrorSaysSoAndEveryTokenWasNew() throws {
    let stub = StubTransport { request in
      request.url.hasSuffix("/audience") ? Self.audience : RegistryFixtures.response(502, #"{"message":"bad gateway"}"#)
    }
    let source = CountingIdentity()
    let error = #expect(throws: ExchangeError.self) {
      try registry(source, attempts: 3).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == .network)
    #expect(error?.message.contains("after 3 attempts, each with a fresh CI token") == true)
    #expect(error?.message.contains("HTTP 502") == true)
    #expect(stub.requests.count == 4)
    #expect(Set(source.tokens).count == 3)
  }

  @Test func aTLSFailureIsNotRetried() throws {
    let stub = StubTransport(sequence: [
      .success(Self.audience), .failure(.tls(purpose: "mint", url: "u", detail: "bad certificate")),
    ])
    #expect(throws: HTTPError.self) {
      try registry(CountingIdentity()).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(stub.requests.count == 2)
  }

  @Test func theRetryingTransportSendsASingleUseRequestOnce() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 503) }
    let transport = RetryingTransport(stub, policy: RetryPolicy(random: { 0 }), sleep: { _ in })
    var request = HTTPRequest(method: .post, url: "https://upload.pypi.org/_/oidc/mint-token", purpose: "mint")
    request.retryable = false
    #expect(try transport.send(request).status == 503)
    #expect(stub.requests.count == 1)
    request.retryable = true
    _ = try transport.send(request)
    #expect(stub.requests.count == 5)
  }

  @Test(arguments: [
    (
      "invalid-publisher", "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
      [
        "invalid-publisher (valid token, but no corresponding publisher",
        "Owner 'octo-org', Repository name 'app', Workflow name 'release.yml' and no Environment name",
        "sub 'repo:octo-org/app:ref:refs/heads/main'", "repository_owner_id '9919'", "environment MISSING",
        "for debugging",
      ]
    ),
    (
      "invalid-pending-publisher", "valid token, but project already exists",
      ["project already exists", "could not be created from it"]
    ),
    (
      "invalid-reuse-token", "invalid token: already used",
      ["accepts each token once", "This token came from the test CI."]
    ),
    (
      "invalid-token", "malformed or invalid token",
      ["failed verification", "this token has 'pypi'", "exp 2026-09-21T14:18:20Z"]
    ),
    (
      "invalid-payload", "unknown trusted publishing issuer",
      ["this token's issuer is 'https://token.actions.githubusercontent.com'", "GitLab.com"]
    ),
    ("invalid-payload", "1 validation error for TokenPayload", ["did not carry a well-formed token"]),
    (
      "not-enabled", "GitHub-based trusted publishing functionality not enabled", ["disabled on pypi.org", "API token"]
    ),
    ("some-new-code", "something new", ["some-new-code (something new)", "Claims presented"]),
  ])
  func everyRefusalCodeHasItsFix(code: String, description: String, expected: [String]) throws {
    let stub = StubTransport(sequence: [.success(Self.audience), .success(Self.refusal(code, description))])
    let source = CountingIdentity()
    let error = #expect(throws: ExchangeError.self) {
      try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == .refused)
    #expect(
      error?.message.hasPrefix("pypi.org refused to mint an upload token: \(code)") == true, "\(error?.message ?? "")")
    for text in expected {
      #expect(error?.message.contains(text) == true, "missing '\(text)' in: \(error?.message ?? "")")
    }
    #expect(error?.message.contains(source.tokens[0]) == false)
    #expect(stub.requests.count == 2)
  }

  @Test func aPublisherMismatchNamesTheEnvironmentAndTheReusableWorkflow() throws {
    let stub = StubTransport(sequence: [
      .success(Self.audience), .success(Self.refusal("invalid-publisher", "no corresponding publisher")),
    ])
    let source = CountingIdentity { audience, jti in
      RegistryFixtures.githubClaims(
        audience: audience, jti: jti,
        extra: [
          ("environment", .string("release")),
          ("job_workflow_ref", .string("octo-org/shared/.github/workflows/publish.yml@refs/tags/v1")),
        ])
    }
    let error = #expect(throws: ExchangeError.self) {
      try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    let message = error?.message ?? ""
    #expect(message.contains("Workflow name 'publish.yml' and Environment name 'release'"), "\(message)")
    #expect(
      message.contains("reusable workflow 'octo-org/shared/.github/workflows/publish.yml@refs/tags/v1'"), "\(message)")
    #expect(message.contains("environment 'release'."))
  }

  @Test func aGitLabPublisherMismatchNamesProjectAndPipelineFile() throws {
    let stub = StubTransport(sequence: [
      .success(Self.audience), .success(Self.refusal("invalid-publisher", "no corresponding publisher")),
    ])
    let source = CountingIdentity { audience, jti in
      [
        ("iss", .string("https://gitlab.com")), ("sub", .string("project_path:grp/app:ref_type:branch:ref:main")),
        ("aud", .string(audience)), ("jti", .string(jti)), ("project_path", .string("grp/app")),
        ("ref_path", .string("refs/heads/main")),
        ("ci_config_ref_uri", .string("gitlab.com/grp/app//ci/release.yml@refs/heads/main")),
      ]
    }
    let error = #expect(throws: ExchangeError.self) {
      try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    let message = error?.message ?? ""
    #expect(
      message.contains(
        "Namespace 'grp', Project name 'app', Top-level pipeline file path 'ci/release.yml' and no Environment"),
      "\(message)")
    #expect(message.contains("project_path 'grp/app', ref_path 'refs/heads/main'"), "\(message)")
    #expect(message.contains("environment MISSING"))
  }

  @Test func aReusableWorkflowSuccessCarriesAWarning() throws {
    let stub = StubTransport(sequence: [.success(Self.audience), .success(Self.minted)])
    let source = CountingIdentity { audience, jti in
      RegistryFixtures.githubClaims(
        audience: audience, jti: jti,
        extra: [
          ("job_workflow_ref", .string("octo-org/shared/.github/workflows/publish.yml@refs/tags/v1"))
        ])
    }
    let credential = try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))
    #expect(credential.warnings.count == 1)
    #expect(credential.warnings.first?.contains("does not officially support") == true)
  }

  @Test(arguments: [
    (
      403, #"{"message":"Trusted publishing functionality not enabled"}"#, IndexKit.ExitStatus.refused,
      "turned off right now (Trusted publishing functionality not enabled)"
    ),
    (404, "Not Found", .refused, "does not offer trusted publishing"),
    (503, "oops", .network, "HTTP 503"),
  ])
  func audienceFailures(status: Int, body: String, exit: IndexKit.ExitStatus, expected: String) throws {
    let stub = StubTransport(sequence: [.success(RegistryFixtures.response(status, body))])
    let source = CountingIdentity()
    let error = #expect(throws: ExchangeError.self) {
      try registry(source).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == exit)
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    #expect(source.tokens.isEmpty)
    #expect(stub.requests.count == 1)
  }

  @Test func aRefusalWithoutAnErrorListIsAServiceProblem() throws {
    let stub = StubTransport(sequence: [
      .success(Self.audience), .success(RegistryFixtures.response(400, "<html>bad</html>")),
    ])
    let error = #expect(throws: ExchangeError.self) {
      try registry(CountingIdentity()).credential(for: target(), in: RegistryFixtures.context(stub))
    }
    #expect(error?.exitStatus == .network)
    #expect(error?.message.contains("no list of errors") == true)
  }

  @Test(arguments: [true, false])
  func aForkPullRequestGetsItsOwnMessage(fork: Bool) throws {
    let error = try withTemporaryDirectory { directory in
      let event = directory + "/event.json"
      writeFile(event, #"{"pull_request":{"head":{"repo":{"fork":\#(fork)}}}}"#)
      let stub = StubTransport(sequence: [.success(Self.audience)])
      let context = RegistryFixtures.context(
        stub, environment: ["GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event])
      return #expect(throws: IdentityError.self) {
        try registry(MissingIdentity()).credential(for: target(), in: context)
      }
    }
    #expect(error?.exitStatus == .noIdentity)
    #expect(error?.message.contains("pull request from a fork") == fork)
    #expect(error?.message.contains("did not give this job an OIDC token") == !fork)
  }

  @Test(arguments: [
    ("https://upload.pypi.org/legacy/", "pypi", "https://pypi.org/simple/", "https://upload.pypi.org/legacy/"),
    ("https://pypi.org/simple/", "pypi", "https://pypi.org/simple/", "https://upload.pypi.org/legacy/"),
    ("https://test.pypi.org/legacy", "testpypi", "https://test.pypi.org/simple/", "https://test.pypi.org/legacy/"),
    (
      "http://127.0.0.1:8000/warehouse/legacy/", "pypi", "http://127.0.0.1:8000/warehouse/simple/",
      "http://127.0.0.1:8000/warehouse/legacy/"
    ),
  ])
  func targets(url: String, name: String, simple: String, upload: String) throws {
    let t = try target(url)
    #expect(t.name == name)
    #expect(t.simpleURL.description == simple)
    #expect(t.uploadURL?.description == upload)
    #expect(!t.installable)
  }

  @Test func anUploadTokenIsNeverPutInPipsIndexURL() throws {
    let pypi = Credential(
      index: try target(), registry: "pypi", username: "__token__", password: Secret("pypi-x"), expiresAt: nil)
    let feed = Credential(
      index: try JFrog.target(for: RegistryFixtures.url("https://acme.jfrog.io/artifactory/api/pypi/py/simple")),
      registry: "jfrog", username: "u", password: Secret("p"), expiresAt: nil)
    #expect(ClientVariables.build([pypi], options: ClientOptions(clients: [.pip])).variables.isEmpty)
    let set = ClientVariables.build([pypi, feed])
    let installers = ["PIP_", "UV_INDEX", "UV_DEFAULT_INDEX", "PDM_PYPI_", "POETRY_HTTP_BASIC_"]
    let installing = set.variables.filter { variable in installers.contains { variable.name.hasPrefix($0) } }
    #expect(!installing.isEmpty && installing.allSatisfy { !$0.value.revealed.contains("pypi-x") })
    #expect(set.variables.first { $0.name == "PIP_INDEX_URL" }?.value.secretParts == ["p"])
    // Uploads go to PyPI, the index given by its upload URL; Poetry gets it as its publish token.
    #expect(set.variables.first { $0.name == "TWINE_PASSWORD" }?.value.revealed == "pypi-x")
    #expect(set.variables.first { $0.name == "POETRY_PYPI_TOKEN_PYPI" }?.value.revealed == "pypi-x")
    #expect(!set.names.contains("POETRY_REPOSITORIES_PYPI_URL"))
  }

  @Test func theOIDCEndpointsLiveBesideTheUploadPath() throws {
    let stub = StubTransport(sequence: [.success(Self.audience), .success(Self.minted)])
    _ = try registry(CountingIdentity()).credential(
      for: target("http://127.0.0.1:8000/warehouse/legacy/"), in: RegistryFixtures.context(stub))
    #expect(
      stub.requests.map(\.url) == [
        "http://127.0.0.1:8000/warehouse/_/oidc/audience", "http://127.0.0.1:8000/warehouse/_/oidc/mint-token",
      ])
    #expect(throws: ConfigError.self) { try target("http://127.0.0.1:8000/upload/") }
  }
}
