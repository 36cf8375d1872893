/// A long-lived pull token (`chainctl auth pull-token --repository=python --output env`):
/// `CHAINGUARD_PYTHON_IDENTITY_ID` is the username, `CHAINGUARD_PYTHON_TOKEN` the password.
package struct ChainguardPullTokenLink: CredentialLink {
  package static let name = "pull-token"
  package static let settings = [ChainguardSettings.pullIdentity, ChainguardSettings.pullToken]
  package var username: String
  package var token: Secret

  package init(username: String, token: Secret) {
    self.username = username
    self.token = token
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let set = settings.variableNames.filter(input.environment.has)
    return set.isEmpty
      ? .skipped("CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN are not set")
      : .configured("\(set.joined(separator: ", ")) set")
  }

  package init(_ input: LinkInput) throws {
    let fix = "set both from `chainctl auth pull-token --repository=python --output env`."
    switch (input.settings[ChainguardSettings.pullIdentity], try input.settings.secret(ChainguardSettings.pullToken)) {
    case (.some(let user), .some(let token)):
      self.init(username: user, token: token)
    case (.some, nil):
      throw ConfigError("CHAINGUARD_PYTHON_IDENTITY_ID is set but CHAINGUARD_PYTHON_TOKEN is not; \(fix)")
    case (nil, .some):
      throw ConfigError(
        "CHAINGUARD_PYTHON_TOKEN is set but CHAINGUARD_PYTHON_IDENTITY_ID (the pull token's username) is not; \(fix)")
    case (nil, nil):
      throw ConfigError(
        "The pull-token credential needs CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN; \(fix)")
    }
  }

  package func fetch(_ request: Void, in context: Context) throws -> BasicCredential {
    BasicCredential(username: username, password: token, expiresAt: nil)
  }

  package func preview(_ request: Void) -> LinkPreview {
    LinkPreview(steps: ["no exchange: the pull token from CHAINGUARD_PYTHON_TOKEN is the password"], username: username)
  }
}
