/// What JFrog asks of a link: the platform's Access token-exchange endpoint for the index.
public struct JFrogTokenRequest: Sendable, Equatable {
  public var tokenEndpoint: String

  public init(tokenEndpoint: String) { self.tokenEndpoint = tokenEndpoint }
}

/// JFrog's links in the JFrog CLI's order: the CI token exchanged through an OIDC
/// integration, then an access token.
public enum JFrogChain {
  public static let chain = CredentialChain<JFrogTokenRequest, BasicCredential>(
    cloud: "JFrog", flag: "jfrog-credential", variable: "INDEXKEY_JFROG_CREDENTIAL",
    links: [
      JFrogOIDCLink.self,
      JFrogAccessTokenLink.self,
    ],
    unconfigured: { _, _ in
      ConfigError(
        "JFrog Artifactory needs either an OIDC integration (--jfrog-oidc-provider NAME, the Provider Name under Administration › General › Manage Integrations) or an access token in JF_ACCESS_TOKEN."
      )
    })
}
