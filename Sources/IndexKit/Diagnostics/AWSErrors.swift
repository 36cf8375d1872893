/// The AWS refusals (PROTOCOLS.md §6a–6b): STS `AssumeRoleWithWebIdentity` and CodeArtifact
/// `GetAuthorizationToken` errors, explained with what the token presented (never the token)
/// and the exact trust-policy or IAM value to set.
package enum AWSErrors {
  /// Explains an STS `<ErrorResponse>` to `AssumeRoleWithWebIdentity`.
  ///
  /// - Parameters:
  ///   - code: the error's `<Code>` (`AccessDenied`, `InvalidIdentityToken`, …).
  ///   - message: its `<Message>`.
  ///   - call: the role and session asked for.
  ///   - presented: the claims of the web identity token sent (nil if unknown).
  /// - Returns: one paragraph: what failed, what was presented, the cause and the fix.
  package static func sts(code: String, message: String, call: AWSSTS.Request, presented: JWTClaims?) -> String {
    let roleARN = call.roleARN
    let head =
      "AWS STS refused to let the CI token assume \(roleARN): \(Refusal.code(code, message, keepingFinalPeriod: true))."
    let claims = Refusal.presented(presented)
    let role = RoleARN(roleARN)
    let issuer = presented?.issuer ?? "https://ISSUER"
    let aud = presented?.audiences.first ?? "sts.amazonaws.com"
    let providerARN = role.oidcProvider(for: issuer)
    switch code {
    case "AccessDenied" where Refusal.mentions(message, "tagsession"):
      return head + claims
        + " The role's trust policy must also allow sts:TagSession, because the token carries session tags: add it to the Action of the statement that allows sts:AssumeRoleWithWebIdentity."
    case "AccessDenied":
      return head
        + " The role's trust policy does not allow this token.\(claims) Its statement must name the OIDC provider and match these values, for example: \(trustStatement(call: call, presented: presented)) (or StringLike with a * pattern that matches the sub)."
        + SubjectHints.hints(for: presented)
    case "InvalidIdentityToken"
    where Refusal.mentions(message, "no openidconnect provider", "no openid connect provider"):
      return head + claims
        + " Account \(role.account) (of \(roleARN)) has no IAM OIDC identity provider for the issuer '\(issuer)'. Create one with the provider URL '\(issuer)' and the audience '\(aud)': aws iam create-open-id-connect-provider --url \(issuer) --client-id-list \(aud) (its ARN will be \(providerARN)), then trust it in the role."
    case "InvalidIdentityToken" where Refusal.mentions(message, "audience"):
      let auds = presented?.audiences.joined(separator: ", ") ?? "AUDIENCE"
      return head
        + " The token's aud '\(auds)' is not in the IAM OIDC provider's audiences (client IDs) of \(providerARN).\(claims) Add '\(aud)' to its audiences (aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn \(providerARN) --client-id \(aud)), or request the audience the provider lists with --aws-audience (GitHub's usual one is sts.amazonaws.com)."
    case "InvalidIdentityToken" where Refusal.mentions(message, "verification key", "thumbprint", "jwks", "retrieve"):
      return head + claims
        + " STS could not fetch or match the issuer's signing keys from '\(issuer)/.well-known/openid-configuration'. The issuer must be reachable from the internet (a GitHub Enterprise Server or self-managed GitLab behind a firewall is not); check the IAM OIDC provider's URL '\(Refusal.issuerHost(issuer))'."
    case "InvalidIdentityToken":
      return head + claims
        + " STS could not validate the token: the IAM OIDC provider's URL must be exactly the token's iss ('\(issuer)', registered as \(providerARN)), the token must be signed by the issuer's current keys, and those keys must be reachable."
    case "ExpiredTokenException":
      let expiry = presented?.expiresAt.map { " (exp \($0.iso8601))" } ?? ""
      let who = presented.map { " The token presented \($0.presented)." } ?? ""
      return head
        + " The CI token expired before it reached AWS\(expiry): CI tokens live minutes, so indexkey fetches one right before the exchange; check this machine's clock and the token file's refresh (AWS_WEB_IDENTITY_TOKEN_FILE).\(who)"
    case "IDPRejectedClaim":
      return head + claims
        + " The identity provider rejected a claim of the token: check that its iat/nbf are not in the future (clock skew), that aud is '\(aud)' as the IAM OIDC provider \(providerARN) expects, and that the role's conditions name claims the token has."
        + SubjectHints.hints(for: presented)
    case "IDPCommunicationError":
      return head
        + " AWS could not reach the token issuer '\(issuer)' to validate the token; this is usually temporary, retry later."
    case "ValidationError" where Refusal.mentions(message, "duration"):
      return head
        + " The session duration is longer than the role's maximum session duration; shorten it or raise MaxSessionDuration on \(roleARN)."
    case "ValidationError":
      return head
        + " Check --aws-role-arn ('\(roleARN)': arn:aws:iam::ACCOUNT:role/NAME) and --aws-role-session-name ('\(call.sessionName)': 2–64 characters of letters, digits and +=,.@_-)."
    case "RegionDisabledException":
      return head
        + " STS is not activated in this region for account \(role.account): activate it under IAM → Account settings, or use another region (--aws-region)."
    default:
      return head + claims + " Check the role's trust policy and the IAM OIDC provider for '\(issuer)'."
    }
  }

  /// Explains a CodeArtifact error (`x-amzn-ErrorType` or `__type`, JSON `message`).
  ///
  /// - Parameters:
  ///   - type: the error type (`AccessDeniedException`, `ResourceNotFoundException`, …).
  ///   - message: the `message` field.
  ///   - repository: the domain, owner and region asked for.
  ///   - principal: who signed the call, in words ("the role … (session …)", "the access key …").
  /// - Returns: the message explaining the refusal and what to fix.
  package static func codeArtifact(type: String, message: String, repository: CodeArtifactRepository, principal: String)
    -> String
  {
    let head =
      "CodeArtifact refused GetAuthorizationToken for domain '\(repository.domain)' (owner \(repository.owner), region \(repository.region)) to \(principal): \(Refusal.code(type, message, keepingFinalPeriod: true))."
    let domainARN =
      "arn:\(partition(region: repository.region)):codeartifact:\(repository.region):\(repository.owner):domain/\(repository.domain)"
    switch type {
    case "AccessDeniedException":
      return head
        + " The identity needs both codeartifact:GetAuthorizationToken on \(domainARN) and sts:GetServiceBearerToken (condition sts:AWSServiceName = codeartifact.amazonaws.com) in its IAM policy; for another account's domain, the domain's resource policy must allow it too."
    case "ResourceNotFoundException":
      return head
        + " No domain '\(repository.domain)' owned by \(repository.owner) exists in \(repository.region): check the repository URL (DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com) or --aws-domain, --aws-domain-owner and --aws-region."
    case "ExpiredTokenException":
      return head
        + " The AWS session token has expired: refresh AWS_SESSION_TOKEN (and its keys), or use a role with a web identity."
    case "UnrecognizedClientException", "InvalidClientTokenId":
      return head
        + " AWS does not know the access key id: check AWS_ACCESS_KEY_ID (and AWS_SESSION_TOKEN for temporary keys)."
    case "InvalidSignatureException", "SignatureDoesNotMatch":
      return head + " The request signature did not match: check AWS_SECRET_ACCESS_KEY and this machine's clock."
    case "ValidationException":
      return head + " Check --duration (0, or 900 to 43200 seconds) and the domain owner (a 12-digit account id)."
    default:
      return head + " Check the identity's permissions and the domain."
    }
  }

  /// A trust-policy statement that would admit the presented token, as compact JSON.
  static func trustStatement(call: AWSSTS.Request, presented: JWTClaims?) -> String {
    let host = Refusal.issuerHost(presented?.issuer ?? "ISSUER_HOST")
    let aud = presented?.audiences.first ?? "sts.amazonaws.com"
    let sub = presented?.subject ?? "SUBJECT"
    let statement = JSON.object([
      ("Effect", .string("Allow")),
      ("Principal", .object([("Federated", .string(RoleARN(call.roleARN).oidcProvider(for: host)))])),
      ("Action", .string("sts:AssumeRoleWithWebIdentity")),
      (
        "Condition",
        .object([
          ("StringEquals", .object([("\(host):aud", .string(aud)), ("\(host):sub", .string(sub))]))
        ])
      ),
    ])
    return statement.serialized()
  }

  /// `aws`, `aws-cn` or `aws-us-gov`, from a region name.
  static func partition(region: String) -> String {
    if region.hasPrefix("cn-") { return "aws-cn" }
    if region.hasPrefix("us-gov-") { return "aws-us-gov" }
    return "aws"
  }

  /// The parts of `arn:PARTITION:iam::ACCOUNT:role/NAME` the messages need.
  struct RoleARN {
    var partition = "aws"
    var account = "ACCOUNT"

    init(_ text: String) {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      if parts.count >= 6, parts[0] == "arn" {
        if !parts[1].isEmpty { partition = String(parts[1]) }
        if !parts[4].isEmpty { account = String(parts[4]) }
      }
    }

    /// The ARN IAM gives the OIDC provider of `issuer` in this role's account.
    func oidcProvider(for issuer: String) -> String {
      "arn:\(partition):iam::\(account):oidc-provider/\(Refusal.issuerHost(issuer))"
    }
  }
}
