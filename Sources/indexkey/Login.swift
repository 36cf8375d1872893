import ArgumentParser
import IndexKit

extension IndexKey {
  struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Exchange the CI identity for index credentials and write them for pip, uv, twine, Poetry, PDM and Hatch.",
      discussion: OutputsHelp.text)

    @Argument(help: "Index URLs (the …/simple/ or upload URL of each index).")
    var urls: [String] = []

    @Option(help: "The registry, when the URL's host does not say (\(Registries.names)).")
    var registry: String?

    @OptionGroup(title: "Identity") var identity: IdentityOptions
    @OptionGroup(title: "Outputs") var output: OutputOptions
    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Azure") var azure: AzureOptions
    @OptionGroup(title: "Google") var google: GoogleOptions
    @OptionGroup(title: "AWS") var aws: AWSOptions
    @OptionGroup(title: "Chainguard") var chainguard: ChainguardOptions
    @OptionGroup(title: "JFrog") var jfrog: JFrogOptions
    @OptionGroup(title: "GitLab") var gitlab: GitLabOptions

    func run() throws {
      var options = LoginOptions()
      options.urls = urls
      options.registry = registry
      identity.apply(to: &options)
      output.apply(to: &options)
      azure.apply(to: &options)
      google.apply(to: &options)
      aws.apply(to: &options)
      chainguard.apply(to: &options)
      jfrog.apply(to: &options)
      gitlab.apply(to: &options)
      try Runner.login(options, network: network)
    }
  }
}
