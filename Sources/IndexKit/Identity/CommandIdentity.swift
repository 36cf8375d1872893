/// `--identity command:CMD`: runs `CMD` with `/bin/sh -c` and reads the token from its stdout.
///
/// The child gets the job's environment plus `INDEXKEY_AUDIENCE` (the audience wanted) and
/// runs anew for every token. It is stopped after `INDEXKEY_COMMAND_TIMEOUT` seconds
/// (default 60).
package struct CommandIdentity: IdentitySource {
  package var command: String

  package init(command: String) { self.command = command }

  package var name: String { "the command '\(command)'" }

  package static let defaultTimeout = 60.0

  package func idToken(audience: String, in context: Context) throws -> Secret {
    let timeout = try Self.timeout(context.environment)
    return try ProcessToken.read(
      ["/bin/sh", "-c", command], display: "the identity command '\(command)'",
      environment: context.environment.updating("INDEXKEY_AUDIENCE", audience), timeout: timeout,
      notFound: "", in: context)
  }

  static func timeout(_ environment: Environment) throws(ConfigError) -> Double {
    guard let text = environment["INDEXKEY_COMMAND_TIMEOUT"] else { return defaultTimeout }
    guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
      throw ConfigError("INDEXKEY_COMMAND_TIMEOUT '\(text)' is not a positive number of seconds.")
    }
    return seconds
  }
}
