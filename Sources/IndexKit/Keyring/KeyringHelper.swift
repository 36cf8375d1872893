/// pip's and uv's `keyring` executable, answered natively: maps the SERVICE to an index,
/// answers from the cache while the registry token is fresh, else mints one.
///
/// Configuration comes from the environment only (pip and uv pass theirs on; a keyring
/// call has no indexkey flags): each registry's own variables (`AZURE_CLIENT_ID`, …),
/// ``KeyringServices/registryVariable`` for hosts indexkey does not recognise,
/// ``identityVariable`` for the identity, ``noCacheVariable`` to turn the cache off.
///
/// ```swift
/// let helper = KeyringHelper(environment: env, console: .standard(), cache: cache) { try Context.live(...) }
/// let code = helper.get(KeyringQuery(service: url, username: nil, mode: .creds, output: .json))
/// ```
package struct KeyringHelper: Sendable {
  /// Same values as `--identity` (`auto`, `github`, `file:PATH`, `env:NAME`); default `auto`.
  package static let identityVariable = "INDEXKEY_IDENTITY"
  /// `1`/`true`: never read or write the cache (as `--no-cache`).
  package static let noCacheVariable = "INDEXKEY_NO_CACHE"

  package var environment: Environment
  package var console: Console
  package var clock: any WallClock
  /// nil when the cache is off.
  package var cache: CredentialCache?
  /// How long a lookup waits for a parallel one that is minting the same credential.
  package var lockTimeout: Double
  /// Builds the network context; called only when a credential must be minted.
  package var connect: @Sendable () throws -> Context

  package init(
    environment: Environment, console: Console, clock: any WallClock = SystemClock(), cache: CredentialCache?,
    lockTimeout: Double = 90, connect: @escaping @Sendable () throws -> Context
  ) {
    self.environment = environment
    self.console = console
    self.clock = clock
    self.cache = cache
    self.lockTimeout = lockTimeout
    self.connect = connect
  }

  /// The cache the environment asks for: nil under ``noCacheVariable`` or without a home.
  package static func defaultCache(environment: Environment, home: String?) -> CredentialCache? {
    if environment.flag(noCacheVariable) { return nil }
    return CredentialCache.defaultDirectory(environment: environment, home: home).map { CredentialCache(directory: $0) }
  }

  /// Answers one `keyring get`.
  ///
  /// Returns the exit code: 0 with the answer on stdout; 1 with nothing at all when the
  /// service is not an index indexkey handles; otherwise the error's code, with one
  /// line on stderr and nothing on stdout.
  package func get(_ query: KeyringQuery) -> Int32 {
    do {
      guard let index = try KeyringServices.resolve(query.service, environment: environment) else { return 1 }
      let registry = try makeRegistry(index.registry)
      let (username, password) = try credential(index, registry)
      guard CachedCredential.isSingleLine(username), CachedCredential.isSingleLine(password.revealed) else {
        throw ExchangeError.unavailable(
          "\(index.registry.displayName) returned a credential with line breaks or control characters; it cannot be handed over."
        )
      }
      CIMasker.detect(environment).mask([password.revealed], console: console)
      var text = query.answer(username: username, password: password).revealed
      if text.hasSuffix("\n") { text.removeLast() }
      console.out(text)
      return 0
    } catch {
      let failure = asUserFacing(error)
      console.err("indexkey: error: \(Self.oneLine(failure.message))")
      return failure.exitStatus.rawValue
    }
  }

  /// `keyring del SERVICE USERNAME`: forgets the cached credential of the index SERVICE names,
  /// so the next lookup mints a new one (what keyring users do to force a refresh).
  ///
  /// Exit 0 when it was forgotten or there was none; 1 when indexkey does not handle SERVICE.
  package func delete(service: String) -> Int32 {
    do {
      guard let index = try KeyringServices.resolve(service, environment: environment) else { return 1 }
      guard let cache else {
        console.err(
          "indexkey: nothing to forget: \(Self.noCacheVariable) is set, or neither XDG_CACHE_HOME nor HOME is.")
        return 0
      }
      let key = CacheKey.make(index: index.target, registry: try makeRegistry(index.registry), environment: environment)
      let lock = try? CacheLock.acquire(cache.lockPath(key), timeout: lockTimeout, owner: cache.owner)
      defer { lock?.release() }
      let had = cache.read(key, now: clock.now()) != .missing
      cache.remove(key)
      console.err(
        had
          ? "indexkey: forgot the cached credential for \(index.target.simpleURL); the next lookup gets a new one."
          : "indexkey: no credential was cached for \(index.target.simpleURL).")
      return 0
    } catch {
      let failure = asUserFacing(error)
      console.err("indexkey: error: \(Self.oneLine(failure.message))")
      return failure.exitStatus.rawValue
    }
  }

  /// Empties the cache; says how many credentials were removed.
  package func clear() -> Int32 {
    guard let cache else {
      console.err(
        "indexkey: error: There is no cache to clear: \(Self.noCacheVariable) is set, or neither XDG_CACHE_HOME nor HOME is."
      )
      return ExitStatus.usage.rawValue
    }
    do {
      let removed = try cache.clear()
      console.err("indexkey: removed \(removed) cached credential\(removed == 1 ? "" : "s") from \(cache.directory).")
      return 0
    } catch {
      console.err("indexkey: error: \(error.message)")
      return ExitStatus.output.rawValue
    }
  }

  func makeRegistry(_ type: any Registry.Type) throws -> any Registry {
    let text = environment[Self.identityVariable] ?? "auto"
    let spec: IdentitySpec
    do {
      spec = try IdentitySpec(parsing: text)
    } catch {
      throw ConfigError("\(Self.identityVariable)='\(text)' is not understood; use one of: \(IdentitySources.usage).")
    }
    do {
      return try type.make(settings: Settings(environment: environment), identity: spec)
    } catch let error as ConfigError {
      throw ConfigError(
        error.message + " A keyring lookup takes no flags: set the variables in the environment pip or uv runs in.")
    }
  }

  /// From the cache while fresh; else, holding the entry's lock, from whoever minted
  /// meanwhile, or minted now and stored.
  func credential(_ index: KeyringIndex, _ registry: any Registry) throws -> (String, Secret) {
    guard let cache = usableCache() else {
      let minted = try mint(index, registry)
      return (minted.username, minted.password)
    }
    let key = CacheKey.make(index: index.target, registry: registry, environment: environment)
    if case .entry(let entry) = cache.read(key, now: clock.now()), entry.isFresh(at: clock.now()) {
      return (entry.username, entry.password)
    }
    var lock: CacheLock?
    do {
      lock = try CacheLock.acquire(cache.lockPath(key), timeout: lockTimeout, owner: cache.owner)
    } catch {
      warn("\(error.message) Minting without the cache lock.")
    }
    defer { lock?.release() }
    var aging: CachedCredential?
    switch cache.read(key, now: clock.now()) {
    case .entry(let entry) where entry.isFresh(at: clock.now()):
      return (entry.username, entry.password)
    case .entry(let entry):
      aging = entry
    case .rejected(let reason):
      warn("Ignored the cached credential \(cache.entryPath(key)): it \(reason). It is replaced.")
      cache.remove(key)
    case .missing:
      break
    }
    let mintedAt = clock.now()
    let minted: Credential
    do {
      minted = try mint(index, registry)
    } catch {
      // The service is down but the token in hand has not expired: better than nothing.
      let failure = asUserFacing(error)
      let left = (aging?.expiresAt ?? 0) - clock.now()
      guard failure.exitStatus == .network, let aging, left >= Self.minimumUsefulLifetime else { throw error }
      warn("\(failure.message) Answering the cached credential, valid for \(describeDuration(left)) more.")
      return (aging.username, aging.password)
    }
    switch CachedCredential.cacheable(minted, mintedAt: mintedAt, environment: environment) {
    case .success(let entry):
      do {
        try cache.store(entry, for: key)
        cache.prune(before: key)
      } catch {
        warn("Could not cache the credential: \(error.message)")
      }
    case .failure:
      cache.remove(key)
    }
    return (minted.username, minted.password)
  }

  /// A cached token closer to its expiry than this is not answered even when minting fails.
  static let minimumUsefulLifetime: Double = 60

  private func mint(_ index: KeyringIndex, _ registry: any Registry) throws -> Credential {
    try registry.freshCredential(for: index.target, in: try connect())
  }

  private func usableCache() -> CredentialCache? {
    guard let cache else { return nil }
    do {
      try cache.prepare()
      return cache
    } catch {
      warn("\(error.message) Going on without the cache.")
      return nil
    }
  }

  private func warn(_ message: String) {
    console.err("indexkey: warning: \(Self.oneLine(message))")
  }

  static func oneLine(_ text: String) -> String {
    SingleLine.neutralised(text)
  }
}
