/// What Azure Artifacts asks of an Azure link: a token for this scope, for this feed.
package struct AzureTokenRequest: Sendable, Equatable {
  /// `RESOURCE/.default` (Azure DevOps: `499b84ac-…/.default`).
  package var scope: String
  /// The index URL asked for (a person's sign-in is kept per feed host); nil when unknown.
  package var feed: WebURL?

  package init(scope: String, feed: WebURL? = nil) {
    self.scope = scope
    self.feed = feed
  }
}

/// What an Azure link answers.
package enum AzureCredential: Sendable {
  /// An Entra ID access token (sent with the username `EntraToken`).
  case accessToken(Secret, expiresAt: UnixTime?)
  /// A signed-in person's Entra ID access token (the Azure CLI's login, a device-code sign-in):
  /// sent like ``accessToken``, and the only kind that may create personal access tokens.
  case personsAccessToken(Secret, expiresAt: UnixTime?)
  /// An Azure DevOps personal access token, used as given.
  case personalAccessToken(Secret)
}

/// The links that get an Entra access token with the client-credentials grant; they
/// differ only in how the app proves itself (``EntraClient/ClientAuth``).
package protocol EntraLink: CredentialLink where Request == AzureTokenRequest, Output == AzureCredential {
  var client: EntraClient { get }
  /// How the app proves itself, for doctor ("with the client secret from AZURE_CLIENT_SECRET").
  var proof: String { get }
}

extension EntraLink {
  package func fetch(_ request: AzureTokenRequest, in context: Context) throws -> AzureCredential {
    let token = try client.accessToken(scope: request.scope, in: context)
    return .accessToken(token.value, expiresAt: token.expiresAt)
  }

  package func preview(_ request: AzureTokenRequest) -> LinkPreview {
    var preview = LinkPreview(
      steps: [
        "POST \(client.tokenEndpoint) (Entra ID client credentials for the client \(client.clientID), scope \(request.scope)) \(proof)"
      ], username: AzureArtifacts.username)
    if case .federated(let source, let audience) = client.auth {
      preview.audience = audience
      preview.identity = source
    }
    return preview
  }
}
