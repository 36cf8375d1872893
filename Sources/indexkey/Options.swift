import ArgumentParser
import IndexKit

struct IdentityOptions: ParsableArguments {
  @Option(help: "Where the OIDC token comes from: \(IdentitySources.all.map(\.usage).joined(separator: ", ")).")
  var identity: String?

  @Option(help: "Azure Pipelines service connection id for the OIDC token; default AZURESUBSCRIPTION_SERVICE_CONNECTION_ID.")
  var azureServiceConnectionId: String?

  func apply(to options: inout LoginOptions) {
    options.identity = identity
    options.flags["azure-service-connection-id"] = azureServiceConnectionId
  }
}

struct OutputOptions: ParsableArguments {
  @Option(
    name: .customLong("write"),
    help: ArgumentHelp(
      "Outputs, comma-separated, each NAME[=PATH]: \(SinkCatalog.names).",
      discussion: "Default: github-env inside GitHub Actions, nothing elsewhere. See OUTPUTS above."))
  var writes: [String] = []

  @Option(help: "The .pypirc to write (default ~/.pypirc).")
  var pypirc: String?

  @Option(
    help: ArgumentHelp(
      "The index name (uv index, .pypirc section, Poetry source); one per URL, in order.",
      discussion: "Default: derived from the feed or repository name (lower-case letters, digits, '-')."))
  var name: [String] = []

  @Flag(help: "Add the indexes beside each client's main index (PIP_EXTRA_INDEX_URL, UV_INDEX) instead of replacing it. Unsafe with public PyPI as the main index (dependency confusion).")
  var extra = false

  @Option(help: "Clients whose variables are written, comma-separated: \(PackagingClient.allCases.map(\.rawValue).joined(separator: ",")) (default: all).")
  var clients: String?

  @Flag(help: "Print the report as JSON on stdout (index, registry, username, expiry, what was written).")
  var json = false

  @Flag(help: "With --json: include the passwords (masked in the CI log first).")
  var showSecrets = false

  @Flag(help: "Show what would be written, secrets as ***, and write nothing.")
  var dryRun = false

  func apply(to options: inout LoginOptions) {
    options.writes = writes
    options.dryRun = dryRun
    options.json = json
    options.showSecrets = showSecrets
    options.flags["pypirc"] = pypirc
    options.flags["name"] = name.isEmpty ? nil : name.joined(separator: ",")
    options.flags["extra"] = extra ? "true" : nil
    options.flags["clients"] = clients
  }
}

struct NetworkOptions: ParsableArguments {
  @Option(help: "Seconds one HTTP request may take (connecting at most 10).")
  var timeout: Double = 30
}

struct AzureOptions: ParsableArguments {
  @Option(help: "Entra application (client) id; default AZURE_CLIENT_ID.")
  var azureClientId: String?

  @Option(help: "Entra tenant id; default AZURE_TENANT_ID.")
  var azureTenantId: String?

  @Option(help: "Entra authority host; default AZURE_AUTHORITY_HOST or login.microsoftonline.com.")
  var azureAuthorityHost: String?

  @Option(help: "Audience of the CI token for Entra's federated credential; default api://AzureADTokenExchange (or the sovereign cloud's).")
  var azureAudience: String?

  @Flag(help: "Sign the AZURE_CLIENT_CERTIFICATE_PATH assertion RS256 with a SHA-1 x5t instead of PS256 with x5t#S256.")
  var azureCertificateRs256 = false

  @Option(help: "Use this Azure credential instead of the first configured one (\(AzureChain.chain.names.joined(separator: ", "))); default INDEXKEY_AZURE_CREDENTIAL.")
  var azureCredential: String?

  func apply(to options: inout LoginOptions) {
    options.flags["azure-client-id"] = azureClientId
    options.flags["azure-tenant-id"] = azureTenantId
    options.flags["azure-authority-host"] = azureAuthorityHost
    options.flags["azure-audience"] = azureAudience
    if azureCertificateRs256 { options.flags["azure-certificate-rs256"] = "true" }
    options.flags["azure-credential"] = azureCredential
  }
}
