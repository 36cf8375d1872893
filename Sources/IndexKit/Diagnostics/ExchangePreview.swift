/// What a registry's exchange will do, described without doing it (`indexkey doctor`).
package struct ExchangePreview: Sendable {
  /// The requests, in order, in words: "POST https://…/token (Entra ID client credentials …)".
  package var steps: [String]
  /// The OIDC audience the CI token is requested for; nil when no CI token is used.
  package var audience: String?
  /// Where the CI token comes from; nil when no CI token is used (a client secret).
  package var identity: (any IdentitySource)?
  /// The Basic-auth username the credential will have.
  package var username: String?
  /// Registry-specific traps found in the configuration.
  package var findings: [DoctorFinding]
  /// How the registry's credential chain was walked; nil for registries without one.
  package var chain: ChainTrace?

  package init(
    steps: [String], audience: String?, identity: (any IdentitySource)?, username: String?,
    findings: [DoctorFinding] = []
  ) {
    self.steps = steps
    self.audience = audience
    self.identity = identity
    self.username = username
    self.findings = findings
  }

  /// The preview of the link a chain chose, with the chain's trace.
  package init(_ link: LinkPreview, chain: ChainTrace, steps before: [String] = [], after: [String] = []) {
    self.init(
      steps: before + link.steps + after, audience: link.audience, identity: link.identity, username: link.username,
      findings: link.findings)
    self.chain = chain
  }
}

/// A registry that can describe its exchange for `indexkey doctor`.
///
/// `preview` must not call the exchange; it may read `context.environment` and files.
///
/// ```swift
/// extension MyRegistry: PreviewableRegistry {
///   package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
///     ExchangePreview(steps: ["POST \(endpoint) (…)"], audience: audience, identity: identity, username: "aws")
///   }
/// }
/// ```
package protocol PreviewableRegistry: Registry {
  func preview(for index: IndexTarget, in context: Context) -> ExchangePreview
}

extension AzureArtifacts: PreviewableRegistry {
  package func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    ExchangePreview(credentials.preview(AzureTokenRequest(scope: Self.scope)), chain: credentials.trace)
  }
}
