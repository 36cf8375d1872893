internal import Glibc

/// Everything the library may touch in the outside world, passed in as a value.
///
/// The executable builds one with ``live(environment:options:)``; tests build one with a
/// ``StubTransport``, a fixed clock and a capturing console.
public struct Context: Sendable {
  /// The transport of this worker (one libcurl handle; connections reused).
  public var transport: any HTTPTransport
  /// Makes a fresh transport for a parallel worker; nil shares ``transport``.
  public var makeTransport: (@Sendable () throws -> any HTTPTransport)?
  public var environment: Environment
  public var clock: any WallClock
  public var console: Console
  /// The user's home directory (for `~/.pypirc`).
  public var home: String?
  /// Runs a child process (identity commands); injectable for tests.
  public var processRunner: any ProcessRunner

  public init(
    transport: any HTTPTransport,
    makeTransport: (@Sendable () throws -> any HTTPTransport)? = nil,
    environment: Environment, clock: any WallClock = SystemClock(), console: Console,
    home: String? = nil, processRunner: any ProcessRunner = SpawnProcessRunner()
  ) {
    self.transport = transport
    self.makeTransport = makeTransport
    self.environment = environment
    self.clock = clock
    self.console = console
    self.home = home ?? environment["HOME"]
    self.processRunner = processRunner
  }

  /// The context of the real program: libcurl with retries, the real clock, stdout/stderr.
  public static func live(environment: Environment, options: CurlOptions, retry: RetryPolicy) throws(HTTPError) -> Context {
    var tuned = options
    if CurlOptions.proxyConfigured(in: environment) { tuned.preconnect = false }
    if tuned.caDirectory == nil { tuned.caDirectory = CurlOptions.caDirectory(from: environment) }
    let options = tuned
    let factory: @Sendable () throws -> any HTTPTransport = {
      RetryingTransport(try CurlTransport(options: options), policy: retry, sleep: realSleep)
    }
    let first = RetryingTransport(try CurlTransport(options: options), policy: retry, sleep: realSleep)
    return Context(transport: first, makeTransport: factory, environment: environment, console: .standard())
  }

  /// A copy of this context with its own transport, for a parallel worker.
  public func forWorker() throws -> Context {
    var copy = self
    if let makeTransport { copy.transport = try makeTransport() }
    return copy
  }
}

/// Sleeps the calling thread, resuming after signals.
@Sendable public func realSleep(_ seconds: Double) {
  guard seconds > 0 else { return }
  var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
  var left = timespec()
  while nanosleep(&ts, &left) == -1 && errno == EINTR { ts = left }
}
