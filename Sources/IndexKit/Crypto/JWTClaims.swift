/// The claims of a JWT, decoded **without** verifying the signature — for diagnostics only.
///
/// Used to tell the user what a CI token presented (iss, sub, aud, lifetime, CI claims)
/// when a cloud refuses it. The token itself is never kept or printed.
package struct JWTClaims: Sendable, Equatable {
  package var claims: JSON

  /// Decodes the payload segment; nil when the token is not a JWT.
  package init?(token: Secret) {
    let segments = token.revealed.split(separator: ".", omittingEmptySubsequences: false)
    guard segments.count == 3, let bytes = Base64.decode(String(segments[1])),
      let json = try? JSON(parsing: bytes, document: "token payload"), case .object = json
    else { return nil }
    claims = json
  }

  package init(claims: JSON) { self.claims = claims }

  package var issuer: String? { claims["iss"]?.stringValue }
  package var subject: String? { claims["sub"]?.stringValue }
  /// `aud` as a list (it may be a string or an array).
  package var audiences: [String] {
    switch claims["aud"] {
    case .string(let s): [s]
    case .array(let a): a.compactMap(\.stringValue)
    default: []
    }
  }
  package var expiresAt: UnixTime? { claims["exp"]?.intValue.flatMap(ServerTime.instant) }
  package var issuedAt: UnixTime? { claims["iat"]?.intValue.flatMap(ServerTime.instant) }

  /// A claim rendered as text (strings as is, other values as JSON).
  package func text(_ name: String) -> String? {
    guard let v = claims[name] else { return nil }
    if let s = v.stringValue { return s }
    return v.serialized()
  }

  /// `iss='…', sub='…', aud='…'` — the part of an error message that says what was presented.
  package var presented: String {
    var parts: [String] = []
    parts.append("iss '\(issuer ?? "(none)")'")
    parts.append("sub '\(subject ?? "(none)")'")
    parts.append("aud '\(audiences.joined(separator: ", "))'")
    return parts.joined(separator: ", ")
  }
}
