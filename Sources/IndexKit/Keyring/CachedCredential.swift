/// A registry credential as the keyring cache keeps it.
package struct CachedCredential: Sendable, Equatable {
  package var username: String
  package var password: Secret
  /// When the exchange that produced it started (a lower bound of the true issue time).
  package var mintedAt: UnixTime
  package var expiresAt: UnixTime

  package init(username: String, password: Secret, mintedAt: UnixTime, expiresAt: UnixTime) {
    self.username = username
    self.password = password
    self.mintedAt = mintedAt
    self.expiresAt = expiresAt
  }

  /// The part of the lifetime at its end during which the entry is no longer answered,
  /// so a client never starts work with a token about to lapse: a quarter of the
  /// lifetime, at most 10 minutes (an Entra token of 1 h is answered for 50 min).
  package var refreshMargin: Double {
    min(600, max(0, (expiresAt - mintedAt) / 4))
  }

  /// True while the entry may be answered without minting again.
  package func isFresh(at now: UnixTime) -> Bool {
    now + refreshMargin < expiresAt && now >= mintedAt - 300
  }

  /// The cacheable form of a freshly minted credential, or nil with the reason it must
  /// not be written to disk.
  ///
  /// The reasons: no known expiry, or a value the environment already holds (a CI job
  /// token handed over as is, e.g. GitLab's `CI_JOB_TOKEN`: CI tokens are never cached).
  package static func cacheable(_ credential: Credential, mintedAt: UnixTime, environment: Environment) -> Result<
    CachedCredential, CacheRefusal
  > {
    guard let expiresAt = credential.expiresAt, expiresAt > mintedAt else {
      return .failure(CacheRefusal("the registry gave no expiry time"))
    }
    guard isSingleLine(credential.username), isSingleLine(credential.password.revealed) else {
      return .failure(CacheRefusal("it contains control characters"))
    }
    if environment.values.values.contains(credential.password.revealed) {
      return .failure(CacheRefusal("it is a token the CI environment provides"))
    }
    return .success(
      CachedCredential(
        username: credential.username, password: credential.password, mintedAt: mintedAt, expiresAt: expiresAt))
  }

  /// Non-empty, without CR, LF, NUL or other control characters (each answer is one line).
  static func isSingleLine(_ text: String) -> Bool {
    !text.isEmpty && SingleLine.holds(text)
  }
}

/// Why a credential is not cached (said nowhere; tests read it).
package struct CacheRefusal: Error, Equatable, Sendable {
  package var reason: String
  package init(_ reason: String) { self.reason = reason }
}
