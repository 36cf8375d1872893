/// What AWS STS and CodeArtifact errors mean and what to change, with the claims the
/// CI token presented (never the token).
enum AWSRefusals {
  /// An STS `<ErrorResponse>` to AssumeRoleWithWebIdentity.
  static func sts(code: String, message: String, call: AWSSTS.Request, presented: JWTClaims?) -> String {
    let head = "AWS STS refused to let the CI token assume \(call.roleARN): \(code)" + (message.isEmpty ? "" : " (\(message))") + "."
    let claims = presented.map { " The token presented \($0.presented)." } ?? ""
    let issuer = presented?.issuer ?? "https://ISSUER"
    let lower = message.lowercased()
    switch code {
    case "AccessDenied":
      return head
        + " The role's trust policy does not allow this token.\(claims) Its statement must name the OIDC provider and match these values, for example: \(trustStatement(call: call, presented: presented))"
        + SubjectHints.hints(for: presented)
    case "InvalidIdentityToken" where lower.contains("no openidconnect provider") || lower.contains("no openid connect provider"):
      return head
        + " The account of \(call.roleARN) has no IAM OIDC identity provider for the issuer '\(issuer)'. Create it: aws iam create-open-id-connect-provider --url \(issuer) --client-id-list \(presented?.audiences.first ?? "sts.amazonaws.com")."
    case "InvalidIdentityToken" where lower.contains("audience"):
      let aud = presented?.audiences.joined(separator: ", ") ?? "AUDIENCE"
      return head
        + " The token's aud '\(aud)' is not in the IAM OIDC provider's audiences (client IDs).\(claims) Add it to the provider (aws iam add-client-id-to-open-id-connect-provider), or request the audience the provider lists with --aws-audience (GitHub's usual one is sts.amazonaws.com)."
    case "InvalidIdentityToken":
      return head
        + "\(claims) STS could not validate the token: check that the IAM OIDC provider's URL is exactly the token's iss and that the issuer's keys are reachable."
    case "ExpiredTokenException":
      let expiry = presented?.expiresAt.map { " (exp \($0.iso8601))" } ?? ""
      return head
        + " The CI token expired before it reached AWS\(expiry): CI tokens live minutes, so indexkey fetches one right before the exchange; check this machine's clock and the token file's refresh (AWS_WEB_IDENTITY_TOKEN_FILE)."
    case "IDPRejectedClaim":
      return head + "\(claims) The identity provider rejected a claim; check the provider's configuration."
    case "IDPCommunicationError":
      return head + " AWS could not reach the token issuer to validate the token; this is usually temporary, retry later."
    case "ValidationError" where lower.contains("duration"):
      return head + " The session duration is longer than the role's maximum session duration; shorten it or raise MaxSessionDuration on the role."
    case "ValidationError":
      return head + " Check --aws-role-arn (arn:aws:iam::ACCOUNT:role/NAME) and --aws-role-session-name (2–64 characters of letters, digits and +=,.@_-)."
    case "RegionDisabledException":
      return head + " STS is not activated in this region for the account: activate it under IAM → Account settings, or use another region (--aws-region)."
    default:
      return head + (claims.isEmpty ? " Check the role and its trust policy." : claims)
    }
  }

  /// A CodeArtifact error (`x-amzn-ErrorType`, JSON `message`).
  static func codeArtifact(type: String, message: String, repository: CodeArtifactRepository, principal: String) -> String {
    let head = "CodeArtifact refused GetAuthorizationToken for domain '\(repository.domain)' (owner \(repository.owner), region \(repository.region)) to \(principal): \(type)"
      + (message.isEmpty ? "" : " (\(message))") + "."
    switch type {
    case "AccessDeniedException":
      return head
        + " The identity needs both codeartifact:GetAuthorizationToken on arn:aws:codeartifact:\(repository.region):\(repository.owner):domain/\(repository.domain) and sts:GetServiceBearerToken (condition sts:AWSServiceName = codeartifact.amazonaws.com) in its IAM policy; for another account's domain, the domain's resource policy must allow it too."
    case "ResourceNotFoundException":
      return head
        + " No domain '\(repository.domain)' owned by \(repository.owner) exists in \(repository.region): check the repository URL (DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com) or --aws-domain, --aws-domain-owner and --aws-region."
    case "ExpiredTokenException":
      return head + " The AWS session token has expired: refresh AWS_SESSION_TOKEN (and its keys), or use a role with a web identity."
    case "UnrecognizedClientException", "InvalidClientTokenId":
      return head + " AWS does not know the access key id: check AWS_ACCESS_KEY_ID (and AWS_SESSION_TOKEN for temporary keys)."
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
    let account = call.roleARN.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? "ACCOUNT"
    var host = presented?.issuer ?? "ISSUER_HOST"
    if host.hasPrefix("https://") { host.removeFirst("https://".count) }
    while host.hasSuffix("/") { host.removeLast() }
    let aud = presented?.audiences.first ?? "sts.amazonaws.com"
    let sub = presented?.subject ?? "SUBJECT"
    let statement = JSON.object([
      ("Effect", .string("Allow")),
      ("Principal", .object([("Federated", .string("arn:aws:iam::\(account):oidc-provider/\(host)"))])),
      ("Action", .string("sts:AssumeRoleWithWebIdentity")),
      ("Condition", .object([
        ("StringEquals", .object([("\(host):aud", .string(aud)), ("\(host):sub", .string(sub))]))
      ])),
    ])
    return statement.serialized() + "."
  }
}
