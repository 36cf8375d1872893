/// The Google refusals (PROTOCOLS.md §5a–5b): STS's OAuth errors and the Google API
/// `status` errors of IAM Credentials and Artifact Registry.
public enum GoogleErrors {
  /// Explains a refusal of the workload identity federation exchange or what follows it.
  ///
  /// - Parameters:
  ///   - code: STS's `error` (`invalid_grant`, `invalid_target`, `unauthorized_client`,
  ///     `invalid_request`) or a Google API `error.status` (`PERMISSION_DENIED`, …).
  ///   - message: `error_description`, or `error.message`.
  ///   - presented: the claims of the CI token sent as `subject_token` (nil if unknown).
  ///   - provider: the workload identity provider, in either form
  ///     (`//iam.googleapis.com/projects/N/…/providers/X` or `projects/N/…/providers/X`).
  ///   - serviceAccount: the e-mail of the service account impersonated, nil for direct access.
  public static func explain(
    code: String, message: String, presented: JWTClaims?, provider: String, serviceAccount: String?
  ) -> String {
    let step = code == code.uppercased() ? "Google Cloud" : "Google's STS"
    let head = "\(step) refused the exchange through the provider \(provider): \(Refusal.code(code, message))."
    let claims = Refusal.presented(presented)
    let path = ProviderPath(provider)
    switch code {
    case "invalid_grant":
      return head + claims + invalidGrant(message, presented: presented, path: path)
    case "invalid_target":
      return head
        + " The pool or provider does not exist or is disabled or deleted (project number \(path.project), pool '\(path.pool)', provider '\(path.provider)'). Check it with `gcloud iam workload-identity-pools providers describe \(path.provider) --workload-identity-pool=\(path.pool) --location=global --project=\(path.project)`."
    case "unauthorized_client":
      return head + claims
        + " The provider's attribute condition rejected the token. The token's claims that conditions test: \(claimList(presented)). Change the condition to accept them (e.g. assertion.repository == '\(presented?.text("repository") ?? presented?.text("project_path") ?? "OWNER/REPO")'), or run from the repository, branch or environment it names."
        + SubjectHints.hints(for: presented)
    case "invalid_request" where Refusal.mentions(message, "audience"):
      let why = GoogleProvider.problem(provider).map { " \($0)" } ?? ""
      return head
        + " The provider must be given as its full resource name //iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.\(why)"
    case "PERMISSION_DENIED" where Refusal.mentions(message, "artifactregistry"):
      return head + claims
        + " The federated identity may use the pool but has no role on the repository. Grant roles/artifactregistry.reader (install) or roles/artifactregistry.writer (upload) on the repository to \(principal(path, presented))."
    case "PERMISSION_DENIED":
      let account = serviceAccount ?? "SERVICE_ACCOUNT"
      return head + claims
        + " The federated identity may not impersonate \(account). Grant it roles/iam.workloadIdentityUser: `gcloud iam service-accounts add-iam-policy-binding \(account) --role=roles/iam.workloadIdentityUser --member=\(principal(path, presented))`. IAM changes take up to 5 minutes to apply."
    case "NOT_FOUND":
      return head + " The service account \(serviceAccount ?? "") does not exist; check its e-mail."
    case "UNAUTHENTICATED":
      return head + " The federated access token was not accepted; it may have expired with the CI token (direct federation tokens live as long as it does)."
    default:
      return head + claims
    }
  }

  private static func invalidGrant(_ message: String, presented: JWTClaims?, path: ProviderPath) -> String {
    let aud = presented?.audiences.joined(separator: ", ") ?? "AUDIENCE"
    if Refusal.mentions(message, "audience") {
      return " The provider's allowed audiences do not include the token's audience '\(aud)'. Add it to the provider's allowed audiences, or request the default audience 'https://iam.googleapis.com/\(path.resource)'."
    }
    if Refusal.mentions(message, "issuer") {
      return " The provider's issuer URI must be exactly the token's issuer '\(presented?.issuer ?? "ISSUER")'."
    }
    if Refusal.mentions(message, "expired", "exp ", "lifetime", "too late", "time") {
      return " The token was expired or not yet valid when Google checked it; check this machine's clock (indexkey fetches the token right before the exchange)."
    }
    if Refusal.mentions(message, "signature", "key", "jwk") {
      return " Google could not verify the token's signature: if the provider uses uploaded JWKS, upload the issuer's current keys; otherwise the issuer's keys must be reachable."
    }
    return " Google did not accept the token: the provider's issuer must be '\(presented?.issuer ?? "ISSUER")' and its allowed audiences must include '\(aud)'."
  }

  /// The IAM principal of this token under the usual mapping `google.subject=assertion.sub`,
  /// or the repository principal set when the pool maps `attribute.repository`.
  static func principal(_ path: ProviderPath, _ presented: JWTClaims?) -> String {
    let pool = "//iam.googleapis.com/projects/\(path.project)/locations/global/workloadIdentityPools/\(path.pool)"
    if let repository = presented?.text("repository") {
      return "principalSet:\(pool)/attribute.repository/\(repository) (with attribute.repository=assertion.repository mapped), or principal:\(pool)/subject/\(presented?.subject ?? "SUBJECT")"
    }
    return "principal:\(pool)/subject/\(presented?.subject ?? "SUBJECT")"
  }

  private static func claimList(_ claims: JWTClaims?) -> String {
    guard let claims else { return "(unknown)" }
    let names = ["sub", "aud"] + TrustClaims.names(for: TrustClaims.family(of: claims))
    let parts = names.compactMap { name -> String? in
      if name == "aud" { return "aud '\(claims.audiences.joined(separator: ", "))'" }
      return claims.text(name).map { "\(name) '\($0)'" }
    }
    return parts.joined(separator: ", ")
  }

  /// `projects/N/locations/global/workloadIdentityPools/P/providers/X`, split.
  struct ProviderPath {
    var project = "PROJECT_NUMBER"
    var pool = "POOL"
    var provider = "PROVIDER"

    init(_ text: String) {
      let parts = text.split(separator: "/").map(String.init)
      func after(_ key: String) -> String? {
        parts.firstIndex(of: key).flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
      }
      project = after("projects") ?? project
      pool = after("workloadIdentityPools") ?? pool
      provider = after("providers") ?? provider
    }

    var resource: String {
      "projects/\(project)/locations/global/workloadIdentityPools/\(pool)/providers/\(provider)"
    }
  }
}
