/// The Azure CLI's login (``AzureCLI``): tried when `az` is on PATH; an az that is not signed
/// in passes to the next link, as azure-identity's chain does.
package struct AzureCLILink: CredentialLink {
  package static let name = "azure-cli"
  package static let settings = [AzureSettings.tenantID, AzureSettings.cliTimeout, AzureSettings.cliConfigDirectory]
  package var cli: AzureCLI

  package init(cli: AzureCLI) { self.cli = cli }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    AzureCLI.isInstalled(input.environment)
      ? .onlyByTrying("az is on PATH; its login decides") : .skipped("az is not on PATH")
  }

  package init(_ input: LinkInput) throws {
    var cli = try AzureCLI.make(input.environment)
    cli.tenantID = input.settings[AzureSettings.tenantID]
    self.cli = cli
  }

  package func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential {
    do {
      let token = try cli.accessToken(in: context)
      return .personsAccessToken(token.value, expiresAt: token.expiresAt)
    } catch let error as AzureCLIError {
      switch error {
      case .notSignedIn, .signInNeeded, .notInstalled: throw LinkUnavailable(error.description)
      default: throw error
      }
    }
  }

  package func preview(_ request: AzureTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: ["run \(cli.arguments.joined(separator: " ")) (stopped after \(HTTPError.format(cli.timeout)) s)"],
      username: AzureArtifacts.username)
  }
}
