internal import Glibc

/// The encrypted store of long-lived secrets indexkey itself obtains (refresh tokens, PATs).
///
/// One file, `$XDG_DATA_HOME/indexkey/store.fernet` (default `~/.local/share/indexkey/`), in a
/// 0700 directory: a Fernet token (acct's format) over the JSON document
/// `{"indexes": {INDEX: {KIND: VALUE}}}` (acct's `json` serial plugin), so `acct decrypt` with
/// the same key reads it too. The key comes from ``StoreKeySource``. Every change is a locked
/// read-modify-write, written 0600 and atomically; nothing is ever written in plain text.
///
/// ```swift
/// let store = SecretStore.live(environment: env, home: home, console: console)
/// try store.write(key: StoreKey(index: url, kind: "azure-refresh-token"), value: token)
/// let token = try store.read(key: StoreKey(index: url, kind: "azure-refresh-token"))
/// try store.remove(index: StoreKey.index(for: url))   // indexkey logout URL
/// ```
package struct SecretStore: Sendable {
  package var path: String
  package var keys: StoreKeySource
  package var clock: any WallClock

  package init(path: String, keys: StoreKeySource, clock: any WallClock = SystemClock()) {
    self.path = path
    self.keys = keys
    self.clock = clock
  }

  /// The user's store with the live key sources; nil when neither `XDG_DATA_HOME` nor `HOME` says where.
  package static func live(environment: Environment, home: String?, console: Console) -> SecretStore? {
    guard let path = path(environment: environment, home: home) else { return nil }
    return SecretStore(path: path, keys: .live(environment: environment, home: home, console: console))
  }

  /// Where the user's store is (whether or not it exists yet).
  package static func path(environment: Environment, home: String?) -> String? {
    xdgPath("XDG_DATA_HOME", ".local/share", "indexkey/store.fernet", environment, home)
  }

  /// The secret kept for `key`, nil when there is none (or no store yet).
  package func read(key: StoreKey) throws(StoreError) -> Secret? {
    try load()?.entries[key.index]?[key.kind]
  }

  /// Keeps `value` for `key`, replacing what was there.
  package func write(key: StoreKey, value: Secret) throws(StoreError) {
    try change { entries in entries[key.index, default: [:]][key.kind] = value }
  }

  /// Forgets one entry.
  package func remove(key: StoreKey) throws(StoreError) {
    try change { entries in entries[key.index]?[key.kind] = nil }
  }

  /// Forgets everything kept for `index` (as ``StoreKey/index(for:)`` spells it): what is kept
  /// for it, for the places that contain it (a sign-in kept for the feed's host, a PAT for its
  /// organization), and for the places it contains (`https://host/` forgets all of the host).
  /// - Returns: the kinds that were removed, sorted; empty when there were none.
  @discardableResult
  package func remove(index: String) throws(StoreError) -> [String] {
    var removed: Set<String> = []
    let asked = Self.location(index)
    try change { entries in
      for stored in Array(entries.keys)
      where Self.location(stored).hasPrefix(asked) || asked.hasPrefix(Self.location(stored)) {
        if let kinds = entries.removeValue(forKey: stored) { removed.formUnion(kinds.keys) }
      }
    }
    return removed.sorted()
  }

  /// An index without its scheme: a sign-in kept for `https://host/` also serves `http://host/…`.
  static func location(_ index: String) -> Substring {
    let bytes = Array(index.utf8)
    for i in 0..<max(bytes.count - 2, 0)
    where bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] == UInt8(ascii: "/") {
      return index.utf8.dropFirst(i + 3).isEmpty
        ? Substring(index) : Substring(String(decoding: bytes[(i + 3)...], as: UTF8.self))
    }
    return Substring(index)
  }

  /// Deletes the whole store, even one no key opens any more.
  /// - Returns: whether there was one.
  /// - Throws: ``StoreError`` when the store cannot be locked or removed.
  @discardableResult
  package func removeAll() throws(StoreError) -> Bool {
    let lock = try takeLock()
    defer { lock.release() }
    if unlink(path) == 0 { return true }
    if errno == ENOENT { return false }
    throw StoreError("Could not remove the store \(path): \(errnoText()).", exitStatus: .output)
  }

  /// The indexes with something kept, sorted, with the kinds kept for each (never a value).
  package func indexes() throws(StoreError) -> [(index: String, kinds: [String])] {
    (try load()?.entries ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.keys.sorted()) }
  }

  // MARK: - File

  typealias Entries = [String: [String: Secret]]

  private func change(_ edit: (inout Entries) -> Void) throws(StoreError) {
    let lock = try takeLock()
    defer { lock.release() }
    let current = try load()
    var entries = current?.entries ?? [:]
    edit(&entries)
    entries = entries.filter { !$0.value.isEmpty }
    if current == nil && entries.isEmpty { return }
    let key: FernetKey
    if let current { key = current.key } else { key = try keys.obtain().key }
    let token = Fernet.encrypt(Self.serialize(entries), key: key, now: clock.now())
    do {
      try PrivateDirectory.prepare(SecureFile.directory(of: path))
      try SecureFile.replace(path, with: Array(token.utf8))
    } catch {
      throw StoreError("Could not write the encrypted store: \(error.message)", exitStatus: .output)
    }
  }

  private func takeLock() throws(StoreError) -> CacheLock {
    do {
      try PrivateDirectory.prepare(SecureFile.directory(of: path))
    } catch {
      throw StoreError("Could not prepare the store's directory: \(error.message)", exitStatus: .output)
    }
    do {
      return try CacheLock.acquire(path + ".lock", timeout: 10)
    } catch {
      throw StoreError("Could not lock the store: \(error.description)", exitStatus: .output)
    }
  }

  /// The decrypted entries and the key that opened them; nil when there is no store file.
  private func load() throws(StoreError) -> (entries: Entries, key: FernetKey, origin: StoreKeySource.Origin)? {
    var st = stat()
    guard lstat(path, &st) == 0 else {
      if errno == ENOENT { return nil }
      throw StoreError("Could not inspect the store \(path): \(errnoText()).")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else {
      throw StoreError(
        "The store \(path) is not a regular file of yours (a symbolic link or another user's file); remove it with indexkey logout."
      )
    }
    let bytes: [UInt8]
    do { bytes = try FileIO.read(path) } catch { throw StoreError("Could not read the store: \(error.description).") }
    guard let key = try keys.existing() else {
      throw StoreError(
        "The store \(path) exists but its key is nowhere to be found (not in ACCT_KEY, the desktop's Secret Service or the key file); set ACCT_KEY to the key it was written with, or run indexkey logout to start a new store."
      )
    }
    let plaintext: [UInt8]
    do {
      plaintext = try Fernet.decrypt(String(decoding: bytes, as: UTF8.self), key: key.key).plaintext
    } catch {
      throw StoreError(
        "Could not open the store \(path) with the key from \(key.origin): \(error.description). Use the key it was written with (ACCT_KEY, or the desktop session that keeps it), or run indexkey logout to start a new store."
      )
    }
    guard let entries = Self.parse(plaintext) else {
      throw StoreError(
        "The store \(path) decrypted but does not hold indexkey's entries; run indexkey logout to start a new store.")
    }
    return (entries, key.key, key.origin)
  }

  static func serialize(_ entries: Entries) -> [UInt8] {
    let indexes = entries.keys.sorted().map { index in
      (
        index,
        JSON.object(
          entries[index, default: [:]].sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.revealed)) })
      )
    }
    return Array(JSON.object([("indexes", .object(indexes))]).serialized().utf8)
  }

  static func parse(_ bytes: [UInt8]) -> Entries? {
    guard let document = try? JSON(parsing: bytes, document: "the store"),
      let indexes = document["indexes"]?.objectValue
    else { return nil }
    var entries: Entries = [:]
    for (index, kinds) in indexes {
      guard let kinds = kinds.objectValue else { return nil }
      for (kind, value) in kinds {
        guard let text = value.stringValue else { return nil }
        entries[index, default: [:]][kind] = Secret(text)
      }
    }
    return entries
  }
}
