/// Shared pieces of the error catalogue's sentences.
enum Refusal {
  /// " The token presented iss '…', sub '…', aud '…'." (with its expiry), or "" without a token.
  static func presented(_ claims: JWTClaims?) -> String {
    guard let claims else { return "" }
    let expiry = claims.expiresAt.map { ", exp \($0.iso8601)" } ?? ""
    return " The token presented \(claims.presented)\(expiry)."
  }

  /// A service's message made fit for a sentence: first line, anything shaped like a JWT
  /// removed, at most 300 characters, no trailing period unless `keepingFinalPeriod`
  /// (to quote the service's words exactly, so they can be searched for).
  static func clean(_ message: String, keepingFinalPeriod: Bool = false) -> String {
    var line = String(message.split(whereSeparator: \.isNewline).first ?? "").trimmingSpaces
    line = SingleLine.neutralised(ProcessToken.redactingTokens(line))
    if line.count > 300 { line = String(line.prefix(300)) + "…" }
    while !keepingFinalPeriod, line.hasSuffix(".") { line.removeLast() }
    return line
  }

  /// "CODE (message)" or "CODE".
  static func code(_ code: String, _ message: String, keepingFinalPeriod: Bool = false) -> String {
    let text = clean(message, keepingFinalPeriod: keepingFinalPeriod)
    return text.isEmpty ? code : "\(code) (\(text))"
  }

  /// The issuer without its scheme: how AWS names an OIDC provider and GitLab/JFrog show it.
  static func issuerHost(_ issuer: String) -> String {
    var host = issuer
    for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
    while host.hasSuffix("/") { host.removeLast() }
    return host
  }

  /// True when the text mentions any of the words (case-insensitive).
  static func mentions(_ text: String, _ words: String...) -> Bool {
    let lower = text.lowercased()
    return words.contains { lower.contains($0) }
  }
}
