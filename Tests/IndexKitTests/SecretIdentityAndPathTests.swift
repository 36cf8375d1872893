import Glibc
import Testing

@testable import IndexKit

@Suite struct CacheKeySecretTests {
  static let index = "https://acme.jfrog.io/artifactory/api/pypi/py/simple/"

  func key(tokenFile content: String, in dir: String) throws -> CacheKey {
    writeFile("\(dir)/token", content)
    let env = Environment(["JF_URL": "https://acme.jfrog.io", "JF_ACCESS_TOKEN_FILE": "\(dir)/token"])
    let registry = try JFrog.make(settings: Settings(environment: env), identity: .auto)
    return CacheKey.make(
      index: try JFrog.target(for: try WebURL(Self.index, what: "u")), registry: registry, environment: env)
  }

  @Test func anotherUsersTokenInTheSameFileIsAnotherEntry() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let alice = JFrogTests.accessToken(sub: "jfac@01h/users/alice")
      let bob = JFrogTests.accessToken(sub: "jfac@01h/users/bob")
      let first = try key(tokenFile: alice, in: dir)
      #expect(try key(tokenFile: alice, in: dir) == first)
      let second = try key(tokenFile: bob, in: dir)
      #expect(second.id != first.id)
      #expect(!second.id.contains(bob) && !second.index.contains(bob))
    }
  }

  @Test func everyDeclaredSecretAndIdentityFileIsInTheKeyButNeverInClear() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let target = try StaticIndex.target(for: WebURL("https://pkgs.example.test/simple/", what: "u"))
      func key(_ env: [String: String]) throws -> CacheKey {
        let environment = Environment(env)
        return CacheKey.make(
          index: target, registry: try StaticIndex.make(settings: Settings(environment: environment), identity: .auto),
          environment: environment)
      }
      let a = try key(["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "pw-a"])
      #expect(try key(["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "pw-a"]) == a)
      #expect(try key(["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "pw-b"]).id != a.id)
      writeFile("\(dir)/pw", "pw-a\n")
      #expect(
        try key(["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD_FILE": "\(dir)/pw"]) == a,
        "a secret is the same from its file")
      // A key file replaced at the same path is another identity.
      let google = try GoogleArtifactRegistry.target(for: WebURL("https://us-python.pkg.dev/p/r/simple/", what: "u"))
      let path = "\(dir)/key.json"
      func googleKey() throws -> CacheKey {
        let environment = Environment(["GOOGLE_APPLICATION_CREDENTIALS": path])
        let registry = try GoogleArtifactRegistry.make(settings: Settings(environment: environment), identity: .auto)
        return CacheKey.make(index: google, registry: registry, environment: environment)
      }
      writeFile(path, CryptoFixture.text("crypto/google-service-account.json"))
      let first = try googleKey()
      writeFile(
        path,
        CryptoFixture.text("crypto/google-service-account.json").replacing(
          "\"client_id\"", with: "\"client_id\" ", maxReplacements: 1))
      #expect(try googleKey().id != first.id)
      // The answering link is part of the key: the same settings forced to another link differ.
      let both = Environment([
        "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s", "GITHUB_ACTIONS": "true",
      ])
      let azure = try AzureArtifacts.target(
        for: WebURL("https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/", what: "u"))
      let secretLink = try AzureArtifacts.make(settings: Settings(environment: both), identity: .auto)
      let forced = both.updating("INDEXKEY_AZURE_CREDENTIAL", "ci-federation")
      let federation = try AzureArtifacts.make(settings: Settings(environment: forced), identity: .auto)
      #expect(federation.credentials.linkName == "ci-federation")
      #expect(
        CacheKey.make(index: azure, registry: secretLink, environment: forced)
          != CacheKey.make(index: azure, registry: federation, environment: forced))
    }
  }
}

@Suite struct ParentSymlinkTests {
  @Test func belowTheAnchorNoDirectoryMayBeASymlink() throws {
    try withTemporaryDirectory { (dir: String) throws in
      mkdir("\(dir)/elsewhere", 0o700)
      symlink("\(dir)/elsewhere", "\(dir)/.config")
      let error = #expect(throws: SinkError.self) {
        try SecureFile.replace("\(dir)/.config/pip/pip.conf", with: Array("x".utf8), below: dir)
      }
      #expect(error?.message.contains("\(dir)/.config is a symbolic link") == true, "\(error?.message ?? "")")
      #expect(try listDirectory("\(dir)/elsewhere").isEmpty)
    }
  }

  @Test func missingDirectoriesAreMade0700AndTheFileWritten() throws {
    try withTemporaryDirectory { (dir: String) throws in
      try SecureFile.replace("\(dir)/.config/pip/pip.conf", with: Array("x".utf8), below: dir)
      #expect(readFile("\(dir)/.config/pip/pip.conf") == "x")
      #expect(fileMode("\(dir)/.config/pip/pip.conf") == 0o600)
      #expect(fileMode("\(dir)/.config/pip") == 0o700)
    }
  }

  @Test func aPathTheUserNamedIsFollowedButItsFileNeverIsALink() throws {
    try withTemporaryDirectory { (dir: String) throws in
      mkdir("\(dir)/real", 0o700)
      symlink("\(dir)/real", "\(dir)/link")
      try SecureFile.replace("\(dir)/link/pip.conf", with: Array("x".utf8))
      #expect(readFile("\(dir)/real/pip.conf") == "x")
      symlink("\(dir)/real/pip.conf", "\(dir)/real/other.conf")
      #expect(throws: SinkError.self) { try SecureFile.replace("\(dir)/link/other.conf", with: Array("y".utf8)) }
      #expect(readFile("\(dir)/real/pip.conf") == "x")
    }
  }

  @Test func theDefaultPipConfUnderASymlinkedConfigDirectoryIsRefused() throws {
    try withTemporaryDirectory { (dir: String) throws in
      mkdir("\(dir)/home", 0o700)
      mkdir("\(dir)/elsewhere", 0o700)
      symlink("\(dir)/elsewhere", "\(dir)/home/.config")
      let env = ["HOME": "\(dir)/home"]
      let context = Context(
        transport: StubTransport { _ in HTTPResponse(status: 500) }, environment: Environment(env),
        clock: FixedClock(0),
        console: CapturingConsole().console, home: "\(dir)/home")
      let outputs = try PipConfSink().plan([credential()], in: context)
      let error = #expect(throws: SinkError.self) {
        try OutputWriter.apply(outputs, credentials: [credential()], dryRun: false, in: context)
      }
      #expect(error?.message.contains("symbolic link") == true)
      #expect(try listDirectory("\(dir)/elsewhere").isEmpty)
      let named = try PipConfSink(path: "\(dir)/home/.config/pip/pip.conf").plan([credential()], in: context)
      try OutputWriter.apply(named, credentials: [credential()], dryRun: false, in: context)
      #expect(readFile("\(dir)/elsewhere/pip/pip.conf")?.contains("index-url") == true)
    }
  }
}
