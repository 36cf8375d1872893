/// What Google's STS, IAM Credentials and OAuth errors mean and what to change, with the
/// claims the CI token presented (never the token).
enum GoogleRefusals {
  /// An STS `{"error","error_description"}` answer.
  static func sts(error: String, description: String, exchange: GoogleSTS.Exchange, presented: JWTClaims?) -> String {
    let provider = WorkloadIdentityProvider.fromAudience(exchange.audience)
    let head = "Google STS refused to exchange the CI token for provider '\(exchange.audience)' (\(exchange.origin)): \(error)"
      + (description.isEmpty ? "" : " (\(description))") + "."
    let claims = presented.map { " The token presented \($0.presented)\(expiry($0))." } ?? ""
    let lower = description.lowercased()
    let fix: String
    switch error {
    case "invalid_grant":
      var checks: [String] = []
      if lower.contains("audience") || !lower.contains("issuer") && !lower.contains("expir") {
        let expected = provider?.defaultTokenAudience ?? "https://iam.googleapis.com/" + exchange.audience.dropFirst(2)
        checks.append(
          "the token's aud must be one of the provider's allowed audiences; by default that is '\(expected)', which indexkey requests unless --gcp-audience says otherwise (set the provider's allowed audiences to include the aud shown)")
      }
      if lower.contains("issuer") || !lower.contains("audience") && !lower.contains("expir") {
        checks.append("the provider's issuer URI must be exactly the token's iss '\(presented?.issuer ?? "ISSUER")'")
      }
      if lower.contains("expir") || lower.contains("stale") || !lower.contains("audience") && !lower.contains("issuer") {
        checks.append("the token must still be valid when it reaches Google: CI tokens live about 5 minutes, and this machine's clock must be right")
      }
      fix = "The CI token failed the provider's validation.\(claims) Check that " + checks.joined(separator: "; ") + "."
    case "invalid_target":
      fix = "The pool or provider does not exist, is disabled, or was deleted (deleted ones linger for 30 days and cannot be reused). \(providerAdvice(provider, audience: exchange.audience))"
    case "invalid_request" where lower.contains("audience"):
      fix = "The audience is not a provider's full resource name. \(providerAdvice(provider, audience: exchange.audience))"
    case "unauthorized_client":
      fix = "The provider's attribute condition rejected the token.\(claims)\(conditionClaims(presented)) Write the condition against these values (for example assertion.repository_owner == '\(presented?.text("repository_owner") ?? "OWNER")'), or run the job from a repository, branch or environment the condition allows. IAM changes can take about 5 minutes to apply."
    case "invalid_scope":
      fix = "The requested scope was refused; indexkey asks for \(GoogleHosts.cloudPlatformScope)."
    default:
      fix = "\(claims.isEmpty ? "" : claims.dropFirst() + " ")Check the workload identity pool and provider configuration."
    }
    return head + " " + fix
  }

  /// An IAM Credentials `{"error":{"code","message","status"}}` answer.
  static func impersonation(
    status: String, message: String, httpStatus: Int, impersonation: GoogleImpersonation,
    caller: GoogleImpersonation.Caller
  ) -> String {
    let account = impersonation.serviceAccount
    let head = "IAM Credentials refused to issue a token for the service account \(account): \(status)"
      + (message.isEmpty ? "" : " (\(message))") + "."
    let lower = message.lowercased()
    switch status {
    case "PERMISSION_DENIED" where lower.contains("has not been used") || lower.contains("is disabled")
      || lower.contains("service_disabled"):
      return head
        + " Enable the IAM Service Account Credentials API (iamcredentials.googleapis.com) in the project that owns the pool: gcloud services enable iamcredentials.googleapis.com --project=PROJECT."
    case "PERMISSION_DENIED", "UNAUTHENTICATED":
      return head + " " + missingRole(account: account, caller: caller)
    case "NOT_FOUND":
      return head + " The service account does not exist; check the email given by --gcp-service-account or service_account_impersonation_url."
    case "INVALID_ARGUMENT" where lower.contains("lifetime"):
      return head
        + " The requested lifetime (\(impersonation.lifetime) s) is longer than allowed: use at most 3600 s (token_lifetime_seconds), or allow up to 12 h with the organisation policy constraints/iam.allowServiceAccountCredentialLifetimeExtension."
    default:
      return head + " Check the service account and the rights of the identity that impersonates it."
    }
  }

  /// A JWT-bearer grant refused by Google's OAuth endpoint (service account keys).
  static func keyGrant(error: String, description: String, account: String, keyID: String, keyFile: String) -> String {
    let head = "Google's OAuth endpoint refused the service account key \(keyID) of \(account) (\(keyFile)): \(error)"
      + (description.isEmpty ? "" : " (\(description))") + "."
    let lower = description.lowercased()
    if lower.contains("signature") || lower.contains("not found") || lower.contains("disabled") {
      return head + " The key was deleted, disabled or never belonged to this account: create a new key, or better, switch to Workload Identity Federation."
    }
    if lower.contains("time") || lower.contains("short-lived") || lower.contains("iat") || lower.contains("exp") {
      return head + " The assertion's times were refused: this machine's clock is probably wrong; sync it (NTP) and retry."
    }
    if error == "invalid_client" || error == "unauthorized_client" || lower.contains("account") {
      return head + " The service account was deleted or disabled; check it with gcloud iam service-accounts describe \(account)."
    }
    return head + " Check the key file."
  }

  private static func expiry(_ claims: JWTClaims) -> String {
    claims.expiresAt.map { ", exp \($0.iso8601)" } ?? ""
  }

  private static func providerAdvice(_ provider: WorkloadIdentityProvider?, audience: String) -> String {
    guard let provider else {
      return "Give the provider as //iam.googleapis.com/\(WorkloadIdentityProvider.shape): the project number (not the project ID) and the provider (not the pool)."
    }
    return "Check that it exists and is enabled: gcloud iam workload-identity-pools providers describe \(provider.provider) --workload-identity-pool=\(provider.pool) --location=\(provider.location) --project=\(provider.projectNumber). The name needs the project number (not the ID) and the provider (not the pool)."
  }

  /// The claims attribute conditions usually test, when the token has them.
  private static func conditionClaims(_ presented: JWTClaims?) -> String {
    guard let presented else { return "" }
    let names = ["repository", "repository_owner", "ref", "workflow_ref", "job_workflow_ref", "environment", "namespace_path", "project_path"]
    let found = names.compactMap { name in presented.text(name).map { "\(name) '\($0)'" } }
    return found.isEmpty ? "" : " Other claims: " + found.joined(separator: ", ") + "."
  }

  private static func missingRole(account: String, caller: GoogleImpersonation.Caller) -> String {
    switch caller {
    case .serviceAccount(let email):
      return "The service account \(email) may not impersonate \(account) (or \(account) does not exist): grant it roles/iam.serviceAccountTokenCreator: gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.serviceAccountTokenCreator --member=serviceAccount:\(email). IAM changes can take about 5 minutes to apply."
    case .federated(let provider, let presented):
      let pool = provider?.poolResource ?? "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL"
      var member = "principal://iam.googleapis.com/\(pool)/subject/\(presented?.subject ?? "SUBJECT")"
      if let repository = presented?.text("repository") {
        member = "principalSet://iam.googleapis.com/\(pool)/attribute.repository/\(repository)"
      }
      let claims = presented.map { " The token presented \($0.presented)." } ?? ""
      return "The federated identity lacks roles/iam.workloadIdentityUser on \(account) (or the account does not exist).\(claims) Grant it: gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.workloadIdentityUser --member=\(member) (attribute.repository needs the mapping attribute.repository=assertion.repository on the provider). IAM changes can take about 5 minutes to apply."
    }
  }
}
