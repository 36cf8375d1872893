import ArgumentParser
import IndexKit

extension IndexKey {
  struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "login",
      abstract:
        "Exchange the CI identity for index credentials and write them for pip, uv, twine, Poetry, PDM and Hatch.",
      discussion: OutputsHelp.text + "\n\n" + RegistryFlags.help)

    @OptionGroup var inputs: IndexInputs
    @OptionGroup(title: "Network") var network: NetworkOptions

    func run() throws {
      try Runner.login(inputs.loginOptions, timeout: network.timeout)
    }
  }
}
