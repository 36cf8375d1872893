import Testing

@testable import IndexKit

@Suite struct KeptSignInTests {
  static let index = "https://pkgs.dev.azure.com/"
  let access = unsignedJWT(.object([("exp", .integer(1_800_003_600))]))

  func store(_ dir: String) -> SecretStore {
    SecretStore(
      path: "\(dir)/data/store.fernet",
      keys: StoreKeySource(acctKey: FernetKey.generate().encoded, secretService: nil, keyFile: nil, notice: { _ in }))
  }

  func signIn(_ store: SecretStore, terminal: RecordingTerminal? = RecordingTerminal()) -> KeptSignIn {
    let client = DeviceCodeSignInTests.client
    return KeptSignIn(
      client: client, store: store, index: Self.index,
      deviceCode: terminal.map { DeviceCodeSignIn(client: client, terminal: $0, sleep: RecordingSleep().sleep) })
  }

  func granted(refresh: String) -> HTTPResponse {
    HTTPResponse(status: 200, text: #"{"expires_in":3599,"access_token":"\#(access)","refresh_token":"\#(refresh)"}"#)
  }

  @Test func aKeptSignInIsRefreshedSilentlyAndTheRotatedTokenKept() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let first = StubTransport(sequence: [
        .success(DeviceCodeSignInTests.started()), .success(granted(refresh: "rt-1")),
      ])
      let terminal = RecordingTerminal()
      _ = try signIn(store, terminal: terminal).accessToken(purpose: "feed", in: testContext(first))
      #expect(terminal.text.contains("ABCD1234E"))
      let kept = try #require(try store.read(key: StoreKey(index: Self.index, kind: "azure-refresh-token")))
      #expect(kept.revealed.contains("rt-1") && kept.revealed.contains("organizations"))

      let second = StubTransport(sequence: [.success(granted(refresh: "rt-2"))])
      let quiet = RecordingTerminal()
      let token = try signIn(store, terminal: quiet).accessToken(purpose: "feed", in: testContext(second))
      #expect(token.value.revealed == access && quiet.text.isEmpty)
      #expect(form(second.requests[0].body)["refresh_token"] == "rt-1")
      #expect(form(second.requests[0].body)["grant_type"] == "refresh_token")
      #expect(
        try store.read(key: StoreKey(index: Self.index, kind: "azure-refresh-token"))?.revealed.contains("rt-2") == true
      )
    }
  }

  @Test func aRevokedSignInLeadsToANewPromptNotARepeatedRefusal() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let kept = KeptSignIn.Kept(refreshToken: Secret("rt-old"), client: DeviceCodeSignInTests.client)
      try store.write(key: StoreKey(index: Self.index, kind: "azure-refresh-token"), value: kept.secret)
      let stub = StubTransport(sequence: [
        .success(oauthError("invalid_grant", 50173)), .success(DeviceCodeSignInTests.started()),
        .success(granted(refresh: "rt-new")),
      ])
      let terminal = RecordingTerminal()
      _ = try signIn(store, terminal: terminal).accessToken(purpose: "feed", in: testContext(stub))
      #expect(terminal.text.contains("enter the code"))
      #expect(stub.requests.count == 3)
      #expect(
        try store.read(key: StoreKey(index: Self.index, kind: "azure-refresh-token"))?.revealed.contains("rt-new")
          == true)
    }
  }

  @Test func withoutATerminalARevokedSignInIsOneSentenceAndIsForgotten() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let kept = KeptSignIn.Kept(refreshToken: Secret("rt-old"), client: DeviceCodeSignInTests.client)
      try store.write(key: StoreKey(index: Self.index, kind: "azure-refresh-token"), value: kept.secret)
      let stub = StubTransport(sequence: [.success(oauthError("invalid_grant", 50173))])
      let message = errorMessage {
        try signIn(store, terminal: nil).accessToken(purpose: "feed", in: testContext(stub))
      }
      #expect(message?.contains("no longer accepts the sign-in indexkey kept") == true)
      #expect(message?.contains("AADSTS50173") == true)
      #expect(try store.read(key: StoreKey(index: Self.index, kind: "azure-refresh-token")) == nil)
      let none = errorMessage {
        try signIn(store, terminal: nil).accessToken(
          purpose: "feed", in: testContext(StubTransport { _ in HTTPResponse(status: 599) }))
      }
      #expect(none?.contains("needs a terminal") == true)
    }
  }

  @Test func aRefreshTokenIsNeverSentToAnotherAuthority() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      let elsewhere = EntraPublicClient(authorityHost: try WebURL("https://login.example.net", what: "t"))
      try store.write(
        key: StoreKey(index: Self.index, kind: "azure-refresh-token"),
        value: KeptSignIn.Kept(refreshToken: Secret("rt-x"), client: elsewhere).secret)
      let stub = StubTransport(sequence: [
        .success(DeviceCodeSignInTests.started()), .success(granted(refresh: "rt-y")),
      ])
      _ = try signIn(store).accessToken(purpose: "feed", in: testContext(stub))
      #expect(stub.requests.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("rt-x") })
      #expect(stub.requests[0].url.hasSuffix("/devicecode"))
    }
  }
}
