/// An Entra app's client secret from `AZURE_CLIENT_SECRET` (never a flag).
package struct ClientSecretLink: EntraLink {
  package static let name = "client-secret"
  package static let settings = AzureSettings.application + [AzureSettings.clientSecret]
  package var client: EntraClient

  package init(client: EntraClient) { self.client = client }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings.isSet(AzureSettings.clientSecret) else { return .skipped("AZURE_CLIENT_SECRET is not set") }
    guard EntraClient.clientID(input.settings) != nil else {
      return .skipped("AZURE_CLIENT_SECRET is set but no app is named (AZURE_CLIENT_ID or --azure-client-id)")
    }
    return .configured("AZURE_CLIENT_SECRET is set")
  }

  package init(_ input: LinkInput) throws {
    guard let secret = try input.settings.secret(AzureSettings.clientSecret) else {
      throw ConfigError("The client-secret credential needs the Entra app's client secret in AZURE_CLIENT_SECRET.")
    }
    client = try EntraClient.make(input, auth: .secret(secret))
  }

  package var proof: String { "with the client secret from AZURE_CLIENT_SECRET; no CI token is used" }
}
