/// The access token of a laptop or a Google Cloud runtime: a signed-in user (an
/// `authorized_user` or `external_account_authorized_user` file, an impersonated service
/// account file, the gcloud CLI) or the metadata server.
package enum GoogleLocalSource: Sendable {
  case authorizedUser(GoogleAuthorizedUser, endpoint: WebURL)
  case impersonatedFile(GoogleImpersonatedFile)
  case workforceUser(GoogleExternalAuthorizedUser)
  case gcloud(GcloudCLI, account: String)
  case metadata(GoogleMetadataToken)

  package func accessToken(in context: Context) throws -> GoogleToken {
    switch self {
    case .authorizedUser(let user, let endpoint): try user.accessToken(endpoint: endpoint, in: context)
    case .impersonatedFile(let file): try file.accessToken(in: context)
    case .workforceUser(let user): try user.accessToken(in: context)
    case .gcloud(let cli, _): try cli.accessToken(in: context)
    case .metadata(let server): try server.accessToken(in: context)
    }
  }

  /// Whose token it is, should `--gcp-service-account` impersonate with it.
  var caller: GoogleImpersonation.Caller {
    switch self {
    case .authorizedUser(let user, _): .user(user.who)
    case .impersonatedFile(let file): .serviceAccount(file.impersonation.serviceAccount)
    case .workforceUser(let user): .user("the workforce user signed in to \(user.path)")
    case .gcloud(_, let account): .user("the gcloud account \(account)")
    case .metadata(let server): .serviceAccount("the service account of the metadata server at \(server.host)")
    }
  }

  /// The exchange in words, for `doctor`.
  var step: String {
    switch self {
    case .authorizedUser(let user, let endpoint): "POST \(endpoint) (refresh-token grant of \(user.path))"
    case .impersonatedFile(let file):
      "refresh the source credential of \(file.path), then POST \(file.impersonation.endpoint) (generateAccessToken for \(file.impersonation.serviceAccount))"
    case .workforceUser(let user): "POST \(user.tokenURL) (workforce refresh-token grant of \(user.path))"
    case .gcloud(let cli, let account): "run `\(cli.program) auth print-access-token` (account \(account))"
    case .metadata(let server):
      "GET http://\(server.host)/computeMetadata/v1/instance/service-accounts/default/scopes and …/token"
    }
  }
}
