internal import Glibc

/// Where the store's Fernet key comes from, in order: `ACCT_KEY` when set; the desktop's
/// Secret Service when a session bus answers; otherwise a 0600 key file in its own 0700
/// directory (which protects a copied store file, not against another process of the user).
package struct StoreKeySource: Sendable {
  /// Where a key came from, for messages.
  package enum Origin: Sendable, Equatable, CustomStringConvertible {
    case environment
    case secretService
    case keyFile(String)

    package var description: String {
      switch self {
      case .environment: return "ACCT_KEY"
      case .secretService: return "the desktop's Secret Service"
      case .keyFile(let path): return "the key file \(path)"
      }
    }
  }

  var acctKey: Secret?
  var secretService: (any SecretService)?
  var keyFile: String?
  var notice: @Sendable (String) -> Void

  package init(
    acctKey: Secret?, secretService: (any SecretService)?, keyFile: String?,
    notice: @escaping @Sendable (String) -> Void
  ) {
    self.acctKey = acctKey
    self.secretService = secretService
    self.keyFile = keyFile
    self.notice = notice
  }

  /// The live sources: `ACCT_KEY`, libsecret when a session bus answers, and the key file
  /// `$XDG_CONFIG_HOME/indexkey-key/store.key` (default `~/.config/indexkey-key/`).
  package static func live(environment: Environment, home: String?, console: Console) -> StoreKeySource {
    StoreKeySource(
      acctKey: environment["ACCT_KEY"].map(Secret.init),
      secretService: environment["ACCT_KEY"] == nil ? LibsecretService.ifSessionBusAnswers(environment) : nil,
      keyFile: xdgPath("XDG_CONFIG_HOME", ".config", "indexkey-key/store.key", environment, home),
      notice: { console.err($0) })
  }

  static let account = "store-key"

  /// The key if one exists already (reading never creates one).
  package func existing() throws(StoreError) -> (key: FernetKey, origin: Origin)? {
    if let acctKey { return (try parse(acctKey, .environment), .environment) }
    // A Secret Service that cannot answer (locked, no keyring daemon) is passed over: the
    // key file, if there is one, is the key the store was written with.
    if let secretService, let found = try? secretService.lookup(account: Self.account) {
      return (try parse(found, .secretService), .secretService)
    }
    guard let keyFile, FileIO.exists(keyFile) else { return nil }
    try requirePrivate(keyFile)
    let text: String
    do {
      text = try FileIO.readText(keyFile)
    } catch {
      throw StoreError("Could not read the store's key file: \(error.description).")
    }
    return (try parse(Secret(text), .keyFile(keyFile)), .keyFile(keyFile))
  }

  /// The key, made and kept on first use: in the Secret Service when one answers, else in the key file.
  package func obtain() throws(StoreError) -> (key: FernetKey, origin: Origin) {
    if let found = try existing() { return found }
    let key = FernetKey.generate()
    var why = "no desktop Secret Service answered (no D-Bus session bus)"
    if let secretService {
      do {
        try secretService.store(account: Self.account, label: "indexkey store key", secret: key.encoded)
        return (key, .secretService)
      } catch {
        why = "the desktop's Secret Service refused to keep it (\(error.reason))"
      }
    }
    guard let keyFile else {
      throw StoreError(
        "Could not keep a key for the encrypted store: \(why), and HOME is not set; set ACCT_KEY (a Fernet key) instead."
      )
    }
    do {
      try PrivateDirectory.prepare(SecureFile.directory(of: keyFile))
      try SecureFile.replace(keyFile, with: Array((key.encoded.revealed + "\n").utf8))
    } catch {
      throw StoreError("Could not write the store's key file: \(error.message)", exitStatus: .output)
    }
    notice(
      "indexkey: note: the encrypted store's key is in \(keyFile) (0600) because \(why); this protects a copied store file, not against another process running as you (set ACCT_KEY or use a desktop keyring for that)."
    )
    return (key, .keyFile(keyFile))
  }

  private func parse(_ text: Secret, _ origin: Origin) throws(StoreError) -> FernetKey {
    do {
      return try FernetKey(encoded: text)
    } catch {
      throw StoreError("The store's key from \(origin) cannot be used: \(error.description).")
    }
  }

  /// Refuses a key file others can read, or one that is not a regular file of the user.
  private func requirePrivate(_ path: String) throws(StoreError) {
    var st = stat()
    guard lstat(path, &st) == 0 else {
      throw StoreError("Could not inspect the store's key file \(path): \(errnoText()).")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid() else {
      throw StoreError(
        "The store's key file \(path) is not a regular file of yours (a symbolic link or another user's file); remove it."
      )
    }
    guard st.st_mode & 0o077 == 0 else {
      throw StoreError(
        "The store's key file \(path) can be read by other users (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)."
      )
    }
  }
}

/// `$VAR/rest` when the variable is an absolute path, else `$HOME/fallback/rest`.
func xdgPath(_ variable: String, _ fallback: String, _ rest: String, _ environment: Environment, _ home: String?)
  -> String?
{
  func trimmed(_ path: String) -> String { path.hasSuffix("/") ? String(path.dropLast()) : path }
  if let base = environment[variable], base.hasPrefix("/") { return trimmed(base) + "/" + rest }
  guard let home, home.hasPrefix("/") else { return nil }
  return trimmed(home) + "/" + fallback + "/" + rest
}
