import Glibc
import Testing

@testable import IndexKit

let cacheKey = CacheKey(id: String(repeating: "ab", count: 32), registry: "azure-artifacts", index: "https://h/simple/")

func entry(minted: UnixTime = 1_800_000_000, lifetime: Double = 3600, password: String = "tok-1") -> CachedCredential {
  CachedCredential(username: "EntraToken", password: Secret(password), mintedAt: minted, expiresAt: minted + lifetime)
}

@Suite struct CachedCredentialTests {
  @Test(arguments: [(3600.0, 600.0), (900.0, 225.0), (60.0, 15.0), (4.0, 1.0), (86_400.0, 600.0)])
  func refreshMarginIsAQuarterOfTheLifetimeAtMostTenMinutes(lifetime: Double, margin: Double) {
    #expect(entry(lifetime: lifetime).refreshMargin == margin)
  }

  @Test func freshUntilTheMarginBeforeExpiry() {
    let e = entry(minted: 1000, lifetime: 3600)
    #expect(e.isFresh(at: 1000))
    #expect(e.isFresh(at: 1000 + 2999))
    #expect(!e.isFresh(at: 1000 + 3000))
    #expect(!e.isFresh(at: 1000 + 4000))
    #expect(!e.isFresh(at: 1000 - 301))
  }

  func minted(_ password: String, expires: UnixTime?) -> Credential {
    let target = IndexTarget(
      given: fixtureURL("https://h/"), simpleURL: fixtureURL("https://h/"), uploadURL: nil,
      name: "h")
    return Credential(
      index: target, registry: "azure-artifacts", username: "EntraToken", password: Secret(password), expiresAt: expires
    )
  }

  @Test func aMintedTokenWithAnExpiryIsCacheable() throws {
    let cached = try CachedCredential.cacheable(
      minted("tok", expires: 4600), mintedAt: 1000, environment: Environment()
    ).get()
    #expect(
      cached == CachedCredential(username: "EntraToken", password: Secret("tok"), mintedAt: 1000, expiresAt: 4600))
  }

  @Test func withoutAnExpiryItIsNotCached() {
    #expect(throws: CacheRefusal.self) {
      try CachedCredential.cacheable(minted("tok", expires: nil), mintedAt: 1000, environment: Environment()).get()
    }
    #expect(throws: CacheRefusal.self) {
      try CachedCredential.cacheable(minted("tok", expires: 900), mintedAt: 1000, environment: Environment()).get()
    }
  }

  @Test func aTokenTheCIEnvironmentHoldsIsNeverCached() {
    let env = Environment(["CI_JOB_TOKEN": "job-token-value"])
    #expect(throws: CacheRefusal.self) {
      try CachedCredential.cacheable(minted("job-token-value", expires: 4600), mintedAt: 1000, environment: env).get()
    }
  }

  @Test func controlCharactersAreNotCached() {
    #expect(throws: CacheRefusal.self) {
      try CachedCredential.cacheable(minted("a\nb", expires: 4600), mintedAt: 1000, environment: Environment()).get()
    }
  }
}

@Suite struct CredentialCacheTests {
  @Test func removingAHostsEntriesKeepsOtherHostsAndWhatIsNotAnEntry() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let cache = CredentialCache(directory: dir)
      try cache.prepare()
      func key(_ id: String, _ index: String) -> CacheKey {
        CacheKey(id: String(repeating: id, count: 64), registry: "azure-artifacts", index: index)
      }
      let feed = key("a", "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/")
      let other = key("b", "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/")
      let elsewhere = key("c", "https://europe-west1-python.pkg.dev/p/r/simple/")
      for k in [feed, other, elsewhere] { try cache.store(entry(), for: k) }
      writeFile("\(dir)/\(String(repeating: "d", count: 64)).json", "not json", mode: 0o600)

      #expect(cache.remove(authority: "PKGS.dev.azure.com") == 2)
      #expect(cache.read(feed, now: 1_800_000_000) == .missing)
      #expect(cache.read(other, now: 1_800_000_000) == .missing)
      #expect(cache.read(elsewhere, now: 1_800_000_000) == .entry(entry()))
      #expect(readFile("\(dir)/\(String(repeating: "d", count: 64)).json") == "not json")
      #expect(cache.remove(authority: "pkgs.dev.azure.com") == 0)
    }
  }

  @Test func directoryFollowsXDGThenHome() {
    #expect(
      CredentialCache.defaultDirectory(environment: Environment(["XDG_CACHE_HOME": "/x/cache/"]), home: "/home/u")
        == "/x/cache/indexkey")
    #expect(
      CredentialCache.defaultDirectory(environment: Environment(["XDG_CACHE_HOME": "relative"]), home: "/home/u")
        == "/home/u/.cache/indexkey")
    #expect(
      CredentialCache.defaultDirectory(environment: Environment(["XDG_CACHE_HOME": ""]), home: "/home/u/")
        == "/home/u/.cache/indexkey")
    #expect(CredentialCache.defaultDirectory(environment: Environment(), home: nil) == nil)
  }

  @Test func inACIJobTheJobsTemporaryDirectoryIsPreferredToHome() throws {
    try withTemporaryDirectory { (dir: String) throws in
      #expect(
        CredentialCache.defaultDirectory(environment: Environment(["RUNNER_TEMP": dir]), home: "/home/u")
          == "\(dir)/indexkey-cache")
      #expect(
        CredentialCache.defaultDirectory(environment: Environment(["AGENT_TEMPDIRECTORY": dir + "/"]), home: "/home/u")
          == "\(dir)/indexkey-cache")
      mkdir("\(dir)/project.tmp", 0o700)
      let gitlab = Environment(["GITLAB_CI": "true", "CI_PROJECT_DIR": "\(dir)/project"])
      #expect(
        CredentialCache.defaultDirectory(environment: gitlab, home: "/home/u") == "\(dir)/project.tmp/indexkey-cache")
      // A variable naming no directory is ignored; XDG_CACHE_HOME, set on purpose, wins.
      #expect(
        CredentialCache.defaultDirectory(environment: Environment(["RUNNER_TEMP": dir + "/missing"]), home: "/home/u")
          == "/home/u/.cache/indexkey")
      #expect(
        CredentialCache.defaultDirectory(
          environment: Environment(["RUNNER_TEMP": dir, "XDG_CACHE_HOME": "/x"]), home: "/home/u") == "/x/indexkey")
    }
  }

  @Test func prepareCreatesAPrivateDirectoryWithParents() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: "\(tmp)/a/b/indexkey")
      try cache.prepare()
      #expect(fileMode("\(tmp)/a/b/indexkey") == 0o700)
      #expect(fileMode("\(tmp)/a") == 0o700)
    }
  }

  @Test func prepareTakesBackAnOpenDirectory() throws {
    try withTemporaryDirectory { tmp in
      mkdir("\(tmp)/c", 0o755)
      chmod("\(tmp)/c", 0o777)
      try CredentialCache(directory: "\(tmp)/c").prepare()
      #expect(fileMode("\(tmp)/c") == 0o700)
    }
  }

  @Test func prepareRefusesAStrangersOrALinkedDirectory() throws {
    try withTemporaryDirectory { tmp in
      mkdir("\(tmp)/real", 0o700)
      symlink("\(tmp)/real", "\(tmp)/link")
      #expect(throws: CacheError.self) { try CredentialCache(directory: "\(tmp)/link").prepare() }
      #expect(throws: CacheError.self) { try CredentialCache(directory: "\(tmp)/real", owner: geteuid() + 1).prepare() }
    }
  }

  @Test func storedEntriesReadBackAndArePrivate() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .missing)
      try cache.store(entry(), for: cacheKey)
      #expect(fileMode(cache.entryPath(cacheKey)) == 0o600)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry()))
      let text = try #require(readFile(cache.entryPath(cacheKey)))
      #expect(text.contains(#""key":"\#(cacheKey.id)""#))
      try cache.store(entry(password: "tok-2"), for: cacheKey)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry(password: "tok-2")))
    }
  }

  @Test(arguments: [
    "not json at all",
    "{}",
    "[1,2]",
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1800000000,"expires_at":1800003600"#,
    #"{"format":"indexkey-keyring-cache/2","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1800000000,"expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"OTHER","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1800000000,"expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"gar","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1800000000,"expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"","minted_at":1800000000,"expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"a\nb","minted_at":1800000000,"expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":"soon","expires_at":1800003600}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1800003600,"expires_at":1800000000}"#,
    #"{"format":"indexkey-keyring-cache/1","key":"KEY","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok","minted_at":1900000000,"expires_at":1900003600}"#,
  ])
  func malformedEntriesAreRejected(content: String) throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      writeFile(cache.entryPath(cacheKey), content.replacing("\"KEY\"", with: "\"\(cacheKey.id)\""), mode: 0o600)
      guard case .rejected = cache.read(cacheKey, now: 1_800_000_000) else {
        Issue.record("accepted: \(content)")
        return
      }
    }
  }

  @Test func aWellFormedHandWrittenEntryIsAccepted() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      let text =
        #"{"format":"indexkey-keyring-cache/1","key":"\#(cacheKey.id)","registry":"azure-artifacts","index":"https://h/simple/","username":"EntraToken","password":"tok-1","minted_at":1800000000,"expires_at":1800003600}"#
      writeFile(cache.entryPath(cacheKey), text, mode: 0o600)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry()))
    }
  }

  @Test func anOpenOrStrangersOrLinkedFileIsRejected() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      try cache.store(entry(), for: cacheKey)
      chmod(cache.entryPath(cacheKey), 0o644)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .rejected("has mode 644, not 600"))
      chmod(cache.entryPath(cacheKey), 0o600)
      let stranger = CredentialCache(directory: tmp, owner: geteuid() + 1)
      #expect(
        stranger.read(cacheKey, now: 1_800_000_000)
          == .rejected("is owned by uid \(geteuid()), not by you (uid \(geteuid() + 1))"))

      rename(cache.entryPath(cacheKey), "\(tmp)/elsewhere")
      symlink("\(tmp)/elsewhere", cache.entryPath(cacheKey))
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .rejected("is a symbolic link"))
      // Storing replaces the link itself, never writing through it.
      try cache.store(entry(password: "tok-2"), for: cacheKey)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry(password: "tok-2")))
      #expect(readFile("\(tmp)/elsewhere")?.contains("tok-1") == true)
    }
  }

  @Test func aFIFOOrDirectoryIsRejectedWithoutBlocking() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      mkfifo(cache.entryPath(cacheKey), 0o600)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .rejected("is not a regular file"))
      try cache.store(entry(), for: cacheKey)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry()))
    }
  }

  @Test func pruneRemovesWhatWasNotWrittenForADay() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      let old = CacheKey(id: String(repeating: "0f", count: 32), registry: "r", index: "i")
      try cache.store(entry(), for: cacheKey)
      try cache.store(entry(), for: old)
      writeFile(cache.lockPath(old), "")
      writeFile("\(tmp)/notes.txt", "mine")
      let now = SystemClock().now()
      for path in [cache.entryPath(old), cache.lockPath(old), "\(tmp)/notes.txt"] {
        var times = [timespec(tv_sec: Int(now) - 90_000, tv_nsec: 0), timespec(tv_sec: Int(now) - 90_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
      }
      cache.prune(before: cacheKey)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .entry(entry()))
      #expect(!FileIO.exists(cache.entryPath(old)) && !FileIO.exists(cache.lockPath(old)))
      #expect(readFile("\(tmp)/notes.txt") == "mine")
    }
  }

  @Test func clearRemovesOnlyCacheFiles() throws {
    try withTemporaryDirectory { tmp in
      let cache = CredentialCache(directory: tmp)
      let other = CacheKey(id: String(repeating: "0f", count: 32), registry: "r", index: "i")
      try cache.store(entry(), for: cacheKey)
      try cache.store(entry(), for: other)
      writeFile(cache.lockPath(cacheKey), "")
      writeFile("\(tmp)/.\(cacheKey.id).json.indexkey-0a1b2c", "partial")
      writeFile("\(tmp)/notes.txt", "mine")
      writeFile("\(tmp)/\(String(repeating: "AB", count: 32)).json", "upper case: not ours")
      #expect(try cache.clear() == 2)
      #expect(cache.read(cacheKey, now: 1_800_000_000) == .missing)
      #expect(!FileIO.exists(cache.lockPath(cacheKey)))
      #expect(!FileIO.exists("\(tmp)/.\(cacheKey.id).json.indexkey-0a1b2c"))
      #expect(readFile("\(tmp)/notes.txt") == "mine")
      #expect(FileIO.exists("\(tmp)/\(String(repeating: "AB", count: 32)).json"))
      #expect(try CredentialCache(directory: "\(tmp)/missing").clear() == 0)
    }
  }
}

@Suite struct CacheLockTests {
  @Test func aSecondHolderWaitsUntilTheFirstReleases() throws {
    try withTemporaryDirectory { tmp in
      let path = "\(tmp)/k.lock"
      let first = try CacheLock.acquire(path, timeout: 1)
      #expect(fileMode(path) == 0o600)
      #expect(throws: CacheError.self) { try CacheLock.acquire(path, timeout: 0.2) }
      first.release()
      let second = try CacheLock.acquire(path, timeout: 0.2)
      second.release()
    }
  }

  @Test func aLockHeldElsewhereIsTakenWhenReleased() throws {
    try withTemporaryDirectory { tmp in
      let path = "\(tmp)/k.lock"
      let first = try CacheLock.acquire(path, timeout: 1)
      let got = Locked<Double?>(nil)
      let started = monotonicSeconds()
      var thread = pthread_t()
      let box = Unmanaged.passRetained(LockJob(path: path) { got.withLock { $0 = monotonicSeconds() - started } })
      pthread_create(
        &thread, nil,
        { arg in
          let job = Unmanaged<LockJob>.fromOpaque(arg!).takeRetainedValue()
          if let lock = try? CacheLock.acquire(job.path, timeout: 5) {
            job.done()
            lock.release()
          }
          return nil
        }, box.toOpaque())
      usleep(300_000)
      #expect(got.withLock { $0 } == nil)
      first.release()
      pthread_join(thread, nil)
      let waited = try #require(got.withLock { $0 })
      #expect(waited >= 0.3)
    }
  }

  @Test func aStrangersOrLinkedLockFileIsReplaced() throws {
    try withTemporaryDirectory { tmp in
      let path = "\(tmp)/k.lock"
      writeFile("\(tmp)/target", "keep")
      symlink("\(tmp)/target", path)
      let lock = try CacheLock.acquire(path, timeout: 1)
      lock.release()
      var st = stat()
      lstat(path, &st)
      #expect((st.st_mode & S_IFMT) == S_IFREG)
      #expect(readFile("\(tmp)/target") == "keep")

      chmod(path, 0o644)
      try CacheLock.acquire(path, timeout: 1).release()
      #expect(fileMode(path) == 0o600)

      // A file that never belongs to the expected owner is replaced, then given up on.
      #expect(throws: CacheError.self) { try CacheLock.acquire(path, timeout: 1, owner: geteuid() + 1) }
    }
  }
}

final class LockJob: @unchecked Sendable {
  let path: String
  let done: () -> Void
  init(path: String, done: @escaping () -> Void) {
    self.path = path
    self.done = done
  }
}
