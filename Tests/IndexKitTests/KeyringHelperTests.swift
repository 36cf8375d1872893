import Dispatch
import Glibc
import Testing

@testable import IndexKit

/// A clock tests move forward.
final class SteppingClock: WallClock {
  private let time: Locked<UnixTime>
  init(_ start: UnixTime) { time = Locked(start) }
  func now() -> UnixTime { time.withLock { $0 } }
  func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
}

/// A thread-safe counter.
final class Counter: Sendable {
  private let value = Locked(0)
  @discardableResult func next() -> Int {
    value.withLock {
      $0 += 1
      return $0
    }
  }
  var count: Int { value.withLock { $0 } }
}

/// A keyring helper over a stub Entra endpoint that issues `tok-1`, `tok-2` and so on.
final class KeyringFixture: Sendable {
  let directory: String
  let clock = SteppingClock(1_800_000_000)
  let console = CapturingConsole()
  let connects = Counter()
  let issued = Counter()
  let stub: StubTransport

  static let feed = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"
  static let baseEnvironment = [
    "AZURE_CLIENT_ID": "client-1", "AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_SECRET": "canary-client-secret",
  ]

  /// `failAfter`: answer 503 once that many tokens were issued.
  init(directory: String, expiresIn: Int = 3599, status: Int = 200, delay: UInt32 = 0, failAfter: Int? = nil) {
    self.directory = directory
    let issued = self.issued
    stub = StubTransport { _ in
      if delay > 0 { usleep(delay) }
      if let failAfter, issued.count >= failAfter {
        return HTTPResponse(
          status: 503, text: #"{"error":"temporarily_unavailable","error_description":"AADSTS90033: down"}"#)
      }
      if status != 200 {
        return HTTPResponse(
          status: status,
          text:
            #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#
        )
      }
      let n = issued.next()
      return HTTPResponse(
        status: 200, text: #"{"token_type":"Bearer","expires_in":\#(expiresIn),"access_token":"tok-\#(n)"}"#)
    }
  }

  func helper(_ extra: [String: String] = [:], cache: Bool = true, owner: UInt32? = nil) -> KeyringHelper {
    let env = Environment(Self.baseEnvironment.merging(extra) { $1 })
    return KeyringHelper(
      environment: env, console: console.console, clock: clock,
      cache: cache ? CredentialCache(directory: directory + "/indexkey", owner: owner) : nil, lockTimeout: 10
    ) { [self] in
      connects.next()
      return Context(transport: stub, environment: env, clock: clock, console: console.console)
    }
  }

  var entraRequests: Int { stub.requests.count }
  var stdoutLines: [String] { console.stdout.split(separator: "\n").map(String.init) }
}

@Suite struct KeyringHelperTests {
  let credsJSON = KeyringQuery(service: KeyringFixture.feed, username: nil, mode: .creds, output: .json)

  @Test func aServiceIndexkeyDoesNotHandleExitsOneSilently() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      for service in ["https://pypi.org/simple/", "pypi.org", "files.pythonhosted.org", "garbage value"] {
        #expect(f.helper().get(KeyringQuery(service: service, username: "u")) == 1)
      }
      #expect(f.console.stdout == "")
      #expect(f.console.stderr == "")
      #expect(f.connects.count == 0)
      #expect(!FileIO.exists(tmp + "/indexkey"))
    }
  }

  @Test func mintsOnceThenAnswersFromTheCacheWithoutNetwork() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      #expect(f.helper().get(credsJSON) == 0)
      #expect(f.console.stdout == #"{"username":"EntraToken","password":"tok-1"}"# + "\n")
      #expect(f.connects.count == 1)
      #expect(fileMode(tmp + "/indexkey") == 0o700)

      f.clock.advance(2000)
      #expect(f.helper().get(KeyringQuery(service: KeyringFixture.feed, username: "someone-else")) == 0)
      #expect(
        f.helper().get(
          KeyringQuery(service: KeyringFixture.feed.replacing("simple", with: "upload"), username: nil, mode: .creds))
          == 0)
      #expect(f.stdoutLines == [#"{"username":"EntraToken","password":"tok-1"}"#, "tok-1", "EntraToken", "tok-1"])
      #expect(f.connects.count == 1)
      #expect(f.entraRequests == 1)
      #expect(f.console.stderr == "")
    }
  }

  @Test func remintsShortlyBeforeExpiry() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      #expect(f.helper().get(credsJSON) == 0)
      f.clock.advance(2990)  // 609 s left: still more than the 10-minute margin
      #expect(f.helper().get(credsJSON) == 0)
      f.clock.advance(10)  // 599 s left
      #expect(f.helper().get(credsJSON) == 0)
      #expect(f.stdoutLines.map { $0.contains("tok-1") } == [true, true, false])
      #expect(f.stdoutLines[2].contains("tok-2"))
      #expect(f.entraRequests == 2)
      f.clock.advance(100)
      #expect(f.helper().get(credsJSON) == 0)
      #expect(f.stdoutLines[3].contains("tok-2"))
      #expect(f.entraRequests == 2)
    }
  }

  @Test func anOutageIsBridgedWithTheCachedTokenUntilItsLastMinute() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp, failAfter: 1)
      #expect(f.helper().get(credsJSON) == 0)
      f.clock.advance(3200)  // 399 s left: no longer fresh, minting fails, the token still works
      #expect(f.helper().get(credsJSON) == 0)
      #expect(f.stdoutLines == Array(repeating: #"{"username":"EntraToken","password":"tok-1"}"#, count: 2))
      #expect(f.console.stderr.contains("indexkey: warning: "))
      #expect(f.console.stderr.contains("Answering the cached credential, valid for 6 min 39 s more."))
      f.clock.advance(345)  // 54 s left: not worth answering
      #expect(f.helper().get(credsJSON) == ExitStatus.network.rawValue)
      #expect(f.stdoutLines.count == 2)
      #expect(f.entraRequests == 3)
    }
  }

  @Test func eachIndexIdentityAndJobHasItsOwnEntry() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      let other = KeyringQuery(
        service: "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", username: nil, mode: .creds)
      _ = f.helper().get(credsJSON)
      _ = f.helper().get(other)
      _ = f.helper(["AZURE_CLIENT_ID": "client-2"]).get(credsJSON)
      _ = f.helper(["GITHUB_RUN_ID": "41"]).get(credsJSON)
      _ = f.helper(["GITHUB_RUN_ID": "42"]).get(credsJSON)
      _ = f.helper(["GITHUB_RUN_ID": "42"]).get(credsJSON)
      #expect(f.entraRequests == 5)
      // Another secret is another entry (only its digest enters the key): a token that is
      // the identity (JF_ACCESS_TOKEN, INDEXKEY_PASSWORD) must never answer for another,
      // and a changed client secret is tried at once rather than when the entry expires.
      _ = f.helper(["AZURE_CLIENT_SECRET": "another-secret"]).get(credsJSON)
      #expect(f.entraRequests == 6)
      _ = f.helper(["AZURE_CLIENT_SECRET": "another-secret"]).get(credsJSON)
      #expect(f.entraRequests == 6)
    }
  }

  @Test func cacheFilesHoldTheRegistryTokenButNeverTheSecretOrKeyMaterial() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper().get(credsJSON)
      let names = try listDirectory(tmp + "/indexkey")
      let entries = names.filter { $0.hasSuffix(".json") }
      #expect(entries.count == 1)
      let text = try #require(readFile(tmp + "/indexkey/" + entries[0]))
      #expect(text.contains("tok-1"))
      #expect(!text.contains("canary-client-secret"))
      #expect(!text.contains("client-1") && !text.contains("tenant-1"))
      #expect(names.allSatisfy { fileMode(tmp + "/indexkey/" + $0) == 0o600 })
    }
  }

  @Test func withoutTheCacheEveryLookupMintsAndNothingIsWritten() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper(cache: false).get(credsJSON)
      _ = f.helper(cache: false).get(credsJSON)
      #expect(f.entraRequests == 2)
      #expect(!FileIO.exists(tmp + "/indexkey"))
      #expect(KeyringHelper.defaultCache(environment: Environment(["INDEXKEY_NO_CACHE": "1"]), home: tmp) == nil)
      #expect(KeyringHelper.defaultCache(environment: Environment(), home: tmp)?.directory == tmp + "/.cache/indexkey")
    }
  }

  @Test func aCorruptedEntryIsReportedIgnoredAndReplaced() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper().get(credsJSON)
      let entry = tmp + "/indexkey/" + (try listDirectory(tmp + "/indexkey").first { $0.hasSuffix(".json") } ?? "")
      let forged = try #require(readFile(entry)).replacing("tok-1", with: "forged\\nline")
      writeFile(entry, forged, mode: 0o600)
      #expect(f.helper().get(credsJSON) == 0)
      #expect(f.stdoutLines.last?.contains("tok-2") == true)
      #expect(
        f.console.stderr.contains(
          "warning: Ignored the cached credential \(entry): it lacks a well-formed username or password."))
      #expect(readFile(entry)?.contains("tok-2") == true)
    }
  }

  @Test func aStrangersEntryIsNeverTrusted() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper().get(credsJSON)
      // The same files seen by another user: the directory is refused, nothing is read.
      #expect(f.helper(owner: geteuid() + 1).get(credsJSON) == 0)
      #expect(f.stdoutLines.last?.contains("tok-2") == true)
      #expect(f.console.stderr.contains("belongs to uid \(geteuid())"))
      #expect(f.console.stderr.contains("Going on without the cache."))
    }
  }

  @Test func anOpenEntryIsReplaced() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper().get(credsJSON)
      let name = try #require(try listDirectory(tmp + "/indexkey").first { $0.hasSuffix(".json") })
      chmod(tmp + "/indexkey/" + name, 0o644)
      _ = f.helper().get(credsJSON)
      #expect(f.stdoutLines.last?.contains("tok-2") == true)
      #expect(f.console.stderr.contains("has mode 644, not 600"))
      #expect(fileMode(tmp + "/indexkey/" + name) == 0o600)
    }
  }

  @Test func parallelLookupsMintOnce() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp, delay: 200_000)
      let codes = Locked<[Int32]>([])
      DispatchQueue.concurrentPerform(iterations: 8) { _ in
        let code = f.helper().get(credsJSON)
        codes.withLock { $0.append(code) }
      }
      #expect(codes.withLock { $0 } == Array(repeating: 0, count: 8))
      #expect(f.entraRequests == 1)
      #expect(Set(f.stdoutLines) == [#"{"username":"EntraToken","password":"tok-1"}"#])
    }
  }

  @Test func aRefusalIsOneLineOnStderrAndNothingOnStdout() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp, status: 401)
      #expect(f.helper().get(credsJSON) == ExitStatus.refused.rawValue)
      #expect(f.console.stdout == "")
      let lines = f.console.stderr.split(separator: "\n")
      #expect(lines.count == 1)
      #expect(lines[0].hasPrefix("indexkey: error: "))
      #expect(lines[0].contains("7000215"))
      #expect(!f.console.stderr.contains("canary-client-secret"))
      let names = try listDirectory(tmp + "/indexkey")
      #expect(!names.isEmpty && names.allSatisfy { !$0.hasSuffix(".json") })
    }
  }

  @Test func missingConfigurationIsAUsageError() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      let env = Environment(["INDEXKEY_IDENTITY": "bogus"])
      let console = CapturingConsole()
      let bad = KeyringHelper(environment: env, console: console.console, cache: nil) {
        throw ConfigError("no network in this test")
      }
      #expect(bad.get(credsJSON) == ExitStatus.usage.rawValue)
      #expect(console.stderr.hasPrefix("indexkey: error: INDEXKEY_IDENTITY='bogus' is not understood"))
      let unconfigured = KeyringHelper(
        environment: Environment(["CI": "true", "PATH": tmp]), console: console.console, cache: nil
      ) { throw ConfigError("unused") }
      #expect(unconfigured.get(credsJSON) == ExitStatus.usage.rawValue)
      #expect(console.stderr.contains("AZURE_CLIENT_ID"))
      #expect(console.stderr.contains("A keyring lookup takes no flags"))
      #expect(console.stdout == "")
      #expect(f.entraRequests == 0)
    }
  }

  @Test func inGitHubActionsTheAnswerIsMaskedFirst() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      #expect(f.helper(["GITHUB_ACTIONS": "true"]).get(credsJSON) == 0)
      #expect(f.console.stderr == "::add-mask::tok-1\n")
      #expect(f.helper(["GITHUB_ACTIONS": "true"]).get(credsJSON) == 0)
      #expect(f.console.stderr == "::add-mask::tok-1\n::add-mask::tok-1\n")
    }
  }

  @Test func aTokenFromTheEnvironmentIsHandedOverButNotCached() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper(["SOME_CI_TOKEN": "tok-1"]).get(credsJSON)
      #expect(f.stdoutLines == [#"{"username":"EntraToken","password":"tok-1"}"#])
      let names = try listDirectory(tmp + "/indexkey")
      #expect(!names.isEmpty && names.allSatisfy { !$0.hasSuffix(".json") })
    }
  }

  @Test func clearEmptiesTheCache() throws {
    try withTemporaryDirectory { tmp in
      let f = KeyringFixture(directory: tmp)
      _ = f.helper().get(credsJSON)
      #expect(f.helper().clear() == 0)
      #expect(f.console.stderr == "indexkey: removed 1 cached credential from \(tmp)/indexkey.\n")
      _ = f.helper().get(credsJSON)
      #expect(f.entraRequests == 2)
    }
  }
}

@Suite struct KeyringLinkTests {
  @Test(arguments: [
    ("keyring", true), ("/usr/local/bin/keyring", true), ("indexkey", false), ("/x/keyring-old", false), (nil, false),
  ])
  func recognisesTheKeyringName(argv0: String?, expected: Bool) {
    #expect(KeyringLink.isKeyringName(argv0) == expected)
  }

  @Test func installsALinkOnceAndRefusesToClobber() throws {
    try withTemporaryDirectory { tmp in
      let console = CapturingConsole()
      let env = Environment(["PATH": "/usr/bin:\(tmp)/bin/"])
      try KeyringLink.install(
        into: "\(tmp)/bin", executable: "/opt/indexkey", environment: env, console: console.console)
      #expect(console.stderr.contains("created \(tmp)/bin/keyring → /opt/indexkey"))
      #expect(!console.stderr.contains("not on PATH"))
      try KeyringLink.install(
        into: "\(tmp)/bin/", executable: "/opt/indexkey", environment: env, console: console.console)
      #expect(console.stderr.contains("already links to /opt/indexkey"))
      #expect(throws: SinkError.self) {
        try KeyringLink.install(
          into: "\(tmp)/bin", executable: "/opt/other", environment: env, console: console.console)
      }
    }
  }

  @Test func warnsAboutAVirtualenvsScriptsDirectory() throws {
    try withTemporaryDirectory { tmp in
      writeFile("\(tmp)/pyvenv.cfg", "home = /usr/bin\n")
      let console = CapturingConsole()
      try KeyringLink.install(
        into: "\(tmp)/bin", executable: "/opt/indexkey", environment: Environment(), console: console.console)
      #expect(console.stderr.contains("warning: \(tmp)/bin is the scripts directory of the virtualenv \(tmp)"))
      #expect(console.stderr.contains("not on PATH"))
    }
  }
}

func listDirectory(_ path: String) throws -> [String] {
  guard let dir = opendir(path) else { throw ConfigError("cannot list \(path)") }
  defer { closedir(dir) }
  var names: [String] = []
  while let entry = readdir(dir) {
    let name = withUnsafePointer(to: &entry.pointee.d_name) {
      String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
    }
    if name != "." && name != ".." { names.append(name) }
  }
  return names.sorted()
}
