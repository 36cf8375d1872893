/// The Google refusals (PROTOCOLS.md §5a–5b, §5d): STS's OAuth errors, IAM Credentials'
/// Google API `status` errors and the OAuth endpoint's answers to a service account key,
/// each explained with the claims the CI token presented (never the token) and the value
/// or command that fixes it.
package enum GoogleErrors {
  /// Explains an STS `{"error","error_description"}` answer to the token exchange.
  ///
  /// - Parameters:
  ///   - error: `invalid_grant`, `invalid_target`, `unauthorized_client`, `invalid_request`, …
  ///   - description: `error_description`.
  ///   - exchange: the exchange asked for (its `audience` is the provider's STS name).
  ///   - presented: the claims of the CI token sent as `subject_token` (nil if unknown).
  /// - Returns: the message explaining the refusal and what to fix.
  package static func sts(error: String, description: String, exchange: GoogleSTS.Exchange, presented: JWTClaims?)
    -> String
  {
    let provider = WorkloadIdentityProvider.fromAudience(exchange.audience)
    let head =
      "Google STS refused to exchange the CI token for provider '\(exchange.audience)' (\(exchange.origin)): "
      + Refusal.code(error, description, keepingFinalPeriod: true) + "."
    let claims = Refusal.presented(presented)
    let fix: String
    switch error {
    case "invalid_grant":
      fix =
        "The CI token failed the provider's validation.\(claims) Check: "
        + invalidGrantChecks(description, exchange: exchange, provider: provider, presented: presented).joined(
          separator: "; ") + "."
    case "invalid_target":
      fix =
        "The pool or provider does not exist, is disabled, or was deleted (deleted ones linger for 30 days and cannot be reused). \(providerAdvice(provider, audience: exchange.audience))"
    case "invalid_request" where Refusal.mentions(description, "audience"):
      fix =
        "The audience is not a provider's full resource name. \(providerAdvice(provider, audience: exchange.audience))"
    case "unauthorized_client":
      fix =
        "The provider's attribute condition rejected the token.\(claims)\(conditionClaims(presented)) Write the condition against these values (for example \(conditionExample(presented))), or run the job from a repository, branch or environment the condition allows. IAM changes can take about 5 minutes to apply."
        + SubjectHints.hints(for: presented)
    case "invalid_scope":
      fix = "The requested scope was refused; indexkey asks for \(GoogleHosts.cloudPlatformScope)."
    default:
      fix =
        "\(claims.isEmpty ? "" : claims.dropFirst() + " ")Check the workload identity pool and provider configuration."
    }
    return head + " " + fix
  }

  /// Explains an IAM Credentials `{"error":{"code","message","status"}}` answer to
  /// `generateAccessToken`.
  ///
  /// - Parameters:
  ///   - status: `error.status` (`PERMISSION_DENIED`, `NOT_FOUND`, `INVALID_ARGUMENT`, …).
  ///   - message: `error.message`.
  ///   - httpStatus: the HTTP status of the answer.
  ///   - impersonation: the service account and lifetime asked for.
  ///   - caller: whose access token authorised the call (federated identity or a key's account).
  /// - Returns: the message explaining the refusal and what to fix.
  package static func impersonation(
    status: String, message: String, httpStatus: Int, impersonation: GoogleImpersonation,
    caller: GoogleImpersonation.Caller
  ) -> String {
    let account = impersonation.serviceAccount
    let head =
      "IAM Credentials refused to issue a token for the service account \(account): "
      + Refusal.code(status, message, keepingFinalPeriod: true) + "."
    switch status {
    case "PERMISSION_DENIED" where Refusal.mentions(message, "has not been used", "is disabled", "service_disabled"):
      return head
        + " Enable the IAM Service Account Credentials API (iamcredentials.googleapis.com) in the project that owns the pool (or the key's service account): gcloud services enable iamcredentials.googleapis.com --project=\(project(in: message, caller: caller))."
    case "PERMISSION_DENIED":
      return head + " " + missingRole(account: account, caller: caller)
    case "UNAUTHENTICATED":
      return head + " " + rejectedBearer(caller)
    case "NOT_FOUND":
      return head
        + " The service account does not exist; check the email given by --gcp-service-account or service_account_impersonation_url ('\(account)')."
    case "INVALID_ARGUMENT" where Refusal.mentions(message, "lifetime"):
      return head
        + " The requested lifetime (\(impersonation.lifetime) s) is longer than allowed: use at most 3600 s (token_lifetime_seconds), or allow up to 12 h with the organisation policy constraints/iam.allowServiceAccountCredentialLifetimeExtension."
    default:
      return head + callerClaims(caller)
        + " Check the service account and the rights of the identity that impersonates it."
    }
  }

  /// Explains a JWT-bearer grant refused by Google's OAuth endpoint (service account keys).
  package static func keyGrant(error: String, description: String, account: String, keyID: String, keyFile: String)
    -> String
  {
    let head =
      "Google's OAuth endpoint refused the service account key \(keyID) of \(account) (\(keyFile)): "
      + Refusal.code(error, description, keepingFinalPeriod: true) + "."
    if Refusal.mentions(description, "signature", "not found", "disabled") {
      return head
        + " The key was deleted, disabled or never belonged to this account: create a new key, or better, switch to Workload Identity Federation."
    }
    if Refusal.mentions(description, "time", "short-lived", "iat", "exp") {
      return head
        + " The assertion's times were refused: this machine's clock is probably wrong; sync it (NTP) and retry."
    }
    if error == "invalid_client" || error == "unauthorized_client" || Refusal.mentions(description, "account") {
      return head
        + " The service account was deleted or disabled; check it with gcloud iam service-accounts describe \(account)."
    }
    return head + " Check the key file."
  }

  // MARK: STS details

  /// What `invalid_grant` can mean, narrowed by what the description mentions (all of
  /// audience, issuer and validity when it mentions none of them).
  private static func invalidGrantChecks(
    _ description: String, exchange: GoogleSTS.Exchange, provider: WorkloadIdentityProvider?, presented: JWTClaims?
  ) -> [String] {
    let audience = Refusal.mentions(description, "audience")
    let issuer = Refusal.mentions(description, "issuer")
    let time = Refusal.mentions(description, "expir", "stale", "too late", "not yet valid", "lifetime")
    let signature = Refusal.mentions(description, "signature", "jwk", "key")
    let unspecific = !audience && !issuer && !time && !signature
    var checks: [String] = []
    if audience || unspecific {
      let expected = provider?.defaultTokenAudience ?? "https://iam.googleapis.com/" + exchange.audience.dropFirst(2)
      let aud = presented?.audiences.joined(separator: ", ") ?? "AUDIENCE"
      checks.append(
        "the token's aud '\(aud)' must be one of the provider's allowed audiences: add it to them, or request an audience they list (by default that is '\(expected)', which indexkey requests unless --gcp-audience says otherwise)"
      )
    }
    if issuer || unspecific {
      checks.append("the provider's issuer URI must be exactly the token's iss '\(presented?.issuer ?? "ISSUER")'")
    }
    if time || unspecific {
      checks.append(
        "the token must still be valid when it reaches Google: CI tokens live about 5 minutes, and this machine's clock must be right"
      )
    }
    if signature {
      checks.append(
        "Google can verify the token's signature: if the provider uses uploaded JWKS, upload the issuer's current keys; otherwise the issuer's keys must be reachable from the internet"
      )
    }
    return checks
  }

  /// How to check the provider named by `audience`: the gcloud command when it parses,
  /// otherwise what is wrong with it.
  private static func providerAdvice(_ provider: WorkloadIdentityProvider?, audience: String) -> String {
    guard let provider else {
      if let problem = WorkloadIdentityProvider.problem(audience, what: "The provider") { return problem }
      return
        "Give the provider as //iam.googleapis.com/\(WorkloadIdentityProvider.shape): the project number (not the project ID) and the provider (not the pool)."
    }
    return
      "Check that it exists and is enabled: gcloud iam workload-identity-pools providers describe \(provider.provider) --workload-identity-pool=\(provider.pool) --location=\(provider.location) --project=\(provider.projectNumber). The name needs the project number (not the ID) and the provider (not the pool)."
  }

  /// The claims attribute conditions test, when the token has them: the usual ones first,
  /// then the rest its CI puts in trust rules.
  private static func conditionClaims(_ presented: JWTClaims?) -> String {
    guard let presented else { return "" }
    var names = [
      "repository", "repository_owner", "ref", "workflow_ref", "job_workflow_ref", "environment", "namespace_path",
      "project_path",
    ]
    for name in TrustClaims.names(for: TrustClaims.family(of: presented)) where !names.contains(name) {
      names.append(name)
    }
    let found = names.compactMap { name in presented.text(name).map { "\(name) '\($0)'" } }
    return found.isEmpty ? "" : " Other claims: " + found.joined(separator: ", ") + "."
  }

  /// A condition that would accept this token, in CEL.
  private static func conditionExample(_ presented: JWTClaims?) -> String {
    if let repository = presented?.text("repository") {
      let owner = presented?.text("repository_owner") ?? String(repository.split(separator: "/").first ?? "OWNER")
      return "assertion.repository == '\(repository)' or assertion.repository_owner == '\(owner)'"
    }
    if let project = presented?.text("project_path") {
      let namespace = presented?.text("namespace_path").map { " or assertion.namespace_path == '\($0)'" } ?? ""
      return "assertion.project_path == '\(project)'\(namespace)"
    }
    if let subject = presented?.subject { return "assertion.sub == '\(subject)'" }
    return "assertion.repository_owner == 'OWNER'"
  }

  // MARK: IAM Credentials details

  private static func missingRole(account: String, caller: GoogleImpersonation.Caller) -> String {
    switch caller {
    case .user(let who):
      return
        "The user account (\(who)) may not impersonate \(account) (or \(account) does not exist): grant your account roles/iam.serviceAccountTokenCreator: gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.serviceAccountTokenCreator --member=user:YOUR_EMAIL. IAM changes can take about 5 minutes to apply."
    case .serviceAccount(let email):
      return
        "The service account \(email) may not impersonate \(account) (or \(account) does not exist): grant it roles/iam.serviceAccountTokenCreator: gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.serviceAccountTokenCreator --member=serviceAccount:\(email). IAM changes can take about 5 minutes to apply."
    case .federated(let provider, let presented):
      let pool =
        "iam.googleapis.com/"
        + (provider?.poolResource ?? "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL")
      let subject = "principal://\(pool)/subject/\(presented?.subject ?? "SUBJECT")"
      var members = "--member=\(subject)"
      if let repository = presented?.text("repository") {
        members =
          "--member=principalSet://\(pool)/attribute.repository/\(repository) (for every job of the repository; needs the mapping attribute.repository=assertion.repository on the provider), or --member=\(subject) (for this subject only)"
      }
      return
        "The federated identity lacks roles/iam.workloadIdentityUser on \(account) (or the account does not exist).\(Refusal.presented(presented)) Grant it: gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.workloadIdentityUser \(members). Without a service account, grant the same member roles/artifactregistry.reader (install) or roles/artifactregistry.writer (upload) on the repository instead. IAM changes can take about 5 minutes to apply."
        + SubjectHints.hints(for: presented)
    }
  }

  private static func rejectedBearer(_ caller: GoogleImpersonation.Caller) -> String {
    switch caller {
    case .user(let who):
      return
        "The access token of \(who) was not accepted: the sign-in expired or was revoked; run `gcloud auth application-default login` (or `gcloud auth login`) again."
    case .serviceAccount(let email):
      return
        "The access token of \(email) (from its key) was not accepted: it expired or the key was revoked; check this machine's clock and the key."
    case .federated(_, let presented):
      return
        "The federated access token from Google STS was not accepted: it expired (it lives no longer than the CI token) or was revoked.\(Refusal.presented(presented)) Check this machine's clock and retry."
    }
  }

  private static func callerClaims(_ caller: GoogleImpersonation.Caller) -> String {
    if case .federated(_, let presented) = caller { return Refusal.presented(presented) }
    return ""
  }

  /// The project Google names ("… has not been used in project 123456789 …"), else the pool's.
  private static func project(in message: String, caller: GoogleImpersonation.Caller) -> String {
    if let range = message.firstRange(of: "in project ") {
      let number = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
      if !number.isEmpty { return String(number) }
    }
    if case .federated(let provider?, _) = caller { return provider.projectNumber }
    return "PROJECT"
  }
}
