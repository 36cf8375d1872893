/// Azure's links in the order of the Azure SDK's `DefaultAzureCredential`: the
/// environment's client secret, then its certificate, then workload identity federation
/// (the CI token); then Azure DevOps's own personal access token; then, where no CI token
/// is offered, the managed identity of Azure compute, the Azure CLI's login and a person's
/// device-code sign-in (kept in the encrypted store).
package enum AzureChain {
  package static let chain = CredentialChain<AzureTokenRequest, AzureCredential>(
    cloud: "Azure", flag: "azure-credential", variable: "INDEXKEY_AZURE_CREDENTIAL",
    links: [
      ClientSecretLink.self,
      ClientCertificateLink.self,
      AzureFederationLink.self,
      PersonalAccessTokenLink.self,
      ManagedIdentityLink.self,
      AzureCLILink.self,
      DeviceCodeLink.self,
    ],
    implied: implied, unconfigured: unconfigured)

  /// `--identity` (or `--azure-service-connection-id`) asks for the CI token: federation,
  /// even where a client secret is set, when an app is named.
  @Sendable static func implied(_ input: LinkInput) -> (link: String, reason: String)? {
    guard input.identity != .auto, EntraClient.clientID(input.settings) != nil, let reason = input.ciIdentity else {
      return nil
    }
    return (AzureFederationLink.name, reason)
  }

  /// No app and no PAT: what to set.
  @Sendable static func unconfigured(_ input: LinkInput, _ trace: ChainTrace) -> any Error {
    do {
      _ = try EntraClient.application(input.settings)
    } catch {
      return error
    }
    return ConfigError("No Azure credential is configured here (\(trace.skipped)).")
  }
}
