/// `indexkey claims`: a CI token explained — its claims, times and the claims trust rules
/// use — without the token or its signature.
package struct ClaimsReport: Sendable {
  /// Where the token came from ("GitHub Actions").
  package var source: String
  /// The audience asked for; empty for the CI's default.
  package var audienceRequested: String
  package var claims: JWTClaims
  /// `alg`, `kid` and `typ` of the token's header (nothing else of it).
  package var header: [(String, String)]
  package var now: UnixTime

  /// Decodes `token`; throws when it is not a JWT with a JSON payload.
  package init(token: Secret, source: String, audience: String, now: UnixTime) throws {
    guard let claims = JWTClaims(token: token) else {
      throw IdentityError("The token from \(source) is not a JWT with a JSON payload.")
    }
    self.source = source
    self.audienceRequested = audience
    self.claims = claims
    self.now = now
    let first = token.revealed.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
    let json = Base64.decode(first).flatMap { try? JSON(parsing: $0, document: "token header") }
    header = ["alg", "kid", "typ"].compactMap { name in json?[name]?.stringValue.map { (name, $0) } }
  }

  /// Fetches a fresh token from the `--identity` source and explains it.
  package static func fetch(identity: String?, serviceConnection: String?, audience: String, in context: Context) throws
    -> ClaimsReport
  {
    let spec = try IdentitySpec.planned(identity, serviceConnection: serviceConnection)
    var source = try spec.source(environment: context.environment)
    if let ambient = source as? AmbientIdentity {
      source = try ambient.resolve(context.environment)
    }
    let token = try source.idToken(audience: audience, in: context)
    return try ClaimsReport(token: token, source: source.name, audience: audience, now: context.clock.now())
  }

  package var family: TrustClaims.Family { TrustClaims.family(of: claims) }

  /// The family's trust claims this token has, in order.
  package var trustClaims: [String] {
    TrustClaims.names(for: family).filter { claims.claims[$0] != nil }
  }

  /// Every other claim, in token order.
  package var otherClaims: [String] {
    let shown = Set(TrustClaims.standard + trustClaims)
    return (claims.claims.objectValue ?? []).map(\.0).filter { !shown.contains($0) }
  }

  /// The report for people.
  package var text: String {
    let requested = audienceRequested.isEmpty ? "the default audience" : "the audience '\(audienceRequested)'"
    var lines = ["Token from \(source), requested for \(requested) (the token and its signature are not shown).", ""]
    let width = max(9, (trustClaims + otherClaims).map(\.count).max() ?? 0) + 2
    func row(_ name: String, _ value: String) { lines.append("  " + name.padded(to: width) + value) }
    for name in TrustClaims.standard {
      guard let value = claims.claims[name] else { continue }
      switch name {
      case "aud": row(name, claims.audiences.joined(separator: ", "))
      case "iat", "nbf", "exp": row(name, time(value))
      default: row(name, display(value))
      }
    }
    if let lifetime = lifetimeText { row("lifetime", lifetime) }
    if !trustClaims.isEmpty {
      lines += ["", "Claims that trust rules use (\(family.displayName)):"]
      for name in trustClaims { row(name, display(claims.claims[name] ?? .null)) }
    }
    if !otherClaims.isEmpty {
      lines += ["", "Other claims:"]
      for name in otherClaims { row(name, display(claims.claims[name] ?? .null)) }
    }
    let notes = SubjectHints.list(for: claims)
    if !notes.isEmpty {
      lines += ["", "Notes:"] + notes.map { "  - \($0)." }
    }
    if !header.isEmpty {
      lines += ["", "Header: " + header.map { "\($0.0) \($0.1)" }.joined(separator: ", ")]
    }
    return lines.joined(separator: "\n")
  }

  /// The report as one JSON object (`--json`).
  package var json: JSON {
    var members: [(String, JSON)] = [
      ("source", .string(source)),
      ("audience_requested", audienceRequested.isEmpty ? .null : .string(audienceRequested)),
      ("ci", .string(family.rawValue)),
      ("header", .object(header.map { ($0.0, .string($0.1)) })),
      ("claims", claims.claims),
      ("trust_claims", .array(trustClaims.map { .string($0) })),
    ]
    if let iat = claims.issuedAt { members.append(("issued_at", .string(iat.iso8601))) }
    if let exp = claims.expiresAt {
      members.append(("expires_at", .string(exp.iso8601)))
      members.append(("expires_in_seconds", .integer(Int64(saturatingInt(exp - now, .down)))))
      if let iat = claims.issuedAt { members.append(("lifetime_seconds", .integer(Int64(exp - iat)))) }
    }
    members.append(("notes", .array(SubjectHints.list(for: claims).map { .string($0) })))
    return .object(members)
  }

  private var lifetimeText: String? {
    guard let exp = claims.expiresAt else { return nil }
    let left = exp - now
    let remaining = left > 0 ? "\(describeDuration(left)) left" : "expired \(describeDuration(-left)) ago"
    guard let iat = claims.issuedAt else { return remaining }
    return "\(describeDuration(exp - iat)), \(remaining)"
  }

  private func time(_ value: JSON) -> String {
    guard let seconds = value.intValue else { return display(value) }
    let t = Double(seconds)
    let delta = t - now
    let relative =
      abs(delta) < 1 ? "now" : delta > 0 ? "in \(describeDuration(delta))" : "\(describeDuration(-delta)) ago"
    return "\(t.iso8601) (\(relative))"
  }

  /// Strings as is (control characters escaped); other values as JSON.
  private func display(_ value: JSON) -> String {
    let text = value.stringValue ?? value.serialized()
    return text.unicodeScalars.map {
      $0.value < 0x20 || $0.value == 0x7f ? "\\u{\(String($0.value, radix: 16))}" : String($0)
    }.joined()
  }
}

extension String {
  /// The string followed by spaces up to `width` characters (at least one space).
  func padded(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
