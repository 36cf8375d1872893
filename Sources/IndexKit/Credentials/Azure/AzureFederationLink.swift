/// Workload identity federation: the CI's OIDC token is the Entra app's client assertion.
package struct AzureFederationLink: EntraLink {
  package static let name = "ci-federation"
  package static let settings = AzureSettings.application + [AzureSettings.audience]
  package var client: EntraClient

  package init(client: EntraClient) { self.client = client }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard EntraClient.clientID(input.settings) != nil else {
      return .skipped("no app is named (AZURE_CLIENT_ID or --azure-client-id)")
    }
    // Without a CI token the app named is a managed identity's (AZURE_CLIENT_ID for a
    // user-assigned one), or a person signs in: the links after this one.
    guard let ci = input.ciIdentity else {
      return .skipped("no CI token here (no CI recognised and no --identity)")
    }
    return .configured("the CI token from \(ci) is the app's client assertion")
  }

  package init(_ input: LinkInput) throws {
    let application = try EntraClient.application(input.settings)
    let audience =
      input.settings[AzureSettings.audience] ?? EntraClient.federatedAudience(authorityHost: application.authority)
    client = EntraClient(
      tenantID: application.tenantID, clientID: application.clientID, authorityHost: application.authority,
      auth: .federated(try input.identitySource(), audience: audience))
  }

  package var proof: String { "with the CI token as a federated client assertion" }
}
