/// Whether a credential a service just answered can still be used.
///
/// Every token is checked once where it is produced (the CI token, each intermediate
/// token, the registry's credential), before it is written, answered or used for the next
/// step. Its expiry is the earliest of what the service said (`expires_in`, `expireTime`,
/// `expiration`, …) and the token's own `exp` when it is a JWT.
package enum Freshness {
  /// A credential expiring sooner than this is treated as expired.
  package static let margin: Double = 60

  /// The earliest of `stated` and the `exp` of `token` when it is a JWT.
  package static func expiry(stated: UnixTime?, token: Secret?) -> UnixTime? {
    let claimed = token.flatMap { JWTClaims(token: $0)?.expiresAt }
    switch (stated, claimed) {
    case (let s?, let c?): return min(s, c)
    case (let s, let c): return s ?? c
    }
  }

  /// Throws ``ExpiredCredential`` when the credential is expired or expires within ``margin``;
  /// returns its expiry (nil when neither the service nor the token says).
  /// - Parameters:
  ///   - what: the credential in words ("an access token", "an OIDC token").
  ///   - service: who answered it ("Entra ID", "GitHub Actions OIDC").
  ///   - stated: the expiry the service stated, if any.
  ///   - token: the credential, whose `exp` counts when it is a JWT.
  ///   - now: the current time.
  ///   - exitStatus: the exit status of the error when the credential is expired.
  /// - Returns: the credential's expiry, or nil when neither the service nor the token says.
  /// - Throws: ``ExpiredCredential`` when the credential expires within ``margin``.
  @discardableResult
  package static func check(
    _ what: String, from service: String, stated: UnixTime?, token: Secret?, now: UnixTime,
    exitStatus: ExitStatus = .network
  ) throws(ExpiredCredential) -> UnixTime? {
    guard let expiresAt = expiry(stated: stated, token: token) else { return nil }
    guard expiresAt - now < margin else { return expiresAt }
    throw ExpiredCredential(what: what, service: service, expiresAt: expiresAt, now: now, exitStatus: exitStatus)
  }
}

/// A service answered a credential that is already expired, or expires within a minute.
///
/// The exchange is tried once more (``Registry/freshCredential(for:in:)``); a second one is reported.
package struct ExpiredCredential: UserFacingError, Equatable {
  package var what: String
  package var service: String
  package var expiresAt: UnixTime
  package var now: UnixTime
  package var exitStatus: ExitStatus

  /// Clocks that disagree by more than this get a hint about skew.
  static let skewHint: Double = 120

  package var description: String {
    let left = expiresAt - now
    let when = left < 0 ? "expired \(describeDuration(-left)) ago" : "expires in \(describeDuration(left))"
    var text =
      "\(service) answered \(what) that \(when), at \(expiresAt.iso8601); this machine's clock says \(now.iso8601)."
    if abs(left) > Self.skewHint {
      text +=
        " The two disagree by \(describeDuration(abs(left))): if this machine's clock is wrong, set it right (NTP, `timedatectl`) and try again."
    } else {
      text +=
        " indexkey asked twice; try again later, or ask whoever runs \(service) why it answers credentials that do not last."
    }
    return text
  }
}

extension IdentitySource {
  /// A fresh CI token for `audience`, checked against its `exp`: an expired one is exit 3.
  package func freshToken(audience: String, in context: Context) throws -> Secret {
    let token = try idToken(audience: audience, in: context)
    try Freshness.check(
      "an OIDC token", from: name, stated: nil, token: token, now: context.clock.now(), exitStatus: .noIdentity)
    return token
  }
}

extension Registry {
  /// ``credential(for:in:)`` with its expiry checked; an exchange that answered (or went
  /// through) an expired credential is tried once more before the expiry is reported.
  package func freshCredential(for index: IndexTarget, in context: Context) throws -> Credential {
    do {
      return try checked(credential(for: index, in: context), now: context.clock.now())
    } catch is ExpiredCredential {
      return try checked(credential(for: index, in: context), now: context.clock.now())
    }
  }

  private func checked(_ credential: Credential, now: UnixTime) throws -> Credential {
    var credential = credential
    credential.expiresAt = try Freshness.check(
      "a credential", from: Self.displayName, stated: credential.expiresAt, token: credential.password, now: now)
    return credential
  }
}
