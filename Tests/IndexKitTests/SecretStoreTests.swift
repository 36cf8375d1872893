import Glibc
import Testing

@testable import IndexKit

/// A Secret Service in memory (the real one is exercised end to end under dbus-run-session).
final class MemorySecretService: SecretService, Sendable {
  let items = Locked<[String: String]>([:])
  let refuse: String?
  init(refuse: String? = nil) { self.refuse = refuse }

  func lookup(account: String) throws(SecretServiceError) -> Secret? {
    if let refuse { throw SecretServiceError(refuse) }
    return items.withLock { $0[account] }.map(Secret.init)
  }

  func store(account: String, label: String, secret: Secret) throws(SecretServiceError) {
    if let refuse { throw SecretServiceError(refuse) }
    items.withLock { $0[account] = secret.revealed }
  }
}

@Suite struct SecretStoreTests {
  static let url = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"
  static let key = StoreKey(index: url, kind: "azure-refresh-token")

  func store(
    _ dir: String, acctKey: String? = nil, service: (any SecretService)? = nil,
    console: CapturingConsole = CapturingConsole()
  ) -> SecretStore {
    SecretStore(
      path: "\(dir)/data/indexkey/store.fernet",
      keys: StoreKeySource(
        acctKey: acctKey.map(Secret.init), secretService: service, keyFile: "\(dir)/config/indexkey-key/store.key",
        notice: { console.console.err($0) }))
  }

  @Test func forgettingAnIndexAlsoForgetsWhatItsHostAndOrganizationKeepForIt() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir, acctKey: FernetKey.generate().encoded.revealed)
      try store.write(
        key: StoreKey(index: "https://pkgs.dev.azure.com/", kind: "azure-refresh-token"), value: Secret("rt"))
      try store.write(
        key: StoreKey(index: "https://pkgs.dev.azure.com/org/", kind: "azure-devops-pat"), value: Secret("pat"))
      try store.write(
        key: StoreKey(index: "https://pkgs.dev.azure.com/other/", kind: "azure-devops-pat"), value: Secret("pat2"))
      try store.write(
        key: StoreKey(index: "https://elsewhere.example/", kind: "azure-refresh-token"), value: Secret("rt2"))
      #expect(try store.remove(index: Self.url) == ["azure-devops-pat", "azure-refresh-token"])
      #expect(try store.indexes().map(\.index) == ["https://elsewhere.example/", "https://pkgs.dev.azure.com/other/"])
      #expect(try store.remove(index: "https://pkgs.dev.azure.com/") == ["azure-devops-pat"])
      #expect(try store.indexes().map(\.index) == ["https://elsewhere.example/"])
    }
  }

  @Test func writesReadsAndRemovesByIndexWithAKeyFileAndOneNotice() throws {
    try withTemporaryDirectory { dir in
      let console = CapturingConsole()
      let store = store(dir, console: console)
      #expect(try store.read(key: Self.key) == nil)
      #expect(!FileIO.exists(store.path), "reading creates nothing")
      try store.write(key: Self.key, value: Secret("refresh-canary-1"))
      try store.write(key: StoreKey(index: Self.url, kind: "azure-devops-pat"), value: Secret("pat-canary-2"))
      try store.write(
        key: StoreKey(index: "https://other.example/simple/", kind: "azure-devops-pat"), value: Secret("pat-canary-3"))
      #expect(try store.read(key: Self.key) == Secret("refresh-canary-1"))
      // Encrypted at rest, 0600 in a 0700 directory; the key file 0600 in its own 0700 directory.
      let onDisk = try #require(readFile(store.path))
      #expect(onDisk.hasPrefix("gAAAAA"))
      #expect(!onDisk.contains("canary"))
      #expect(fileMode(store.path) == 0o600)
      #expect(fileMode("\(dir)/data/indexkey") == 0o700)
      #expect(fileMode("\(dir)/config/indexkey-key/store.key") == 0o600)
      #expect(fileMode("\(dir)/config/indexkey-key") == 0o700)
      let notices = console.stderr.split(separator: "\n")
      #expect(notices.count == 1)
      #expect(
        notices.first?.contains("protects a copied store file, not against another process running as you") == true)
      #expect(try store.remove(index: Self.url) == ["azure-devops-pat", "azure-refresh-token"])
      #expect(try store.read(key: Self.key) == nil)
      #expect(try store.indexes().map(\.index) == ["https://other.example/simple/"])
      #expect(try store.remove(index: Self.url) == [])
    }
  }

  @Test func anACCTKeyEncryptsTheStoreSoAcctCanReadIt() throws {
    try withTemporaryDirectory { dir in
      let key = FernetKey.generate()
      let store = store(dir, acctKey: key.encoded.revealed)
      try store.write(key: Self.key, value: Secret("refresh"))
      #expect(!FileIO.exists("\(dir)/config/indexkey-key/store.key"))
      let token = try #require(readFile(store.path))
      let plaintext = try Fernet.decrypt(token, key: key).plaintext
      #expect(
        String(decoding: plaintext, as: UTF8.self) == #"{"indexes":{"\#(Self.url)":{"azure-refresh-token":"refresh"}}}"#
      )
    }
  }

  @Test func theSecretServiceKeepsTheKeyWhenItAnswers() throws {
    try withTemporaryDirectory { dir in
      let service = MemorySecretService()
      let console = CapturingConsole()
      let store = store(dir, service: service, console: console)
      try store.write(key: Self.key, value: Secret("refresh"))
      let kept = try #require(service.items.withLock { $0["store-key"] })
      #expect(try FernetKey(encoded: Secret(kept)) == (try store.keys.existing()?.key))
      #expect(!FileIO.exists("\(dir)/config/indexkey-key"))
      #expect(console.stderr.isEmpty)
      #expect(try store.read(key: Self.key) == Secret("refresh"))
    }
  }

  @Test func aRefusingSecretServiceFallsBackToTheKeyFileAndSaysWhy() throws {
    try withTemporaryDirectory { dir in
      let console = CapturingConsole()
      let store = store(dir, service: MemorySecretService(refuse: "the collection is locked"), console: console)
      try store.write(key: Self.key, value: Secret("refresh"))
      #expect(FileIO.exists("\(dir)/config/indexkey-key/store.key"))
      #expect(console.stderr.contains("refused to keep it (the collection is locked)"))
      #expect(try store.read(key: Self.key) == Secret("refresh"))
    }
  }

  @Test func aDifferentKeyIsAClearErrorAndLogoutStartsAgain() throws {
    try withTemporaryDirectory { dir in
      try store(dir, acctKey: FernetKey.generate().encoded.revealed).write(key: Self.key, value: Secret("refresh"))
      let other = store(dir, acctKey: FernetKey.generate().encoded.revealed)
      #expect {
        try other.read(key: Self.key)
      } throws: { error in
        let text = "\(error)"
        return text.contains("with the key from ACCT_KEY") && text.contains("indexkey logout")
          && !text.contains("refresh")
      }
      #expect(throws: StoreError.self) { try other.write(key: Self.key, value: Secret("x")) }
      #expect(try other.removeAll())
      #expect(try other.read(key: Self.key) == nil)
    }
  }

  @Test func aKeyFileOthersCanReadIsRefused() throws {
    try withTemporaryDirectory { dir in
      let store = store(dir)
      try store.write(key: Self.key, value: Secret("refresh"))
      chmod("\(dir)/config/indexkey-key/store.key", 0o644)
      #expect { try store.read(key: Self.key) } throws: { "\($0)".contains("chmod 600") }
    }
  }

  @Test func indexKeysIgnoreATrailingSlashAndTheQuery() throws {
    let a = try WebURL("https://Example.com/simple", what: "u")
    let b = try WebURL("https://example.com/simple/?x=1", what: "u")
    #expect(StoreKey(index: a, kind: "k") == StoreKey(index: b, kind: "k"))
    #expect(StoreKey.index(for: a) == "https://example.com/simple/")
  }
}
