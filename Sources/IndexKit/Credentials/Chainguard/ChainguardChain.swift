/// Chainguard's links in chainctl's order: the CI token exchanged for an assumable
/// identity, then a pull token; outside CI, chainctl's own sign-in.
package enum ChainguardChain {
  package static let chain = CredentialChain<Void, BasicCredential>(
    cloud: "Chainguard", flag: "chainguard-credential", variable: "INDEXKEY_CHAINGUARD_CREDENTIAL",
    links: [
      ChainguardExchangeLink.self,
      ChainguardPullTokenLink.self,
      ChainctlLink.self,
    ],
    unconfigured: { input, _ in
      if DeviceCodeLink.inCI(input.environment) == nil { return ChainctlError.notInstalled }
      return ConfigError(
        "Chainguard Libraries needs an identity to assume: set CHAINGUARD_IDENTITY or pass --chainguard-identity ORG_ID/IDENTITY_ID (from `chainctl iam identities create`), or give a pull token in CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN."
      )
    })
}
