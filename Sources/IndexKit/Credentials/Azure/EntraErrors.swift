/// What each AADSTS code means and what to change, with the presented claims.
enum EntraErrors {
  /// The first line of `error_description` (the rest is trace and correlation ids).
  static func firstLine(_ text: String) -> String {
    String(text.split(whereSeparator: \.isNewline).first ?? "")
  }

  static func explain(code: Int64?, error: String, description: String, client: EntraClient, presented: JWTClaims?)
    -> String
  {
    let head = "Entra ID refused the token request for client \(client.clientID) in tenant \(client.tenantID)"
    let codeText = code.map { "AADSTS\($0)" } ?? error
    let quoted = description.isEmpty ? "" : " (\(Refusal.clean(description)))"
    let fix = Self.fix(code: code, client: client, presented: presented)
    return "\(head): \(codeText)\(quoted).\(fix)"
  }

  /// The sentences after the code: what was presented, the cause, the value to configure.
  static func fix(code: Int64?, client: EntraClient, presented: JWTClaims?) -> String {
    let claims = Refusal.presented(presented)
    let iss = presented?.issuer ?? "ISSUER"
    let sub = presented?.subject ?? "SUBJECT"
    let expected = EntraClient.federatedAudience(authorityHost: client.authorityHost)
    let aud = presented?.audiences.first ?? expected
    let app = "the app registration \(client.clientID) (Certificates & secrets → Federated credentials)"
    switch code {
    case 700213, 7_002_137, 70021:
      return
        "\(claims) No federated credential on \(app) has this subject. Add one with issuer '\(iss)' and subject '\(sub)' (audience '\(aud)'; all three are matched exactly), or run the job so that it carries the subject an existing credential names."
        + SubjectHints.hints(for: presented)
    case 7_002_138:
      return
        "\(claims) A federated credential on \(app) matches this subject only when letter case is ignored, and Entra compares subjects case-sensitively. Change the credential's subject to exactly '\(sub)'."
        + SubjectHints.hints(for: presented)
    case 700211:
      let slash = iss.hasSuffix("/") ? " (the token's issuer ends with a slash)" : " (no trailing slash)"
      return
        "\(claims) No federated credential on \(app) has this issuer. Add one, or correct an existing one, whose issuer is exactly '\(iss)'\(slash)."
    case 700212:
      if aud != expected {
        return
          "\(claims) No federated credential on \(app) accepts the audience '\(aud)'. Set the credential's audience to '\(aud)', or request the audience the credential names with --azure-audience (Entra's default for this cloud is '\(expected)')."
      }
      return
        "\(claims) No federated credential on \(app) accepts the audience '\(aud)'. Set the credential's audience to '\(aud)' (the default for this cloud)."
    case 700024:
      return
        "\(claims) The token was outside its valid time range when Entra checked it: it expired before it arrived, or this machine's clock is off. CI tokens live about 5 minutes and indexkey fetches one right before the exchange; check the clock (and for token files, that whatever writes the file still refreshes it)."
    case 7_000_215:
      return
        " The client secret is wrong. Put the secret's Value, not its Secret ID, in AZURE_CLIENT_SECRET (the Value is shown only once, when the secret is created)."
    case 7_000_222:
      return
        " The client secret has expired. Create a new one under Certificates & secrets of \(client.clientID) and update AZURE_CLIENT_SECRET."
    case 700016:
      return
        " No application with client id '\(client.clientID)' exists in the tenant '\(client.tenantID)'. Set AZURE_CLIENT_ID (or --azure-client-id) to the app's Application (client) ID — not its Object ID — and check AZURE_TENANT_ID names the tenant the app lives in."
    case 90002:
      return
        " Tenant '\(client.tenantID)' was not found in this cloud (\(client.authorityHost.host)). Set AZURE_TENANT_ID (or --azure-tenant-id) to the Directory (tenant) ID, and AZURE_AUTHORITY_HOST for a sovereign cloud."
    case 700027, 50027:
      if let certificate = client.certificate {
        let header = certificate.style == .ps256 ? "PS256 with x5t#S256" : "RS256 with x5t (SHA-1)"
        return
          " Entra ID could not verify the assertion signed (\(header)) with the certificate from \(certificate.source), thumbprint \(certificate.portalThumbprint) as the portal lists it. Upload that certificate's public part under Certificates & secrets of \(client.clientID), or point AZURE_CLIENT_CERTIFICATE_PATH at the certificate already registered."
          + (certificate.style == .ps256
            ? " For tenants that expect RS256 with a SHA-1 x5t, pass --azure-certificate-rs256." : "")
      }
      return
        "\(claims) The client assertion's signature could not be verified. For a federated credential the issuer '\(iss)' must publish the key that signed the token at its /.well-known/openid-configuration; for a certificate, upload the certificate to the app registration."
    case 70011, 1_002_012:
      return " The requested scope is not valid for this app."
    default:
      return "\(claims) Check the app registration's federated credentials or secrets."
    }
  }
}
