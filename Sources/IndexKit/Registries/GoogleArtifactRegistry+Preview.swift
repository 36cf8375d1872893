extension GoogleArtifactRegistry: PreviewableRegistry {
  /// The Google exchange in words, for `indexkey doctor`; nothing is sent.
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    let variables = [
      "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "CLOUDSDK_CONFIG", "CLOUDSDK_ACTIVE_CONFIG_NAME",
      "CLOUDSDK_CORE_ACCOUNT", "CLOUDSDK_AUTH_TOKEN_HOST", "GCE_METADATA_HOST", "NO_GCE_CHECK",
    ]
    var steps: [String] = chain.map { "credential chain: \($0.line)" }
    var audience: String?
    var identity: (any IdentitySource)?
    var findings: [DoctorFinding] = []
    switch authentication {
    case .keyAsPassword(let key):
      findings.append(
        .warning(
          "--gcp-key-as-password: the service account key of \(key.clientEmail) itself becomes the password; it never expires until the key is deleted."))
      return ExchangePreview(
        steps: ["no exchange: the key file \(key.path) is the password (\(Self.keyUsername))"], audience: nil, identity: nil,
        username: Self.keyUsername, variables: variables, findings: findings)
    case .serviceAccountKey(let key, let endpoint):
      steps.append("POST \(endpoint) (JWT-bearer grant signed with key \(key.privateKeyID) of \(key.clientEmail)); no CI token is used")
    case .federated(let federation):
      switch federation.subject {
      case .identity(let source, let tokenAudience):
        audience = tokenAudience
        identity = source
      case .externalAccount(let account):
        audience = account.audience
        identity = ExternalAccountIdentity(account: account)
      }
      steps.append(
        "POST \(federation.sts.endpoint) (Google STS token exchange for \(federation.exchange.audience), \(federation.exchange.origin))")
    case .local(let source):
      steps.append(source.step + "; no CI token is used")
    }
    if let impersonation {
      steps.append("POST \(impersonation.endpoint) (generateAccessToken for \(impersonation.serviceAccount), \(impersonation.lifetime) s)")
    }
    return ExchangePreview(
      steps: steps, audience: audience, identity: identity, username: Self.username, variables: variables, findings: findings)
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
