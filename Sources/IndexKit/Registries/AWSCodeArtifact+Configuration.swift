extension AWSCodeArtifact {
  /// From `--aws-*` flags and the variables the AWS SDKs read; the keys from the first
  /// link of ``AWSChain`` configured here.
  package static func make(settings: Settings, identity: IdentitySpec) throws -> AWSCodeArtifact {
    // the profile's region when neither flag nor variable names one, as the AWS CLI reads it
    let region = try AWSRegion.configured(settings) ?? AWSSharedProfile.region(settings.environment)
    let durationText = settings[CodeArtifactSettings.duration] ?? "3600"
    guard let duration = Int(durationText), duration == 0 || (900...43200).contains(duration) else {
      throw ConfigError(
        "--duration '\(durationText)' is not valid for CodeArtifact: give 0 (as long as the AWS session) or 900 to 43200 seconds."
      )
    }
    let owner = settings[CodeArtifactSettings.domainOwner]
    if let owner, owner.count != 12 || !owner.allSatisfy({ $0.isASCII && $0.isNumber }) {
      throw ConfigError("--aws-domain-owner '\(owner)' is not an AWS account id (12 digits).")
    }
    var registry = AWSCodeArtifact(
      credentials: try AWSChain.chain.resolve(LinkInput(settings: settings, identity: identity)),
      domain: settings[CodeArtifactSettings.domain],
      owner: owner, region: region, duration: duration)
    registry.codeArtifactEndpoint = try settings.endpoint(
      CodeArtifactSettings.endpoint, what: "The CodeArtifact endpoint")
    return registry
  }
}

/// What CodeArtifact reads besides its chain's settings, declared once.
package enum CodeArtifactSettings {
  package static let domain = Setting.value(
    "aws-domain", "DOMAIN", env: ["INDEXKEY_AWS_DOMAIN"],
    help: "CodeArtifact domain, when the index URL is not a codeartifact host.")
  package static let domainOwner = Setting.value(
    "aws-domain-owner", "ACCOUNT", env: ["INDEXKEY_AWS_DOMAIN_OWNER"],
    help: "Account id owning the domain, when the index URL is not a codeartifact host.")
  package static let endpoint = Setting.value(
    "aws-codeartifact-endpoint", "URL", env: ["AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"],
    help: "CodeArtifact API endpoint; default https://codeartifact.REGION.amazonaws.com.")
  package static let duration = Setting.value(
    "duration", "SECONDS",
    help: "Lifetime in seconds of the CodeArtifact token: 900 to 43200, or 0 for the AWS session's (default 3600).")
}

extension AWSCodeArtifact {
  package static let settings =
    [
      AWSSettings.region, CodeArtifactSettings.domain, CodeArtifactSettings.domainOwner, CodeArtifactSettings.endpoint,
      CodeArtifactSettings.duration,
    ]
    + AWSChain.chain.settings
}
