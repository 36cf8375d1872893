import ArgumentParser
import IndexKit

/// What `login`, `token` and `doctor` share: the index URLs, the registry, the identity,
/// the outputs, and every registry's settings (declared by the registries themselves and
/// read by ``RegistryFlags``: adding a registry changes nothing here).
struct IndexInputs: ParsableArguments {
  @Argument(help: "Index URLs (the …/simple/ or upload URL of each index).")
  var urls: [String] = []

  @Option(help: "The registry, when the URL's host does not say (\(Registries.names)).")
  var registry: String?

  @OptionGroup(title: "Identity") var identity: IdentityOptions
  @OptionGroup(title: "Profiles") var profile: ProfileOptions
  @OptionGroup(title: "Outputs") var output: OutputOptions

  /// The registry flags, as ``RegistryFlags/rewrite(_:)`` passes them: `NAME=VALUE` or `NAME`.
  @Option(name: .customLong(RegistryFlags.carrier), parsing: .singleValue, help: .private)
  var settings: [String] = []

  func validate() throws {
    _ = try RegistryFlags.given(settings)
  }

  /// The library's view of these flags.
  var loginOptions: LoginOptions {
    var options = LoginOptions()
    options.urls = urls
    options.registry = registry
    options.profiles = profile.profiles
    options.settings = (try? RegistryFlags.given(settings)) ?? [:]
    identity.apply(to: &options)
    output.apply(to: &options)
    return options
  }
}
