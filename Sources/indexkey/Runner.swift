import ArgumentParser
import IndexKit

/// The glue between parsed flags and the library: build the live context, run, map
/// failures to exit codes.
///
/// Errors print as one line on stderr.
enum Runner {
  /// - Parameters:
  ///   - options: the parsed flags.
  ///   - timeout: seconds each HTTP request may take.
  ///   - sinks: replaces the outputs the flags chose (`token` prints the password only).
  /// - Throws: `ExitCode` with the report's exit status when an index failed.
  static func login(_ options: LoginOptions, timeout: Double, sinks: [any Sink]? = nil) throws {
    let environment = Environment(ProcessEnvironment.read())
    let console = Console.standard()
    var options = options
    if sinks != nil, options.profiles.isEmpty, let name = environment[ProfileLogin.variable] {
      options.profiles = [name]
    }
    var plan: LoginPlan
    let context: Context
    do {
      plan = try ProfileLogin.plan(options, environment: environment, console: console)
      if let sinks {
        plan.sinks = sinks
        guard plan.indexes.count == 1 else {
          throw ConfigError(
            "indexkey token prints one password, but \(plan.indexes.count) indexes were given; name one URL (indexkey token URL --profile NAME)."
          )
        }
      }
      context = try Context.live(environment: environment, timeout: timeout)
    } catch {
      let reported = asUserFacing(error)
      if options.json { console.out(LoginReport.json(failure: reported)) }
      fail(reported, console)
    }
    let report = IndexKit.login(plan, in: context)
    report.render(to: console, now: context.clock.now())
    if options.json {
      console.out(report.json(showSecrets: options.showSecrets, now: context.clock.now()).revealed)
    }
    if report.exitStatus != .ok {
      throw ExitCode(report.exitStatus.rawValue)
    }
  }

  static func fail(_ error: any UserFacingError, _ console: Console) -> Never {
    console.err("indexkey: error: \(SingleLine.neutralised(error.description))")
    IndexKey.exit(withError: ExitCode(error.exitStatus.rawValue))
  }
}
