/// What each AADSTS code means and what to change, with the presented claims.
enum EntraErrors {
  /// The first line of `error_description` (the rest is trace and correlation ids).
  static func firstLine(_ text: String) -> String {
    String(text.split(whereSeparator: \.isNewline).first ?? "")
  }

  static func explain(code: Int64?, error: String, description: String, client: EntraClient, presented: JWTClaims?) -> String {
    let who = "client \(client.clientID) in tenant \(client.tenantID)"
    let head = "Entra ID refused the token request for \(who)"
    let codeText = code.map { "AADSTS\($0)" } ?? error
    let claims = presented.map { " The token presented \($0.presented)." } ?? ""
    let iss = presented?.issuer ?? "ISSUER"
    let sub = presented?.subject ?? "SUBJECT"
    let aud = presented?.audiences.first ?? EntraClient.federatedAudience(authorityHost: client.authorityHost)
    let fix: String
    switch code {
    case 700213, 7002137, 70021:
      fix = "No federated credential on the app matches the token's subject.\(claims) Add a federated credential with issuer '\(iss)' and subject '\(sub)' (audience '\(aud)'), or run the job so that its subject matches an existing one."
        + SubjectHints.hints(for: presented)
    case 7002138:
      fix = "A federated credential matches the subject only when letter case is ignored, and matching is case-sensitive.\(claims) Change the credential's subject to exactly '\(sub)'."
    case 700211:
      fix = "No federated credential on the app has the token's issuer.\(claims) Add one whose issuer is exactly '\(iss)' (no trailing slash unless the token has one)."
    case 700212:
      fix = "No federated credential on the app accepts the token's audience.\(claims) Set the credential's audience to '\(aud)', or request a token for the audience the credential expects."
    case 700024:
      let expiry = presented?.expiresAt.map { " (exp \($0.iso8601))" } ?? ""
      fix = "The client assertion is outside its valid time range\(expiry): the CI token expired before it reached Entra ID, or this machine's clock is off. CI tokens live about 5 minutes; fetch a fresh one right before the exchange."
    case 7000215:
      fix = "The client secret is wrong. Use the secret's Value, not its Secret ID, in AZURE_CLIENT_SECRET."
    case 7000222:
      fix = "The client secret has expired. Create a new one under Certificates & secrets and update AZURE_CLIENT_SECRET."
    case 700016:
      fix = "No application with client id '\(client.clientID)' exists in tenant '\(client.tenantID)'. Check AZURE_CLIENT_ID (the Application (client) ID, not the object id) and AZURE_TENANT_ID."
    case 90002:
      fix = "Tenant '\(client.tenantID)' was not found. Check AZURE_TENANT_ID (the Directory (tenant) ID) and the cloud (AZURE_AUTHORITY_HOST)."
    case 700027, 50027:
      fix = "The client assertion's signature could not be verified.\(claims) For a federated credential, check that the issuer publishes the key that signed the token; for a certificate, upload the certificate to the app registration."
    case 70011, 1002012:
      fix = "The requested scope is invalid for this app."
    default:
      fix = "\(claims.isEmpty ? "" : claims.dropFirst() + " ")Check the app registration and its federated credentials or secrets."
    }
    let quoted = description.isEmpty ? "" : " (\(description))"
    return "\(head): \(codeText)\(quoted). \(fix)"
  }
}

/// Common reasons a CI token's subject does not match what a cloud was told to expect.
enum SubjectHints {
  static func hints(for claims: JWTClaims?) -> String {
    guard let sub = claims?.subject else { return "" }
    var hints: [String] = []
    if sub.contains(":environment:") {
      hints.append("this job runs in a GitHub environment, so its subject names the environment, not the branch")
    } else if sub.hasSuffix(":pull_request") {
      hints.append("pull_request events have the subject '…:pull_request', not the branch")
    } else if sub.contains(":ref:") {
      hints.append("a credential for a GitHub environment does not match a job without `environment:`")
    }
    if sub.contains("@") && sub.hasPrefix("repo:") {
      hints.append("this repository uses GitHub's immutable subject format repo:OWNER@ID/REPO@ID; credentials written for repo:OWNER/REPO no longer match")
    }
    if let ref = claims?.text("job_workflow_ref"), let workflow = claims?.text("workflow_ref"), ref != workflow {
      hints.append("the job runs the reusable workflow \(ref)")
    }
    return hints.isEmpty ? "" : " Note: " + hints.joined(separator: "; ") + "."
  }
}
