import ArgumentParser
import IndexKit

extension IndexKey {
  struct Claims: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "claims",
      abstract: "Fetch the CI token for an audience and print its claims (never the token or its signature).")

    @Option(help: "The audience to request (default: the CI's default audience).")
    var audience: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @OptionGroup(title: "Identity") var identity: IdentityOptions
    @OptionGroup(title: "Network") var network: NetworkOptions

    func run() throws {
      var options = LoginOptions()
      identity.apply(to: &options)
      let (context, console) = Runner.diagnosticContext(network)
      do {
        let report = try ClaimsReport.fetch(
          identity: options.identity, serviceConnection: options.serviceConnection, audience: audience ?? "",
          in: context)
        console.out(json ? report.json.serialized() : report.text)
      } catch {
        Runner.fail(asUserFacing(error), console)
      }
    }
  }
}

extension Runner {
  /// The live context for `claims` and `doctor` (same network settings as `login`).
  static func diagnosticContext(_ network: NetworkOptions) -> (Context, Console) {
    let environment = Environment(ProcessEnvironment.read())
    let console = Console.standard()
    do {
      return (try Context.live(environment: environment, timeout: network.timeout), console)
    } catch {
      fail(asUserFacing(error), console)
    }
  }
}
