import ArgumentParser
import IndexKit

extension IndexKey {
  struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Exchange the CI identity for index credentials and write them for pip, uv and twine.")

    @Argument(help: "Index URLs (the …/simple/ or upload URL of each index).")
    var urls: [String] = []

    @Option(help: "The registry, when the URL's host does not say (azure-artifacts).")
    var registry: String?

    @Option(help: "Where the OIDC token comes from: auto, github, file:PATH, env:NAME.")
    var identity: String?

    @Option(name: .customLong("write"), help: "Outputs, comma-separated, each NAME[=PATH]: github-env, pypirc, shell.")
    var writes: [String] = []

    @Option(help: "The .pypirc to write (default ~/.pypirc).")
    var pypirc: String?

    @Flag(help: "Show what would be written, secrets as ***, and write nothing.")
    var dryRun = false

    @Option(help: "Seconds one HTTP request may take (connect at most 10).")
    var timeout: Double = 30

    @Option(help: "Entra application (client) id; default AZURE_CLIENT_ID.")
    var azureClientId: String?

    @Option(help: "Entra tenant id; default AZURE_TENANT_ID.")
    var azureTenantId: String?

    @Option(help: "Entra authority host; default AZURE_AUTHORITY_HOST or login.microsoftonline.com.")
    var azureAuthorityHost: String?

    func run() throws {
      var options = LoginOptions()
      options.urls = urls
      options.registry = registry
      options.identity = identity
      options.writes = writes
      options.pypirc = pypirc
      options.dryRun = dryRun
      options.azureClientID = azureClientId
      options.azureTenantID = azureTenantId
      options.azureAuthorityHost = azureAuthorityHost
      try Runner.login(options, timeout: timeout)
    }
  }
}
