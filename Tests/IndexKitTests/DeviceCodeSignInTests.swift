import Testing

@testable import IndexKit

/// A terminal that records what the person would see.
final class RecordingTerminal: Terminal {
  let shown = Locked<[String]>([])
  func show(_ text: String) { shown.withLock { $0.append(text) } }
  var text: String { shown.withLock { $0.joined(separator: "\n") } }
}

/// Records the waits instead of waiting.
final class RecordingSleep: Sendable {
  let waits = Locked<[Double]>([])
  var sleep: @Sendable (Double) -> Void { { seconds in self.waits.withLock { $0.append(seconds) } } }
  var recorded: [Double] { waits.withLock { $0 } }
}

func oauthError(_ code: String, _ number: Int = 70016) -> HTTPResponse {
  HTTPResponse(
    status: 400,
    text:
      #"{"error":"\#(code)","error_description":"AADSTS\#(number): \#(code) here.\r\nTrace ID: x","error_codes":[\#(number)]}"#
  )
}

@Suite struct DeviceCodeSignInTests {
  static let client = EntraPublicClient(authorityHost: fixtureURL("https://login.microsoftonline.com"))
  static let deviceCode = "DAQABIQEAAAB-device-code-canary"
  let access = unsignedJWT(.object([("exp", .integer(1_800_003_600))]))

  static func started(interval: Int = 5, expiresIn: Int = 900) -> HTTPResponse {
    HTTPResponse(
      status: 200,
      text: """
        {"user_code":"ABCD1234E","device_code":"\(deviceCode)","verification_uri":"https://microsoft.com/devicelogin",\
        "expires_in":\(expiresIn),"interval":\(interval),"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD1234E to authenticate."}
        """)
  }

  func tokens() -> HTTPResponse {
    HTTPResponse(
      status: 200,
      text: #"{"token_type":"Bearer","expires_in":3599,"access_token":"\#(access)","refresh_token":"rt-canary"}"#)
  }

  @Test func showsTheCodeOnTheTerminalAndPollsAsEntraAsks() throws {
    let stub = StubTransport(sequence: [
      .success(Self.started()), .success(oauthError("authorization_pending")), .success(oauthError("slow_down")),
      .success(oauthError("authorization_pending")), .success(tokens()),
    ])
    let terminal = RecordingTerminal()
    let sleep = RecordingSleep()
    let got = try DeviceCodeSignIn(client: Self.client, terminal: terminal, sleep: sleep.sleep)
      .signIn(purpose: "https://pkgs.dev.azure.com/org/", in: testContext(stub))
    #expect(got.access == AzureAccessToken(value: Secret(access), expiresAt: 1_800_003_599, holder: .person))
    #expect(got.refresh == Secret("rt-canary"))
    #expect(sleep.recorded == [5, 5, 10, 10], "the interval, then 5 s more after slow_down")
    let start = stub.requests[0]
    #expect(start.url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode")
    #expect(
      form(start.body) == [
        "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "scope": "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access",
      ])
    for poll in stub.requests.dropFirst() {
      #expect(poll.url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token")
      #expect(
        form(poll.body) == [
          "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
          "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": Self.deviceCode,
        ])
      #expect(!poll.retryable)
    }
    #expect(
      terminal.text.contains("enter the code ABCD1234E") && terminal.text.contains("https://pkgs.dev.azure.com/org/"))
    #expect(!terminal.text.contains(Self.deviceCode))
  }

  @Test(arguments: [("authorization_declined", SignInError.declined), ("expired_token", SignInError.expired)])
  func declinedAndExpiredEndTheSignIn(code: String, expected: SignInError) throws {
    let stub = StubTransport(sequence: [.success(Self.started()), .success(oauthError(code, 70000))])
    let error = #expect(throws: SignInError.self) {
      try DeviceCodeSignIn(client: Self.client, terminal: RecordingTerminal(), sleep: RecordingSleep().sleep).signIn(
        purpose: "p", in: testContext(stub))
    }
    #expect(error == expected)
    #expect(expected.exitStatus == .noIdentity)
  }

  @Test func stopsPollingWhenTheCodeHasLivedItsTime() throws {
    let stub = StubTransport { request in
      request.url.hasSuffix("devicecode")
        ? Self.started(interval: 5, expiresIn: 12) : oauthError("authorization_pending")
    }
    let sleep = RecordingSleep()
    #expect(throws: SignInError.expired) {
      try DeviceCodeSignIn(client: Self.client, terminal: RecordingTerminal(), sleep: sleep.sleep).signIn(
        purpose: "p", in: testContext(stub))
    }
    #expect(sleep.recorded == [5, 5])
    #expect(stub.requests.count == 3)
  }

  @Test func anUnknownClientIsARefusalNamingEntrasCode() {
    let stub = StubTransport(sequence: [.success(oauthError("unauthorized_client", 700016))])
    let message = errorMessage {
      try DeviceCodeSignIn(client: Self.client, terminal: RecordingTerminal(), sleep: RecordingSleep().sleep).signIn(
        purpose: "p", in: testContext(stub))
    }
    #expect(message == "Entra ID refused the sign-in (unauthorized_client: AADSTS700016: unauthorized_client here.).")
  }
}
