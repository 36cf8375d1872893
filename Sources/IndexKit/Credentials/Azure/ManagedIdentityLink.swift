/// The managed identity of the Azure compute indexkey runs on (``ManagedIdentity``): App
/// Service, Functions and Container Apps, Azure Arc, or a VM's IMDS, which is only tried (behind
/// a 1 s probe) on a machine whose DMI tag says Azure, and passed over when it does not answer.
package struct ManagedIdentityLink: CredentialLink {
  package static let name = "managed-identity"
  package static let settings = [
    AzureSettings.clientID, AzureSettings.identityEndpoint, AzureSettings.identityHeader, AzureSettings.imdsEndpoint,
    AzureSettings.podIdentityHost,
  ]
  package var identity: ManagedIdentity

  package init(identity: ManagedIdentity) { self.identity = identity }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    switch try? ManagedIdentity.detect(input.environment) {
    case .success(let found)?:
      switch found.endpoint {
      case .appService:
        return .configured("IDENTITY_ENDPOINT and IDENTITY_HEADER are set (App Service, Functions, Container Apps)")
      case .arc: return .configured("Azure Arc's identity endpoint is here")
      case .imds(_, false): return .configured("AZURE_POD_IDENTITY_AUTHORITY_HOST names the instance metadata service")
      case .imds(_, true):
        return .onlyByTrying("an Azure VM (DMI chassis tag): its instance metadata service, if it answers within 1 s")
      }
    case .failure(let skipped)?:
      return .skipped(skipped.reason)
    case nil:
      return .configured("IDENTITY_ENDPOINT is set")  // init says what is wrong with it
    }
  }

  package init(_ input: LinkInput) throws {
    switch try ManagedIdentity.detect(input.environment) {
    case .success(let found): self.identity = found
    case .failure(let skipped):
      throw ConfigError("The managed-identity credential finds no managed identity here: \(skipped.reason).")
    }
  }

  package func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential {
    do {
      let token = try identity.accessToken(in: context)
      return .accessToken(token.value, expiresAt: token.expiresAt)
    } catch let error as ManagedIdentityError {
      if case .imds(_, true) = identity.endpoint, case .unreachable(let text) = error { throw LinkUnavailable(text) }
      throw error
    }
  }

  package func preview(_ request: AzureTokenRequest) -> LinkPreview {
    LinkPreview(
      steps: [
        "GET \(identity.describe) (managed identity token for \(AzureAccessToken.resource)\(identity.clientID.map { ", client \($0)" } ?? ""))"
      ], username: AzureArtifacts.username)
  }
}
