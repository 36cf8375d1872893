import Testing

@testable import IndexKit

/// Numbers a server states are clamped where they enter: nothing computed from them traps.
@Suite struct ServerNumberTests {
  static let now: UnixTime = 1_800_000_000

  @Test func lifetimesAndInstantsAreClampedAndNaNIsIgnored() {
    #expect(ServerTime.expiry(in: Int64.max, from: Self.now) == Self.now + ServerTime.longest)
    #expect(ServerTime.expiry(in: Int64.min, from: Self.now) == Self.now)
    #expect(ServerTime.expiry(in: Int64(3599), from: Self.now) == Self.now + 3599)
    #expect(ServerTime.expiry(in: Double.nan, from: Self.now) == nil)
    #expect(ServerTime.expiry(in: Double.infinity, from: Self.now) == Self.now + ServerTime.longest)
    #expect(ServerTime.instant(1e300) == ServerTime.latest)
    #expect(ServerTime.instant(-1e300) == 0)
    #expect(ServerTime.instant(Double.nan) == nil)
    #expect(ServerTime.instant(Int64.max) == ServerTime.latest)
  }

  @Test(arguments: [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan, 9.3e18])
  func formattingAnyNumberNeverTraps(value: Double) {
    _ = value.iso8601
    _ = describeDuration(value)
    _ = saturatingInt(value)
    _ = HTTPError.format(value)
  }

  @Test func theLatestInstantFormats() {
    #expect(ServerTime.latest.iso8601 == "9999-12-31T23:59:59Z")
  }

  /// A lifetime past a century is believed as a century; a negative one means the token is
  /// already expired, which is retried once and then refused (exit 5), never written.
  @Test(arguments: [
    (#"{"token_type":"Bearer","expires_in":9223372036854775807,"access_token":"AT"}"#, IndexKit.ExitStatus.ok),
    (#"{"token_type":"Bearer","expires_in":-9223372036854775808,"access_token":"AT"}"#, .network),
    (#"{"token_type":"Bearer","expires_in":1e300,"access_token":"AT"}"#, .ok),
  ])
  func anAbsurdExpiryFromATokenEndpointIsReportedNotCrashedOn(body: String, status: IndexKit.ExitStatus) throws {
    try withTemporaryDirectory { (dir: String) throws in
      let env = ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s", "HOME": dir]
      var options = LoginOptions()
      options.urls = ["https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"]
      options.writes = ["pypirc"]
      let console = CapturingConsole()
      let report = login(
        try Planner.plan(options, environment: Environment(env)),
        in: testContext(StubTransport { _ in HTTPResponse(status: 200, text: body) }, env: env, console: console))
      #expect(report.exitStatus == status)
      #expect(report.credentials.count == (status == .ok ? 1 : 0))
      if let expiry = report.credentials.first?.expiresAt {
        #expect(expiry >= Self.now && expiry <= Self.now + ServerTime.longest)
      }
      report.render(to: console.console, now: Self.now)
      _ = report.json(showSecrets: false, now: Self.now)
    }
  }

  @Test(
    arguments: [
      (JSON.double(1e300), ServerTime.latest), (JSON.integer(Int64.max), ServerTime.latest),
      (JSON.string("1e300"), ServerTime.latest), (JSON.string("nan"), nil),
      (JSON.integer(1_800_003_600), 1_800_003_600),
    ] as [(JSON, UnixTime?)])
  func codeArtifactExpirationsAreClamped(value: JSON, expected: UnixTime?) {
    #expect(CodeArtifactClient.expiration(value) == expected)
  }

  @Test func aJWTExpiryIsClamped() {
    let token = Secret(unsignedJWT(.object([("exp", .integer(Int64.max)), ("iat", .integer(Int64.min))])))
    #expect(JWTClaims(token: token)?.expiresAt == ServerTime.latest)
    #expect(JWTClaims(token: token)?.issuedAt == 0)
  }

  @Test func coreDumpsAreOffAfterDisabling() {
    CoreDumps.disable()
    #expect(CoreDumps.disabled)
  }
}
