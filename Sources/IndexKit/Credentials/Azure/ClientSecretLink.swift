/// An Entra app's client secret from `AZURE_CLIENT_SECRET` (never a flag).
public struct ClientSecretLink: EntraLink {
  public static let name = "client-secret"
  public static let settings = AzureSettings.application + [AzureSettings.clientSecret]
  public var client: EntraClient

  public init(client: EntraClient) { self.client = client }

  public static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings.isSet(AzureSettings.clientSecret) else { return .skipped("AZURE_CLIENT_SECRET is not set") }
    guard EntraClient.clientID(input.settings) != nil else {
      return .skipped("AZURE_CLIENT_SECRET is set but no app is named (AZURE_CLIENT_ID or --azure-client-id)")
    }
    return .configured("AZURE_CLIENT_SECRET is set")
  }

  public init(_ input: LinkInput) throws {
    guard let secret = try input.settings.secret(AzureSettings.clientSecret) else {
      throw ConfigError("The client-secret credential needs the Entra app's client secret in AZURE_CLIENT_SECRET.")
    }
    client = try EntraClient.make(input, auth: .secret(secret))
  }

  public var proof: String { "with the client secret from AZURE_CLIENT_SECRET; no CI token is used" }
}
