/// JFrog Artifactory's OIDC token exchange refusals (PROTOCOLS.md §8): `POST
/// /access/api/v1/oidc/token` answers `{"errors":[{"code"|"status", "message"}]}`.
package enum JFrogErrors {
  /// Explains a refusal of the exchange.
  ///
  /// - Parameters:
  ///   - status: the HTTP status.
  ///   - code: `errors[0].code` when present (`BAD_REQUEST`, `UNAUTHORIZED`, …).
  ///   - message: `errors[0].message`.
  ///   - presented: the claims of the CI token sent (nil if unknown).
  ///   - providerName: the OIDC integration's name (`provider_name`).
  ///   - host: the JFrog platform host.
  /// - Returns: the message explaining the refusal and what to fix.
  package static func explain(
    status: Int, code: String?, message: String, presented: JWTClaims?, providerName: String, host: String
  ) -> String {
    let label = code.map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    let head =
      "JFrog (\(host)) refused the OIDC token exchange with the integration '\(providerName)': \(Refusal.code(label, message))."
    let claims = Refusal.presented(presented)
    let settings = "Administration → General Management → Manage Integrations → '\(providerName)'"
    let aud = presented?.audiences.first ?? "AUDIENCE"
    if Refusal.mentions(message, "audience") {
      return head + claims
        + " The integration's audience must equal the token's aud '\(aud)': set it in \(settings), or request the audience it has (the JFrog registry's audience setting)."
    }
    if Refusal.mentions(message, "issuer") {
      return head + claims
        + " The integration's Provider URL must be the token's issuer '\(presented?.issuer ?? "ISSUER")' exactly; fix it in \(settings)."
    }
    if Refusal.mentions(message, "expired", "exp ") {
      return head + claims + " The token had expired when JFrog checked it; check this machine's clock."
    }
    if Refusal.mentions(message, "provider", "integration")
      && Refusal.mentions(message, "not found", "not exist", "unknown") || status == 404
    {
      return head
        + " There is no OIDC integration named '\(providerName)' on \(host); the name is case-sensitive. Create it, or pass the name it has."
    }
    if Refusal.mentions(message, "mapping", "claim") || status == 401 {
      return head + claims
        + " No identity mapping of '\(providerName)' matched the token's claims. Add a mapping whose claims JSON the token satisfies, e.g. \(mappingExample(presented)), with a token scope that can read (and deploy to) the PyPI repository."
        + SubjectHints.hints(for: presented)
    }
    if status == 403 {
      return head + claims
        + " An identity mapping matched, but its token scope lacks permission on this repository; give the mapped user or group read (and deploy) permission on it."
    }
    return head + claims + " Check the integration '\(providerName)' and its identity mappings in \(settings)."
  }

  /// `{"sub":"…","repository":"…"}` from the presented claims, for an identity mapping.
  static func mappingExample(_ claims: JWTClaims?) -> String {
    guard let claims else { return #"{"sub":"SUBJECT"}"# }
    var members: [(String, JSON)] = []
    if let sub = claims.subject { members.append(("sub", .string(sub))) }
    for name in ["repository", "project_path", "organization_slug"] {
      if let value = claims.text(name) { members.append((name, .string(value))) }
    }
    return JSON.object(members).serialized()
  }
}
