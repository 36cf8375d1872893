/// The gcloud CLI's active account, `gcloud auth print-access-token`, as the Artifact
/// Registry keyring plugin falls back to it.
///
/// The probe reads gcloud's own configuration (the active configuration's account) and
/// looks for `gcloud` on `PATH`; it runs nothing.
package struct GcloudCLILink: CredentialLink {
  package static let name = "gcloud"
  package static let settings = GoogleSettings.gcloud
  package var credential: GoogleUserCredential

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard let program = GcloudCLI.find(onPath: input.environment["PATH"]) else {
      return .skipped("gcloud is not on PATH")
    }
    let config = GcloudConfig.load(environment: input.environment, home: input.environment["HOME"])
    guard let account = config.account else {
      return .skipped(
        "\(program) has no active account in configuration \(config.configuration); run `gcloud auth login`")
    }
    return .configured("\(program), account \(account) (configuration \(config.configuration))")
  }

  package init(_ input: LinkInput) throws {
    let config = GcloudConfig.load(environment: input.environment, home: input.environment["HOME"])
    guard let program = GcloudCLI.find(onPath: input.environment["PATH"]) else {
      throw ConfigError(
        "The gcloud credential needs the gcloud CLI on PATH; install the Google Cloud CLI and run `gcloud auth login`.")
    }
    guard let account = config.account else {
      throw ConfigError(
        "The gcloud CLI has no active account (configuration \(config.configuration)); run `gcloud auth login`.")
    }
    let endpoints = try GoogleEndpoints(input.settings)
    credential = GoogleUserCredential(
      source: .gcloud(GcloudCLI(program: program), account: account),
      impersonation: try endpoints.impersonation(input.settings[GoogleSettings.serviceAccount], lifetime: nil))
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    try credential.fetch(in: context)
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview { credential.preview }
}
