import ArgumentParser
import IndexKit

extension IndexKey {
  struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "doctor",
      abstract:
        "Show what login would do here: the CI detected, variables set or missing, each index's exchange and subject, the outputs, and known traps.",
      discussion: RegistryFlags.help)

    @Flag(
      help:
        "Fetch no CI token (by default one is fetched per index to show the subject it carries; none is shown or used)."
    )
    var offline = false

    @OptionGroup var inputs: IndexInputs
    @OptionGroup(title: "Network") var network: NetworkOptions

    func run() throws {
      var (context, console) = Runner.diagnosticContext(network)
      let options: LoginOptions
      do {
        (options, context.environment) = try ProfileLogin.examined(
          inputs.loginOptions, environment: context.environment, console: console)
      } catch {
        Runner.fail(asUserFacing(error), console)
      }
      let report = IndexKit.Doctor.examine(options, fetchTokens: !offline, in: context)
      console.out(inputs.output.json ? report.json.serialized() : report.text)
      if report.exitStatus != .ok {
        throw ExitCode(report.exitStatus.rawValue)
      }
    }
  }
}
