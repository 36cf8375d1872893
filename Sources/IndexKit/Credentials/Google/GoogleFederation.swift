/// Workload Identity Federation: a subject token exchanged at Google STS.
package struct GoogleFederation: Sendable {
  /// Where the subject token comes from.
  package enum Subject: Sendable {
    /// A CI OIDC token requested for `audience`.
    case identity(any IdentitySource, audience: String)
    /// An `external_account` file's `credential_source`.
    case externalAccount(ExternalAccount)
  }

  package var subject: Subject
  package var sts: GoogleSTS
  package var exchange: GoogleSTS.Exchange

  package init(subject: Subject, sts: GoogleSTS, exchange: GoogleSTS.Exchange) {
    self.subject = subject
    self.sts = sts
    self.exchange = exchange
  }

  /// Fetches a fresh subject token and exchanges it.
  func accessToken(in context: Context) throws -> (GoogleToken, GoogleImpersonation.Caller) {
    let token: Secret
    switch subject {
    case .identity(let source, let audience): token = try source.freshToken(audience: audience, in: context)
    case .externalAccount(let account):
      token = try account.subjectToken(in: context)
      try Freshness.check(
        "a subject token", from: "the external_account credential source", stated: nil, token: token,
        now: context.clock.now(),
        exitStatus: .noIdentity)
    }
    let federated = try sts.exchange(exchange, subjectToken: token, in: context)
    let caller = GoogleImpersonation.Caller.federated(
      WorkloadIdentityProvider.fromAudience(exchange.audience), presented: JWTClaims(token: token))
    return (federated, caller)
  }
}

extension GoogleFederation {
  /// Connects ahead, exchanges a fresh subject token, then impersonates if asked.
  func token(impersonation: GoogleImpersonation?, in context: Context) throws -> GoogleToken {
    // connect to STS (and IAM Credentials) while the subject token is fetched
    context.transport.prepare(sts.endpoint.description)
    if let impersonation { context.transport.prepare(impersonation.endpoint.description) }
    let (base, caller) = try accessToken(in: context)
    return try GoogleImpersonation.apply(impersonation, to: base, caller: caller, in: context)
  }

  /// The doctor steps and the subject token's audience and source.
  func preview(impersonation: GoogleImpersonation?) -> LinkPreview {
    var preview = LinkPreview(
      steps: ["POST \(sts.endpoint) (Google STS token exchange for \(exchange.audience), \(exchange.origin))"],
      username: GoogleArtifactRegistry.username)
    switch subject {
    case .identity(let source, let tokenAudience):
      preview.audience = tokenAudience
      preview.identity = source
    case .externalAccount(let account):
      preview.audience = account.audience
      preview.identity = ExternalAccountIdentity(account: account)
    }
    preview.steps += impersonation.map { [$0.step] } ?? []
    return preview
  }
}

/// An `external_account` file's `credential_source` as an identity source (for doctor):
/// the audience is fixed by the file, so the one asked for is ignored.
struct ExternalAccountIdentity: IdentitySource {
  var account: ExternalAccount

  var name: String { "the credential_source of \(account.path)" }

  func idToken(audience: String, in context: Context) throws -> Secret {
    try account.subjectToken(in: context)
  }
}
