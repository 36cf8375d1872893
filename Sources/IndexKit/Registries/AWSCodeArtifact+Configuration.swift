extension AWSCodeArtifact {
  /// From `--aws-*` flags and the variables the AWS SDKs read; the keys from the first
  /// link of ``AWSChain`` configured here.
  public static func make(settings: Settings, identity: IdentitySpec) throws -> AWSCodeArtifact {
    // the profile's region when neither flag nor variable names one, as the AWS CLI reads it
    let region = try AWSRegion.configured(settings) ?? AWSSharedProfile.region(settings.environment)
    let durationText = settings.value("duration") ?? "3600"
    guard let duration = Int(durationText), duration == 0 || (900...43200).contains(duration) else {
      throw ConfigError("--duration '\(durationText)' is not valid for CodeArtifact: give 0 (as long as the AWS session) or 900 to 43200 seconds.")
    }
    // a keyring lookup takes no flags: for a repository behind another host name, these variables
    let owner = settings.value("aws-domain-owner", env: ["INDEXKEY_AWS_DOMAIN_OWNER"])
    if let owner, owner.count != 12 || !owner.allSatisfy({ $0.isASCII && $0.isNumber }) {
      throw ConfigError("--aws-domain-owner '\(owner)' is not an AWS account id (12 digits).")
    }
    var registry = AWSCodeArtifact(
      credentials: try AWSChain.chain.resolve(LinkInput(settings: settings, identity: identity)), domain: settings.value("aws-domain", env: ["INDEXKEY_AWS_DOMAIN"]),
      owner: owner, region: region, duration: duration)
    if settings.value("aws-codeartifact-endpoint", env: ["AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"]) != nil {
      registry.codeArtifactEndpoint = try settings.endpoint(
        "aws-codeartifact-endpoint", env: ["AWS_ENDPOINT_URL_CODEARTIFACT", "AWS_ENDPOINT_URL"], default: "",
        what: "The CodeArtifact endpoint")
    }
    return registry
  }
}
