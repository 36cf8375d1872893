/// What JFrog asks of a link: the platform's Access token-exchange endpoint for the index.
package struct JFrogTokenRequest: Sendable, Equatable {
  package var tokenEndpoint: String

  package init(tokenEndpoint: String) { self.tokenEndpoint = tokenEndpoint }
}

/// JFrog's links in the JFrog CLI's order: the CI token exchanged through an OIDC
/// integration, then an access token.
package enum JFrogChain {
  package static let chain = CredentialChain<JFrogTokenRequest, BasicCredential>(
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
