internal import Glibc

/// The keyring helper's on-disk cache of registry credentials.
///
/// One JSON file per ``CacheKey`` (`<key>.json`) in a directory only the user can
/// enter (0700), each file 0600 and written atomically through ``SecureFile``; next to
/// it a `<key>.lock` that parallel lookups `flock`, so one of them mints and the others
/// read what it wrote. A file is trusted only if it is a regular file owned by the
/// user, mode 0600, well formed, and names the key it is stored under; anything else is
/// reported, removed and replaced.
package struct CredentialCache: Sendable {
  package var directory: String
  /// The uid files must belong to: the effective user (tests pick another to play a stranger).
  package var owner: UInt32

  package init(directory: String, owner: UInt32? = nil) {
    self.directory = directory
    self.owner = owner ?? geteuid()
  }

  /// `$XDG_CACHE_HOME/indexkey` (when absolute), else `$HOME/.cache/indexkey`.
  package static func defaultDirectory(environment: Environment, home: String?) -> String? {
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
      return trimmedSlash(xdg) + "/indexkey"
    }
    if let temp = jobTemporaryDirectory(environment) {
      return trimmedSlash(temp) + "/indexkey-cache"
    }
    guard let home, home.hasPrefix("/") else { return nil }
    return trimmedSlash(home) + "/.cache/indexkey"
  }

  /// The CI job's own temporary directory, emptied when the job ends (a persistent runner
  /// keeps the home directory): GitHub's `RUNNER_TEMP`, Azure's `AGENT_TEMPDIRECTORY`,
  /// GitLab's `$CI_PROJECT_DIR.tmp` (where it keeps the job's file variables), if it exists.
  static func jobTemporaryDirectory(_ environment: Environment) -> String? {
    var candidates = [environment["RUNNER_TEMP"], environment["AGENT_TEMPDIRECTORY"]]
    if CIEnvironment.detect(environment).isGitLab {
      candidates.append(environment["CI_PROJECT_DIR"].map { trimmedSlash($0) + ".tmp" })
    }
    return candidates.compactMap { $0 }.first { path in
      var st = stat()
      return path.hasPrefix("/") && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
  }

  package func entryPath(_ key: CacheKey) -> String { "\(directory)/\(key.id).json" }
  package func lockPath(_ key: CacheKey) -> String { "\(directory)/\(key.id).lock" }

  // MARK: - Directory

  /// Creates the directory (and missing parents) 0700, or checks the existing one:
  /// a real directory owned by the user; group/other access is removed.
  package func prepare() throws(CacheError) {
    var st = stat()
    if lstat(directory, &st) != 0 {
      guard errno == ENOENT else {
        throw CacheError("Could not inspect the cache directory \(directory): \(errnoText()).")
      }
      try makeParents()
      if mkdir(directory, 0o700) != 0 && errno != EEXIST {
        throw CacheError("Could not create the cache directory \(directory): \(errnoText()).")
      }
      guard lstat(directory, &st) == 0 else {
        throw CacheError("Could not inspect the cache directory \(directory): \(errnoText()).")
      }
    }
    guard (st.st_mode & S_IFMT) == S_IFDIR else {
      throw CacheError("The cache directory \(directory) is not a directory (a symbolic link or a file); remove it.")
    }
    guard st.st_uid == owner else {
      throw CacheError(
        "The cache directory \(directory) belongs to uid \(st.st_uid), not to you (uid \(owner)); remove it.")
    }
    if st.st_mode & 0o077 != 0 && chmod(directory, 0o700) != 0 {
      throw CacheError(
        "The cache directory \(directory) is open to other users and could not be made private: \(errnoText()).")
    }
  }

  private func makeParents() throws(CacheError) {
    var path = ""
    for part in directory.split(separator: "/").dropLast() {
      path += "/" + part
      if mkdir(path, 0o700) != 0 && errno != EEXIST {
        throw CacheError("Could not create \(path) for the cache: \(errnoText()).")
      }
    }
  }

  // MARK: - Entries

  /// What the cache holds for a key.
  package enum Read: Sendable, Equatable {
    case missing
    case entry(CachedCredential)
    /// The file exists but is not trusted; the reason completes "… <path> <reason>".
    case rejected(String)
  }

  /// Reads and checks the entry of `key`.
  ///
  /// Never throws: whatever is wrong is a reason not to trust the file.
  package func read(_ key: CacheKey, now: UnixTime) -> Read {
    let path = entryPath(key)
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    if fd < 0 {
      if errno == ENOENT { return .missing }
      return .rejected(errno == ELOOP ? "is a symbolic link" : "could not be opened (\(errnoText()))")
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return .rejected("could not be inspected (\(errnoText()))") }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return .rejected("is not a regular file") }
    guard st.st_uid == owner else { return .rejected("is owned by uid \(st.st_uid), not by you (uid \(owner))") }
    guard st.st_mode & 0o077 == 0 else { return .rejected("has mode \(String(st.st_mode & 0o777, radix: 8)), not 600") }
    guard st.st_size <= 16384 else { return .rejected("is too large to be a cache entry") }
    guard let bytes = readAll(fd) else { return .rejected("could not be read (\(errnoText()))") }
    return Self.decode(bytes, key: key, now: now)
  }

  static let format = "indexkey-keyring-cache/1"

  static func encode(_ entry: CachedCredential, key: CacheKey) -> [UInt8] {
    let json = JSON.object([
      ("format", .string(format)),
      ("key", .string(key.id)),
      ("registry", .string(key.registry)),
      ("index", .string(key.index)),
      ("username", .string(entry.username)),
      ("password", .string(entry.password.revealed)),
      ("minted_at", .double(entry.mintedAt)),
      ("expires_at", .double(entry.expiresAt)),
    ])
    return Array((json.serialized() + "\n").utf8)
  }

  static func decode(_ bytes: [UInt8], key: CacheKey, now: UnixTime) -> Read {
    guard let json = try? JSON(parsing: bytes, document: "cache entry"), json.objectValue != nil else {
      return .rejected("is not a JSON object")
    }
    guard json["format"]?.stringValue == format else { return .rejected("is not in the \(format) format") }
    guard json["key"]?.stringValue == key.id, json["registry"]?.stringValue == key.registry,
      json["index"]?.stringValue == key.index
    else {
      return .rejected("belongs to another index or identity")
    }
    guard let username = json["username"]?.stringValue, CachedCredential.isSingleLine(username),
      let password = json["password"]?.stringValue, CachedCredential.isSingleLine(password)
    else {
      return .rejected("lacks a well-formed username or password")
    }
    guard let minted = json["minted_at"]?.numberValue, let expires = json["expires_at"]?.numberValue,
      expires > minted, minted <= now + 300
    else {
      return .rejected("has no consistent minted_at/expires_at times")
    }
    return .entry(
      CachedCredential(username: username, password: Secret(password), mintedAt: minted, expiresAt: expires))
  }

  /// Writes the entry of `key` atomically (0600), replacing whatever is there.
  package func store(_ entry: CachedCredential, for key: CacheKey) throws(CacheError) {
    let path = entryPath(key)
    removeUnlessRegular(path)
    do {
      try SecureFile.replace(path, with: Self.encode(entry, key: key), mode: 0o600)
    } catch {
      throw CacheError(error.message)
    }
  }

  /// Deletes the entry of `key` (an untrusted or stale file).
  package func remove(_ key: CacheKey) {
    unlink(entryPath(key))
  }

  /// Removes every entry, lock and leftover temporary file; returns how many entries there were.
  package func clear() throws(CacheError) -> Int {
    guard let names = cacheFileNames() else {
      if errno == ENOENT { return 0 }
      throw CacheError("Could not list the cache directory \(directory): \(errnoText()).")
    }
    var removed = 0
    for name in names {
      if unlink("\(directory)/\(name)") == 0 && name.hasSuffix(".json") { removed += 1 }
    }
    return removed
  }

  /// Removes the entries of indexes on `authority` (`host` or `host:port`), whatever identity
  /// minted them: what `indexkey logout URL` does once the sign-in behind them is forgotten.
  ///
  /// - Returns: how many entries were removed.
  package func remove(authority: String) -> Int {
    var removed = 0
    for name in cacheFileNames() ?? [] where name.hasSuffix(".json") && !name.hasPrefix(".") {
      let path = "\(directory)/\(name)"
      guard let bytes = try? FileIO.read(path, limit: 16384),
        let index = (try? JSON(parsing: bytes, document: "cache entry"))?["index"]?.stringValue,
        let url = try? WebURL(index, what: "cache entry"), url.authority.lowercased() == authority.lowercased()
      else { continue }
      if unlink(path) == 0 { removed += 1 }
    }
    return removed
  }

  /// How long after its last write an entry (or lock) is removed by ``prune(now:)``: longer
  /// than any registry token lives (CodeArtifact's longest is 12 h).
  package static let retention: Double = 86_400

  /// Removes entries, locks and leftovers written ``retention`` before the entry of `key`
  /// was (tokens of past jobs on a persistent runner), so the directory does not grow
  /// without end.
  ///
  /// Times are the file system's own, compared with each other.
  package func prune(before key: CacheKey) {
    var reference = stat()
    guard lstat(entryPath(key), &reference) == 0 else { return }
    let cutoff = reference.st_mtim.tv_sec - Int(Self.retention)
    for name in cacheFileNames() ?? [] {
      var st = stat()
      if lstat("\(directory)/\(name)", &st) == 0 && st.st_mtim.tv_sec < cutoff {
        unlink("\(directory)/\(name)")
      }
    }
  }

  /// The names in the directory that ``isCacheFile(_:)`` accepts; nil (errno set) if unreadable.
  private func cacheFileNames() -> [String]? {
    guard let dir = opendir(directory) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) {
        String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
      }
      if Self.isCacheFile(name) { names.append(name) }
    }
    return names
  }

  /// `<64 hex>.json`, `<64 hex>.lock`, or a temporary `.<64 hex>.json.indexkey-<hex>`.
  static func isCacheFile(_ name: String) -> Bool {
    var rest = Substring(name)
    let temporary = rest.hasPrefix(".")
    if temporary { rest = rest.dropFirst() }
    let id = rest.prefix(64)
    guard id.count == 64, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return false }
    let tail = rest.dropFirst(64)
    return temporary ? tail.hasPrefix(".json.indexkey-") : (tail == ".json" || tail == ".lock")
  }

  private func removeUnlessRegular(_ path: String) {
    var st = stat()
    if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG { unlink(path) }
  }

  private func readAll(_ fd: Int32) -> [UInt8]? {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if n == 0 { return out }
      out += chunk[0..<n]
      if out.count > 16384 { return nil }
    }
  }

  private static func trimmedSlash(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p == "/" ? "" : p
  }
}

/// Why the cache cannot be used; the lookup goes on without it.
package struct CacheError: Error, Equatable, Sendable, CustomStringConvertible {
  package var message: String
  package init(_ message: String) { self.message = message }
  package var description: String { message }
}

extension JSON {
  /// An integer or a real as a Double.
  var numberValue: Double? {
    switch self {
    case .integer(let i): Double(i)
    case .double(let d): d
    default: nil
    }
  }
}
