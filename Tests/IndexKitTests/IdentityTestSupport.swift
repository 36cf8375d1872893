import Glibc
import IndexKit

/// A GitHub-style token for `sub`, issued at `now`, valid 5 minutes.
func githubToken(
  sub: String = "repo:octo-org/app:ref:refs/heads/main", aud: String = "api://AzureADTokenExchange",
  now: Int64 = 1_800_000_000, extra: [(String, JSON)] = []
) -> String {
  unsignedJWT(
    [
      ("iss", .string("https://token.actions.githubusercontent.com")), ("sub", .string(sub)), ("aud", .string(aud)),
      ("iat", .integer(now)), ("exp", .integer(now + 300)), ("jti", .string("jti-\(sub.count)")),
      ("repository", .string("octo-org/app")), ("repository_owner", .string("octo-org")),
      ("ref", .string("refs/heads/main")),
      ("workflow_ref", .string("octo-org/app/.github/workflows/release.yml@refs/heads/main")),
      ("job_workflow_ref", .string("octo-org/app/.github/workflows/release.yml@refs/heads/main")),
    ] + extra)
}

/// Records every run and answers from a closure (tests of CLI-backed identity sources).
final class FakeProcessRunner: ProcessRunner {
  typealias Handler = @Sendable ([String], Environment) throws(ProcessError) -> ProcessOutput
  private let handler: Handler
  private let log = Locked<[(arguments: [String], environment: Environment, timeout: Double)]>([])

  init(_ handler: @escaping Handler) { self.handler = handler }

  /// Prints `stdout` and exits 0.
  convenience init(printing stdout: String) {
    self.init { _, _ in ProcessOutput(status: 0, stdout: Array(stdout.utf8), stderr: []) }
  }

  var runs: [(arguments: [String], environment: Environment, timeout: Double)] { log.withLock { $0 } }

  func run(_ arguments: [String], environment: Environment, timeout: Double) throws(ProcessError) -> ProcessOutput {
    log.withLock { $0.append((arguments, environment, timeout)) }
    return try handler(arguments, environment)
  }
}

/// A context for identity tests: stub transport, fixed clock, capturing console.
func identityContext(
  _ environment: [String: String],
  transport: StubTransport = StubTransport { _ in HTTPResponse(status: 599, text: "unused") },
  runner: any ProcessRunner = FakeProcessRunner(printing: ""), now: UnixTime = 1_800_000_010
) -> Context {
  Context(
    transport: transport, environment: Environment(environment), clock: FixedClock(now), sleep: { _ in },
    console: CapturingConsole().console,
    home: "/nonexistent", processRunner: runner)
}

/// The message of the error `body` throws, or nil when it does not throw.
func errorMessage(_ body: () throws -> Any) -> String? {
  do {
    _ = try body()
    return nil
  } catch {
    return asUserFacing(error).message
  }
}

/// The exit status of the error `body` throws.
func errorStatus(_ body: () throws -> Any) -> ExitStatus? {
  do {
    _ = try body()
    return nil
  } catch {
    return asUserFacing(error).exitStatus
  }
}

/// A fresh directory under /tmp, removed when the value is released.
final class ScratchDirectory {
  let path: String

  init() throws {
    var template = Array("/tmp/indexkey-identity-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw ConfigError("mkdtemp failed") }
    path = String(cString: made)
  }

  /// Writes `text` to `name` inside the directory (replacing it).
  func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws {
    let file = path + "/" + name
    let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, mode)
    guard fd >= 0 else { throw ConfigError("cannot write \(file)") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    fchmod(fd, mode)
  }

  deinit {
    _ = try? SpawnProcessRunner().run(
      ["rm", "-rf", path], environment: Environment(["PATH": "/usr/bin:/bin"]), timeout: 10)
  }
}

/// The Entra client the Azure chain chooses for these settings (tests of its configuration).
func entraClient(settings: Settings, identity: IdentitySpec) throws -> EntraClient {
  let registry = try AzureArtifacts.make(settings: settings, identity: identity)
  guard let link = registry.credentials.link as? any EntraLink else {
    throw ConfigError("the Azure chain chose \(registry.credentials.linkName), not an Entra link")
  }
  return link.client
}
