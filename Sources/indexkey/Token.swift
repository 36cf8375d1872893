import ArgumentParser
import IndexKit

extension IndexKey {
  struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "token",
      abstract: "Print only the password for one index on stdout, for scripts.",
      discussion: """
        The username is the registry's (see `indexkey doctor URL`). In CI the password is
        masked before it is printed. Example:
          TWINE_PASSWORD=$(indexkey token https://upload.pypi.org/legacy/) twine upload dist/*

        """ + RegistryFlags.help)

    @OptionGroup var inputs: IndexInputs
    @OptionGroup(title: "Network") var network: NetworkOptions

    func validate() throws {
      guard inputs.urls.count <= 1 else {
        throw ValidationError("indexkey token takes exactly one index URL (or a profile that names one).")
      }
      guard inputs.output.writes.isEmpty, !inputs.output.dryRun else {
        throw ValidationError("indexkey token prints the password only; use indexkey login for --write and --dry-run.")
      }
    }

    func run() throws {
      try Runner.login(inputs.loginOptions, timeout: network.timeout, sinks: [PasswordSink()])
    }
  }
}
