import Glibc
import Testing

@testable import IndexKit

@Suite struct CacheKeySecretTests {
  static let index = "https://acme.jfrog.io/artifactory/api/pypi/py/simple/"

  func key(tokenFile content: String, in dir: String) throws -> CacheKey {
    writeFile("\(dir)/token", content)
    let env = Environment(["JF_URL": "https://acme.jfrog.io", "JF_ACCESS_TOKEN_FILE": "\(dir)/token"])
    let registry = try JFrog.make(settings: Settings(environment: env), identity: .auto)
    return CacheKey.make(index: try JFrog.target(for: try WebURL(Self.index, what: "u")), registry: registry, environment: env)
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

  @Test func theDigestCoversSecretsNestedInEnumsAndNeverShowsThem() {
    let a = StaticIndex(username: "u", password: Secret("pw-a"))
    let b = StaticIndex(username: "u", password: Secret("pw-b"))
    #expect(CacheKey.secretDigest(a) != CacheKey.secretDigest(b))
    #expect(CacheKey.secretDigest(a) == CacheKey.secretDigest(StaticIndex(username: "u", password: Secret("pw-a"))))
    let gitlab = GitLab(token: .deploy(username: "d", Secret("deploy-1")), server: ServerBinding(hosts: ["h"], source: "x"))
    let other = GitLab(token: .deploy(username: "d", Secret("deploy-2")), server: ServerBinding(hosts: ["h"], source: "x"))
    #expect(CacheKey.secretDigest(gitlab) != CacheKey.secretDigest(other))
    #expect(!CacheKey.secretDigest(a).contains("pw-a"))
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
        transport: StubTransport { _ in HTTPResponse(status: 500) }, environment: Environment(env), clock: FixedClock(0),
        console: CapturingConsole().console, home: "\(dir)/home")
      let outputs = try PipConfSink().plan([credential()], in: context)
      let error = #expect(throws: SinkError.self) { try OutputWriter.apply(outputs, credentials: [credential()], dryRun: false, in: context) }
      #expect(error?.message.contains("symbolic link") == true)
      #expect(try listDirectory("\(dir)/elsewhere").isEmpty)
      let named = try PipConfSink(path: "\(dir)/home/.config/pip/pip.conf").plan([credential()], in: context)
      try OutputWriter.apply(named, credentials: [credential()], dryRun: false, in: context)
      #expect(readFile("\(dir)/elsewhere/pip/pip.conf")?.contains("index-url") == true)
    }
  }
}
