/// Who a laptop is signed in as, for the keyring cache key: a digest of the files the cloud
/// CLIs change when the user signs in as someone else (`aws configure`, `aws sso login`,
/// `gcloud auth application-default login`, `gcloud config set account`).
///
/// Without it a switched identity would be answered the old identity's cached credential.
///
/// Reads a few small files; nothing is sent anywhere, and only the digest is kept. The
/// variables that choose among sign-ins are declared settings of the links, so the key
/// covers them already.
enum LocalSignIn {
  /// The digest lines for `registry` (empty for registries without local sign-ins).
  static func fingerprint(registry: String, environment: Environment) -> String {
    let home = environment["HOME"]
    var parts: [String] = []
    switch registry {
    case AWSCodeArtifact.name:
      guard let files = try? AWSSharedFiles.load(environment: environment, home: home) else {
        return "aws unreadable\n"
      }
      parts.append("aws files \(files.digest)")
      let profile = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
      for cache in ssoCaches(AWSProfileResolver(files: files, home: home), profile: profile) {
        parts.append("aws sso \(fileDigest(cache))")
      }
    case GoogleArtifactRegistry.name:
      let gcloud = GcloudConfig.load(environment: environment, home: home)
      parts.append("gcloud account \(gcloud.account ?? "")")
      parts.append("gcloud adc \(fileDigest(gcloud.adcPath))")
      if let file = environment["GOOGLE_APPLICATION_CREDENTIALS"] {
        parts.append("google credentials \(fileDigest(file))")
      }
    case AzureArtifacts.name:
      // The Azure CLI's signed-in account (its profile file; not its token cache, which az
      // rewrites on every refresh).
      let directory = environment["AZURE_CONFIG_DIR"] ?? home.map { $0 + "/.azure" } ?? ""
      parts.append("az profile \(fileDigest(directory + "/azureProfile.json"))")
    default:
      return ""
    }
    return parts.map { $0 + "\n" }.joined()
  }

  /// The SSO token caches a profile's chain reads.
  static func ssoCaches(_ resolver: AWSProfileResolver, profile: String) -> [String] {
    var out: [String] = []
    var next = try? resolver.resolve(profile)
    while let credential = next {
      switch credential {
      case .sso(let sso):
        out.append(sso.cacheFile)
        next = nil
      case .assumeRole(_, let source): next = source
      default: next = nil
      }
    }
    return out
  }

  static func fileDigest(_ path: String) -> String {
    guard let bytes = try? FileIO.read(path, limit: 1 << 20) else { return "none" }
    return Hex.lower(Digest.sha256(bytes))
  }
}
