import ArgumentParser
import IndexKit

struct IdentityOptions: ParsableArguments {
  @Option(help: "Where the OIDC token comes from: \(IdentitySources.all.map(\.usage).joined(separator: ", ")).")
  var identity: String?

  @Option(
    help: "Azure Pipelines service connection id for the OIDC token; default AZURESUBSCRIPTION_SERVICE_CONNECTION_ID.")
  var azureServiceConnectionId: String?

  func apply(to options: inout LoginOptions) {
    options.identity = identity
    options.serviceConnection = azureServiceConnectionId
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

  @Flag(
    help:
      "Add the indexes beside each client's main index (PIP_EXTRA_INDEX_URL, UV_INDEX) instead of replacing it. Unsafe with public PyPI as the main index (dependency confusion)."
  )
  var extra = false

  @Option(
    help:
      "Clients whose variables are written, comma-separated: \(PackagingClient.allCases.map(\.rawValue).joined(separator: ",")) (default: all)."
  )
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
    options.pypirc = pypirc
    options.names = name
    options.extra = extra
    options.clients = clients
  }
}

struct NetworkOptions: ParsableArguments {
  @Option(help: "Seconds one HTTP request may take (connecting at most 10).")
  var timeout: Double = 30
}
