/// chainctl's own sign-in on a laptop (``Chainctl``): outside CI, when neither an identity to
/// assume nor a pull token is configured.
package struct ChainctlLink: CredentialLink {
  package static let name = "chainctl"
  package static let settings = [ChainguardSettings.audience]
  package var chainctl: Chainctl

  package init(chainctl: Chainctl) { self.chainctl = chainctl }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    if let ci = DeviceCodeLink.inCI(input.environment) {
      return .skipped("in CI (\(ci)) the exchange or a pull token is used")
    }
    return Chainctl.isInstalled(input.environment)
      ? .configured("chainctl is on PATH") : .skipped("chainctl is not on PATH")
  }

  package init(_ input: LinkInput) throws {
    self.init(chainctl: Chainctl(audience: input.settings[ChainguardSettings.audience] ?? Chainguard.defaultAudience))
  }

  package func fetch(_ request: Void, in context: Context) throws -> BasicCredential {
    let token = try chainctl.token(in: context)
    return BasicCredential(username: Chainguard.tokenUsername, password: token.value, expiresAt: token.expiresAt)
  }

  package func preview(_ request: Void) -> LinkPreview {
    LinkPreview(
      steps: [
        "run \(chainctl.arguments.joined(separator: " ")) (stopped after \(HTTPError.format(chainctl.timeout)) s)"
      ], username: Chainguard.tokenUsername)
  }
}
