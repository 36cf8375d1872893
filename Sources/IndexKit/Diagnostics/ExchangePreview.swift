/// What a registry's exchange will do, described without doing it (`indexkey doctor`).
public struct ExchangePreview: Sendable {
  /// The requests, in order, in words: "POST https://…/token (Entra ID client credentials …)".
  public var steps: [String]
  /// The OIDC audience the CI token is requested for; nil when no CI token is used.
  public var audience: String?
  /// Where the CI token comes from; nil when no CI token is used (a client secret).
  public var identity: (any IdentitySource)?
  /// The Basic-auth username the credential will have.
  public var username: String?
  /// The environment variables this registry reads (names only; doctor says which are set).
  public var variables: [String]
  /// Registry-specific traps found in the configuration.
  public var findings: [DoctorFinding]

  public init(
    steps: [String], audience: String?, identity: (any IdentitySource)?, username: String?, variables: [String] = [],
    findings: [DoctorFinding] = []
  ) {
    self.steps = steps
    self.audience = audience
    self.identity = identity
    self.username = username
    self.variables = variables
    self.findings = findings
  }
}

/// A registry that can describe its exchange for `indexkey doctor`.
///
/// `preview` must not call the exchange; it may read `context.environment` and files.
///
/// ```swift
/// extension MyRegistry: PreviewableRegistry {
///   public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
///     ExchangePreview(steps: ["POST \(endpoint) (…)"], audience: audience, identity: identity, username: "aws")
///   }
/// }
/// ```
public protocol PreviewableRegistry: Registry {
  func preview(for index: IndexTarget, in context: Context) -> ExchangePreview
}

extension AzureArtifacts: PreviewableRegistry {
  public func preview(for index: IndexTarget, in context: Context) -> ExchangePreview {
    var variables = [
      "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_AUTHORITY_HOST",
    ]
    if case .laptop(let laptop) = auth {
      variables += ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "INDEXKEY_AZURE_CREDENTIAL", "INDEXKEY_AZURE_PAT"]
      var steps = laptop.skipped.map { "skipped \($0)" } + laptop.links.map { "then \($0.describe)" }
      if pat != nil { steps.append("then a personal access token kept in the encrypted store, or made at the organization's PAT API with that token") }
      return ExchangePreview(steps: steps, audience: nil, identity: nil, username: pat == nil ? Self.username : Self.madePATUsername, variables: variables)
    }
    guard case .entra(let entra) = auth else {
      variables.append("AZURE_DEVOPS_EXT_PAT")
      return ExchangePreview(
        steps: ["no exchange: the personal access token from AZURE_DEVOPS_EXT_PAT is the password"], audience: nil,
        identity: nil, username: Self.patUsername, variables: variables)
    }
    let endpoint = "POST \(entra.tokenEndpoint) (Entra ID client credentials for the client \(entra.clientID), scope \(Self.scope))"
    switch entra.auth {
    case .secret:
      return ExchangePreview(
        steps: [endpoint + " with the client secret from AZURE_CLIENT_SECRET; no CI token is used"], audience: nil,
        identity: nil, username: Self.username, variables: variables)
    case .federated(let source, let audience):
      return ExchangePreview(
        steps: [endpoint + " with the CI token as a federated client assertion"], audience: audience, identity: source,
        username: Self.username, variables: variables)
    case .certificate(let certificate):
      let header = certificate.style == .ps256 ? "PS256, x5t#S256" : "RS256, x5t"
      return ExchangePreview(
        steps: [endpoint + " with an assertion signed by the certificate from \(certificate.source) (\(header), thumbprint \(certificate.portalThumbprint)); no CI token is used"],
        audience: nil, identity: nil, username: Self.username, variables: variables)
    }
  }
}
