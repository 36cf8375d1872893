/// An Entra access token for Azure DevOps, from whichever source answered.
package struct AzureAccessToken: Sendable, Equatable {
  /// Whose token it is: only a person's may create personal access tokens.
  package enum Holder: Sendable, Equatable {
    /// A signed-in person (the Azure CLI's login, a device-code sign-in, its refresh token).
    case person
    /// An application: a managed identity or a service principal.
    case application
  }

  package var value: Secret
  package var expiresAt: UnixTime?
  package var holder: Holder

  package init(value: Secret, expiresAt: UnixTime?, holder: Holder) {
    self.value = value
    self.expiresAt = expiresAt
    self.holder = holder
  }

  /// The Azure DevOps resource (an application id, the same in every tenant).
  package static let resource = "499b84ac-1321-427f-aa17-267ca6975798"
}
