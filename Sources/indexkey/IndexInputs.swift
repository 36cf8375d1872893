import ArgumentParser
import IndexKit

/// What `login` and `doctor` share: the index URLs, the registry, the identity, the
/// outputs and every registry's flags. A new registry adds its option group here once.
struct IndexInputs: ParsableArguments {
  @Argument(help: "Index URLs (the …/simple/ or upload URL of each index).")
  var urls: [String] = []

  @Option(help: "The registry, when the URL's host does not say (\(Registries.names)).")
  var registry: String?

  @OptionGroup(title: "Identity") var identity: IdentityOptions
  @OptionGroup(title: "Profiles") var profile: ProfileOptions
  @OptionGroup(title: "Outputs") var output: OutputOptions
  @OptionGroup(title: "Azure") var azure: AzureOptions
  @OptionGroup(title: "Google") var google: GoogleOptions
  @OptionGroup(title: "AWS") var aws: AWSOptions
  @OptionGroup(title: "Chainguard") var chainguard: ChainguardOptions
  @OptionGroup(title: "JFrog") var jfrog: JFrogOptions
  @OptionGroup(title: "GitLab") var gitlab: GitLabOptions

  /// The library's view of these flags.
  var loginOptions: LoginOptions {
    var options = LoginOptions()
    options.urls = urls
    options.registry = registry
    options.profiles = profile.profiles
    identity.apply(to: &options)
    output.apply(to: &options)
    azure.apply(to: &options)
    google.apply(to: &options)
    aws.apply(to: &options)
    chainguard.apply(to: &options)
    jfrog.apply(to: &options)
    gitlab.apply(to: &options)
    return options
  }
}
