/// Application Default Credentials in google-auth's order, after CI federation:
/// `GOOGLE_APPLICATION_CREDENTIALS`, the gcloud ADC file, the gcloud CLI's active account,
/// the metadata server. Each place is asked with files, variables and `PATH` only; the
/// metadata server only where the machine says it is Google's, so a laptop never waits.
extension GoogleArtifactRegistry {
  static let localLinks = [
    "GOOGLE_APPLICATION_CREDENTIALS", "the gcloud ADC file", "the gcloud CLI", "the metadata server",
  ]

  static func localChain(settings: Settings, identity: IdentitySpec, endpoints: Endpoints) throws -> GoogleArtifactRegistry {
    let env = settings.environment
    var steps = [LocalChainStep("--gcp-workload-identity-provider", .skipped, "not given (CI federation)")]
    func answered(_ registry: GoogleArtifactRegistry, _ link: Int, _ reason: String) -> GoogleArtifactRegistry {
      var registry = registry
      registry.chain = LocalChainStep.trace(steps, answered: LocalChainStep(localLinks[link], .answered, reason), after: Array(localLinks[(link + 1)...]))
      return registry
    }
    if let path = env["GOOGLE_APPLICATION_CREDENTIALS"] {
      let registry = try fromFile(path, origin: "GOOGLE_APPLICATION_CREDENTIALS", settings: settings, identity: identity, endpoints: endpoints)
      return answered(registry, 0, "\(path)")
    }
    steps.append(LocalChainStep(localLinks[0], .skipped, "not set"))
    let gcloud = GcloudConfig.load(environment: env, home: env["HOME"])
    if FileIO.exists(gcloud.adcPath) {
      let registry = try fromFile(gcloud.adcPath, origin: "the gcloud ADC file", settings: settings, identity: identity, endpoints: endpoints)
      return answered(registry, 1, gcloud.adcPath)
    }
    steps.append(LocalChainStep(localLinks[1], .skipped, "no \(gcloud.adcPath); `gcloud auth application-default login` writes it"))
    let serviceAccount = settings.value("gcp-service-account")
    if let program = GcloudCLI.find(onPath: env["PATH"]) {
      if let account = gcloud.account {
        let registry = GoogleArtifactRegistry(
          authentication: .local(.gcloud(GcloudCLI(program: program), account: account)),
          impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
        return answered(registry, 2, "\(program), account \(account) (configuration \(gcloud.configuration))")
      }
      steps.append(LocalChainStep(localLinks[2], .skipped, "\(program) has no active account in configuration \(gcloud.configuration); run `gcloud auth login`"))
    } else {
      steps.append(LocalChainStep(localLinks[2], .skipped, "gcloud is not on PATH"))
    }
    if let evidence = GoogleMetadataIdentity.evidence(env) {
      let server = GoogleMetadataToken(environment: env)
      let registry = GoogleArtifactRegistry(
        authentication: .local(.metadata(server)), impersonation: try endpoints.impersonation(serviceAccount, lifetime: nil))
      return answered(registry, 3, "\(server.host) (\(evidence))")
    }
    steps.append(
      LocalChainStep(
        localLinks[3], .skipped,
        env.flag("NO_GCE_CHECK")
          ? "NO_GCE_CHECK is set" : "this machine does not say it is Google Cloud (no GCE product name, K_SERVICE or GCE_METADATA_HOST)"))
    throw ConfigError(
      "Google Artifact Registry found no credentials. Looked at: \(LocalChainStep.tried(steps)). On a laptop run `gcloud auth application-default login`; in CI pass --gcp-workload-identity-provider \(WorkloadIdentityProvider.shape) (and optionally --gcp-service-account EMAIL).")
  }
}
