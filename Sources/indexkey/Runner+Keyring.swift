import ArgumentParser
import IndexKit

extension Runner {
  /// The keyring helper with the live environment; the network is set up only on a cache miss.
  static func keyringHelper(noCache: Bool) -> KeyringHelper {
    let environment = profileEnvironment(Environment(ProcessEnvironment.read()))
    let cache = noCache ? nil : KeyringHelper.defaultCache(environment: environment, home: environment["HOME"])
    return KeyringHelper(environment: environment, console: Console.standard(), cache: cache) {
      try Context.live(environment: environment, timeout: 30)
    }
  }

  /// Under `INDEXKEY_PROFILE`, the profile's settings over `environment`.
  static func profileEnvironment(_ environment: Environment) -> Environment {
    guard let name = environment[ProfileLogin.variable] else { return environment }
    do {
      return try ProfileLogin.environment(profile: name, environment: environment, console: Console.standard())
    } catch {
      fail(error, Console.standard())
    }
  }

  static func keyringInstall(_ directory: String) throws {
    let environment = Environment(ProcessEnvironment.read())
    let console = Console.standard()
    guard let executable = KeyringLink.currentExecutable() else {
      fail(SinkError("Could not find the path of this indexkey executable (/proc/self/exe)."), console)
    }
    do {
      try KeyringLink.install(into: directory, executable: executable, environment: environment, console: console)
    } catch {
      fail(error, console)
    }
  }

  static func refuseStore(_ operation: String) throws {
    Console.standard().err(
      "indexkey: error: keyring \(operation) is not supported: indexkey mints index credentials and stores no passwords."
    )
    throw ExitCode(1)
  }

  /// Ends the command with `code` (0 returns normally).
  static func finish(_ code: Int32) throws {
    if code != 0 { throw ExitCode(code) }
  }
}
