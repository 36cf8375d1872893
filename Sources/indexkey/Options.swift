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
  @Option(name: .customLong("write"), help: "Outputs, comma-separated, each NAME[=PATH]: \(SinkCatalog.all.map(\.name).joined(separator: ", ")).")
  var writes: [String] = []

  @Option(help: "The .pypirc to write (default ~/.pypirc).")
  var pypirc: String?

  @Flag(help: "Show what would be written, secrets as ***, and write nothing.")
  var dryRun = false

  func apply(to options: inout LoginOptions) {
    options.writes = writes
    options.dryRun = dryRun
    options.flags["pypirc"] = pypirc
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

  @Flag(help: "Sign the AZURE_CLIENT_CERTIFICATE_PATH assertion RS256 with a SHA-1 x5t instead of PS256 with x5t#S256.")
  var azureCertificateRs256 = false

  func apply(to options: inout LoginOptions) {
    options.flags["azure-client-id"] = azureClientId
    options.flags["azure-tenant-id"] = azureTenantId
    options.flags["azure-authority-host"] = azureAuthorityHost
    if azureCertificateRs256 { options.flags["azure-certificate-rs256"] = "true" }
  }
}
