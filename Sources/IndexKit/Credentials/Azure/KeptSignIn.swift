/// A person's Entra sign-in kept across runs: its refresh token lives in the encrypted store
/// (``SecretStore``, kind ``kind``) under the feed's host, so later runs refresh silently
/// until Entra revokes it or it expires; `indexkey logout URL` forgets it.
///
/// When there is no kept sign-in, or Entra refuses it, a device-code sign-in runs (when a
/// terminal is there) under a lock next to the store: a parallel lookup waits for it and then
/// refreshes with what it kept, so the person is prompted once.
package struct KeptSignIn: Sendable {
  package var client: EntraPublicClient
  package var store: SecretStore
  /// The store's index for the sign-in (``StoreKey/index(for:)`` of the feed host's root).
  package var index: String
  /// The device-code sign-in, or nil where nobody can answer one (CI, no terminal).
  package var deviceCode: DeviceCodeSignIn?
  /// How long a lookup waits for a parallel sign-in (a device code lives 15 minutes).
  package var lockTimeout: Double

  package init(
    client: EntraPublicClient, store: SecretStore, index: String, deviceCode: DeviceCodeSignIn?,
    lockTimeout: Double = 960
  ) {
    self.client = client
    self.store = store
    self.index = index
    self.deviceCode = deviceCode
    self.lockTimeout = lockTimeout
  }

  package static let kind = "azure-refresh-token"

  var key: StoreKey { StoreKey(index: index, kind: Self.kind) }

  /// What the store holds for one sign-in: the refresh token and where it may be sent.
  struct Kept: Equatable {
    var refreshToken: Secret
    var authority: String
    var tenant: String
    var clientID: String

    init(refreshToken: Secret, client: EntraPublicClient) {
      self.refreshToken = refreshToken
      self.authority = client.authorityHost.description
      self.tenant = client.tenant
      self.clientID = client.clientID
    }

    init?(_ secret: Secret) {
      guard let json = try? JSON(parsing: Array(secret.revealed.utf8), document: "kept sign-in"),
        let token = json["refresh_token"]?.stringValue, let authority = json["authority"]?.stringValue,
        let tenant = json["tenant"]?.stringValue, let clientID = json["client_id"]?.stringValue
      else { return nil }
      self.refreshToken = Secret(token)
      self.authority = authority
      self.tenant = tenant
      self.clientID = clientID
    }

    var secret: Secret {
      Secret(
        JSON.object([
          ("authority", .string(authority)), ("client_id", .string(clientID)),
          ("refresh_token", .string(refreshToken.revealed)),
          ("tenant", .string(tenant)),
        ]).serialized())
    }

    /// A refresh token goes only to the authority, tenant and client it was issued by.
    func belongs(to client: EntraPublicClient) -> Bool {
      authority == client.authorityHost.description && tenant == client.tenant && clientID == client.clientID
    }
  }

  /// An access token: refreshed from the kept sign-in, else from a new sign-in.
  /// - Parameters:
  ///   - purpose: what the sign-in is for, shown above the device code.
  ///   - context: the context the requests and the sign-in run in.
  /// - Returns: an access token for the client.
  /// - Throws: ``IdentityError`` or ``SignInError`` when no sign-in can be had here, or the
  ///   error of the store or of Entra ID.
  package func accessToken(purpose: String, in context: Context) throws -> AzureAccessToken {
    var refused: String?
    if let kept = try kept() {
      do {
        return try refresh(kept, in: context)
      } catch SignInError.refreshRefused(let why) {
        refused = why
        try forget(kept)
      }
    }
    guard let deviceCode else {
      if let refused {
        throw IdentityError(
          "Entra ID no longer accepts the sign-in indexkey kept for \(index) (\(refused)); sign in again: run indexkey token URL in a terminal."
        )
      }
      throw SignInError.noTerminal(tried: "no sign-in is kept for \(index)")
    }
    return try signIn(deviceCode, purpose: purpose, in: context)
  }

  /// The kept sign-in for this client, nil when there is none (or one for another client).
  func kept() throws -> Kept? {
    guard let secret = try store.read(key: key), let kept = Kept(secret), kept.belongs(to: client) else { return nil }
    return kept
  }

  private func refresh(_ kept: Kept, in context: Context) throws -> AzureAccessToken {
    let tokens = try client.redeem(refreshToken: kept.refreshToken, in: context)
    if let rotated = tokens.refresh, rotated != kept.refreshToken {
      try store.write(key: key, value: Kept(refreshToken: rotated, client: client).secret)
    }
    return tokens.access
  }

  private func forget(_ kept: Kept) throws {
    // Only if it is still the one that was refused: a parallel sign-in may have replaced it.
    if try self.kept() == kept { try store.remove(key: key) }
  }

  /// Signs in under the sign-in lock; a sign-in kept meanwhile by a parallel lookup is used instead.
  private func signIn(_ deviceCode: DeviceCodeSignIn, purpose: String, in context: Context) throws -> AzureAccessToken {
    let lock: CacheLock
    do {
      try PrivateDirectory.prepare(SecureFile.directory(of: store.path))
      lock = try CacheLock.acquire(store.path + ".sign-in.lock", timeout: lockTimeout)
    } catch let error as CacheError {
      throw SignInError.refused("Waited for another indexkey's sign-in and gave up: \(error.message)")
    }
    defer { lock.release() }
    if let kept = try kept() {
      return try refresh(kept, in: context)
    }
    let tokens = try deviceCode.signIn(purpose: purpose, in: context)
    if let refresh = tokens.refresh {
      try store.write(key: key, value: Kept(refreshToken: refresh, client: client).secret)
    }
    return tokens.access
  }
}
