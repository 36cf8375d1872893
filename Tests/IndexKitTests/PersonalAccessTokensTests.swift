import Testing

@testable import IndexKit

@Suite struct PersonalAccessTokensTests {
  static let now: UnixTime = 1_800_000_000  // 2027-01-15T08:00:00Z
  let person = AzureAccessToken(value: Secret("user-bearer-canary"), expiresAt: now + 3600, holder: .person)

  func pats(_ store: SecretStore, write: Bool = false, days: Int = 30) throws -> PersonalAccessTokens {
    PersonalAccessTokens(
      organization: "org", endpoint: try WebURL("https://vssps.dev.azure.com/org/", what: "t"), days: days,
      write: write,
      store: store, index: "https://pkgs.dev.azure.com/org/", hostName: "laptop")
  }

  func store(_ dir: String) -> SecretStore {
    SecretStore(
      path: "\(dir)/store.fernet",
      keys: StoreKeySource(acctKey: FernetKey.generate().encoded, secretService: nil, keyFile: nil, notice: { _ in }))
  }

  func created(token: String, validTo: String) -> HTTPResponse {
    HTTPResponse(
      status: 200,
      text: """
        {"patToken":{"displayName":"x","validTo":"\(validTo)","scope":"vso.packaging","targetAccounts":["a"],\
        "validFrom":"2027-01-15T08:00:00.0000000Z","authorizationId":"id","token":"\(token)"},"patTokenError":"none"}
        """)
  }

  func context(_ stub: StubTransport, at time: UnixTime = now) -> Context {
    Context(transport: stub, environment: Environment(), clock: FixedClock(time), console: CapturingConsole().console)
  }

  @Test func createsANamedReadPATForThirtyDaysAndReusesItWithoutAnyRequest() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let stub = StubTransport(sequence: [
        .success(created(token: "pat-canary-1", validTo: "2027-02-14T08:00:00.0000000Z"))
      ])
      let bearerCalls = Locked(0)
      let bearer = {
        bearerCalls.withLock { $0 += 1 }
        return person
      }
      let first = try pats(store).token(bearer: bearer, in: context(stub))
      #expect(first.token == Secret("pat-canary-1") && first.validTo == Self.now + 30 * 86_400)
      let request = try #require(stub.requests.first)
      #expect(request.url == "https://vssps.dev.azure.com/org/_apis/tokens/pats?api-version=7.1-preview.1")
      #expect(
        request.header("Authorization") == "Bearer user-bearer-canary" && request.method == .post && !request.retryable)
      let body = try JSON(parsing: request.body, document: "t")
      #expect(
        body
          == .object([
            ("displayName", .string("indexkey-laptop-2027-01-15")), ("scope", .string("vso.packaging")),
            ("validTo", .string("2027-02-14T08:00:00Z")), ("allOrgs", .bool(false)),
          ]))
      // Reused for 23 days with no request and no bearer token at all...
      let later = StubTransport { _ in HTTPResponse(status: 599) }
      #expect(
        try pats(store).token(bearer: bearer, in: context(later, at: Self.now + 22 * 86_400)).token
          == Secret("pat-canary-1"))
      #expect(later.requests.isEmpty && bearerCalls.withLock { $0 } == 1)
      // ...and replaced in its last week.
      let renew = StubTransport(sequence: [.success(created(token: "pat-canary-2", validTo: "2027-03-10T08:00:00Z"))])
      #expect(
        try pats(store).token(bearer: bearer, in: context(renew, at: Self.now + 24 * 86_400)).token
          == Secret("pat-canary-2"))
      #expect(bearerCalls.withLock { $0 } == 2)
    }
  }

  @Test func anUploadAsksForAWritePATWhichAlsoServesReads() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let stub = StubTransport(sequence: [.success(created(token: "pat-write", validTo: "2027-02-14T08:00:00Z"))])
      _ = try pats(store, write: true).token(bearer: { person }, in: context(stub))
      #expect(String(decoding: stub.requests[0].body, as: UTF8.self).contains(#""scope":"vso.packaging_write""#))
      let none = StubTransport { _ in HTTPResponse(status: 599) }
      #expect(try pats(store).token(bearer: { person }, in: context(none)).token == Secret("pat-write"))
      #expect(none.requests.isEmpty)
    }
  }

  @Test func refusalsSayWhatToChange() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let policy = StubTransport { _ in
        HTTPResponse(status: 200, text: #"{"patToken":null,"patTokenError":"patLifespanPolicyViolation"}"#)
      }
      let message = errorMessage { try pats(store, days: 90).token(bearer: { person }, in: context(policy)) }
      #expect(
        message
          == "Azure DevOps refused a personal access token valid for 90 days (patLifespanPolicyViolation): the organization org allows shorter ones; pass --pat-days (or AZURE_DEVOPS_PAT_DURATION) with fewer days."
      )
      let machine = AzureAccessToken(value: Secret("mi"), expiresAt: nil, holder: .application)
      #expect(
        errorMessage { try pats(store).token(bearer: { machine }, in: context(policy)) }?.contains(
          "only for a signed-in person") == true)
      let unauthorized = StubTransport { _ in HTTPResponse(status: 401) }
      #expect(errorStatus { try pats(store).token(bearer: { person }, in: context(unauthorized)) } == .refused)
      let kept = try store.indexes()
      #expect(kept.isEmpty, "nothing kept after a refusal")
    }
  }
}

@Suite struct ChainctlTests {
  let token = unsignedJWT(.object([("aud", .string("libraries.cgr.dev")), ("exp", .integer(1_800_003_600))]))

  @Test func runsAuthTokenForTheLibrariesAudienceAndReadsTheExpiryFromTheToken() throws {
    let runner = FakeProcessRunner(printing: token + "\n")
    let got = try Chainctl().token(in: identityContext(["HOME": "/h"], runner: runner))
    #expect(got.value.revealed == token && got.expiresAt == 1_800_003_600)
    #expect(runner.runs.first?.arguments == ["chainctl", "auth", "token", "--audience", "libraries.cgr.dev"])
    #expect(runner.runs.first?.timeout == 30)
  }

  @Test func failuresSayWhatToInstallOrRun() {
    let missing = FakeProcessRunner { (args, _) throws(ProcessError) in throw .couldNotStart(command: args[0], errno: 2)
    }
    #expect(
      errorMessage { try Chainctl().token(in: identityContext([:], runner: missing)) }?.hasPrefix(
        "chainctl is not installed") == true)
    let out = FakeProcessRunner { _, _ in
      ProcessOutput(status: 1, stdout: [], stderr: Array("Error: not logged in \(token)\n".utf8))
    }
    #expect(
      errorMessage { try Chainctl().token(in: identityContext([:], runner: out)) }
        == "chainctl gave no token (it said: Error: not logged in [token]); run chainctl auth login (with --headless where no browser opens)."
    )
    let slow = FakeProcessRunner { (args, _) throws(ProcessError) in throw .timedOut(command: args[0], seconds: 30) }
    #expect(
      errorMessage { try Chainctl().token(in: identityContext([:], runner: slow)) }?.contains(
        "waiting for a browser sign-in") == true)
    let empty = FakeProcessRunner(printing: "\n")
    #expect(errorStatus { try Chainctl().token(in: identityContext([:], runner: empty)) } == .noIdentity)
  }
}
