/// The AWS refusals (PROTOCOLS.md §6a–6b), explained with what the token presented and the
/// exact trust-policy or IAM value to set.
public enum AWSErrors {
  /// Explains an STS `AssumeRoleWithWebIdentity` error.
  ///
  /// - Parameters:
  ///   - code: the `<Code>` of STS's error XML (`AccessDenied`, `InvalidIdentityToken`, …).
  ///   - message: its `<Message>`.
  ///   - presented: the claims of the web identity token sent (nil if unknown).
  ///   - roleARN: the role that was asked for.
  /// - Returns: one paragraph: what failed, what was presented, the cause and the fix.
  public static func explain(code: String, message: String, presented: JWTClaims?, roleARN: String) -> String {
    let head = "AWS STS refused AssumeRoleWithWebIdentity for the role \(roleARN): \(Refusal.code(code, message))."
    let claims = Refusal.presented(presented)
    let role = RoleARN(roleARN)
    let iss = presented?.issuer ?? "ISSUER"
    let provider = Refusal.issuerHost(iss)
    let aud = presented?.audiences.first ?? "sts.amazonaws.com"
    let providerARN = "arn:\(role.partition):iam::\(role.account):oidc-provider/\(provider)"
    switch code {
    case "AccessDenied" where Refusal.mentions(message, "tagsession"):
      return head + claims
        + " The role's trust policy must also allow sts:TagSession, because the token carries session tags; add it to the statement that allows sts:AssumeRoleWithWebIdentity."
    case "AccessDenied":
      let sub = presented?.subject ?? "SUBJECT"
      return head + claims
        + " The role's trust policy does not accept this token. It needs a statement with Principal {\"Federated\": \"\(providerARN)\"}, Action sts:AssumeRoleWithWebIdentity and the conditions StringEquals \"\(provider):aud\": \"\(aud)\" and \"\(provider):sub\": \"\(sub)\" (or StringLike with a * pattern that matches it)."
        + SubjectHints.hints(for: presented)
    case "InvalidIdentityToken" where Refusal.mentions(message, "no openidconnect provider"):
      return head + claims
        + " Account \(role.account) has no IAM OIDC identity provider for this issuer. Create one with the provider URL '\(iss)' and the audience '\(aud)' (its ARN will be \(providerARN)), then trust it in the role."
    case "InvalidIdentityToken" where Refusal.mentions(message, "audience"):
      return head + claims
        + " The IAM OIDC provider \(providerARN) does not list the token's audience. Add '\(aud)' to its audiences (client IDs), or request the audience it lists."
    case "InvalidIdentityToken" where Refusal.mentions(message, "verification key", "thumbprint", "jwks", "retrieve"):
      return head + claims
        + " STS could not fetch or match the issuer's signing keys from '\(iss)/.well-known/openid-configuration'. The issuer must be reachable from the internet (a GitHub Enterprise Server or self-managed GitLab behind a firewall is not); check the provider's URL '\(provider)'."
    case "InvalidIdentityToken":
      return head + claims
        + " STS did not accept the token itself: it must be signed by the issuer's current keys and name the issuer registered as \(providerARN)."
    case "ExpiredTokenException":
      return head + claims
        + " The token had expired when STS checked it. indexkey fetches a fresh token right before the call, so the clock of this machine is likely off, or the token file (AWS_WEB_IDENTITY_TOKEN_FILE) is no longer refreshed."
    case "IDPRejectedClaim":
      return head + claims
        + " The identity provider rejected a claim of the token: check that its iat/nbf are not in the future (clock skew), that aud is '\(aud)' as the provider expects, and that the role's conditions name claims the token has."
        + SubjectHints.hints(for: presented)
    case "IDPCommunicationError":
      return head + " STS could not reach the issuer '\(iss)' to verify the token; this is usually temporary — try again."
    case "RegionDisabledException":
      return head
        + " STS is not activated in this region for account \(role.account): activate it under IAM → Account settings, or use another region (AWS_REGION)."
    case "ValidationError" where Refusal.mentions(message, "duration", "maxsessionduration"):
      return head + " The requested session is longer than the role's MaxSessionDuration: ask for less, or raise MaxSessionDuration on \(roleARN)."
    case "ValidationError":
      return head + " Check the role ARN ('\(roleARN)': arn:aws:iam::ACCOUNT:role/NAME) and the session name (2–64 characters of [\\w+=,.@-])."
    default:
      return head + claims + " Check the role's trust policy and the IAM OIDC provider for '\(iss)'."
    }
  }

  /// Explains a CodeArtifact `GetAuthorizationToken` error (`x-amzn-ErrorType`).
  ///
  /// - Parameters:
  ///   - code: the error type (`AccessDeniedException`, `ResourceNotFoundException`, …).
  ///   - message: the `message` field.
  ///   - roleARN: the role whose session made the call (nil for other credentials).
  ///   - domain: the CodeArtifact domain; - owner: its 12-digit account; - region: the endpoint's region.
  public static func explainCodeArtifact(
    code: String, message: String, roleARN: String?, domain: String, owner: String, region: String
  ) -> String {
    let who = roleARN.map { "the role \($0)" } ?? "these credentials"
    let head = "AWS CodeArtifact refused an authorization token for the domain \(domain) (owner \(owner), \(region)) to \(who): \(Refusal.code(code, message))."
    let partition = roleARN.map { RoleARN($0).partition } ?? "aws"
    let domainARN = "arn:\(partition):codeartifact:\(region):\(owner):domain/\(domain)"
    switch code {
    case "AccessDeniedException":
      return head
        + " Allow codeartifact:GetAuthorizationToken on \(domainARN) and sts:GetServiceBearerToken (with the condition sts:AWSServiceName = codeartifact.amazonaws.com) in \(who)'s permissions; a cross-account domain also needs the domain policy to allow it."
    case "ResourceNotFoundException":
      return head + " No domain '\(domain)' owned by \(owner) exists in \(region); check the repository URL's host (DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com)."
    case "ValidationException":
      return head + " The duration must be 0 or 900–43200 seconds, and the domain owner a 12-digit account id."
    default:
      return head
    }
  }

  /// The parts of `arn:PARTITION:iam::ACCOUNT:role/NAME` the messages need.
  struct RoleARN {
    var partition = "aws"
    var account = "ACCOUNT"

    init(_ text: String) {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      if parts.count >= 6, parts[0] == "arn" {
        partition = String(parts[1])
        if !parts[4].isEmpty { account = String(parts[4]) }
      }
    }
  }
}
