import ArgumentParser
import IndexKit

extension IndexKey {
  struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show what login would do here: the CI detected, variables set or missing, each index's exchange and subject, the outputs, and known traps.")

    @Argument(help: "Index URLs to check (optional).")
    var urls: [String] = []

    @Option(help: "The registry, when the URL's host does not say (\(Registries.names)).")
    var registry: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Fetch no CI token (by default one is fetched per index to show the subject it carries; none is shown or used).")
    var offline = false

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
      let (context, console) = Runner.diagnosticContext(network)
      let report = IndexKit.Doctor.examine(options, fetchTokens: !offline, in: context)
      console.out(json ? report.json.serialized() : report.text)
      if report.exitStatus != .ok {
        throw ExitCode(report.exitStatus.rawValue)
      }
    }
  }
}
