internal import Glibc

/// Everything the library may touch in the outside world, passed in as a value.
///
/// The executable builds one with ``live(environment:options:)``; tests build one with a
/// ``StubTransport``, a fixed clock and a capturing console.
package struct Context: Sendable {
  /// The transport of this worker (one libcurl handle; connections reused).
  package var transport: any HTTPTransport
  /// Makes a fresh transport for a parallel worker; nil shares ``transport``.
  package var makeTransport: (@Sendable () throws -> any HTTPTransport)?
  package var environment: Environment
  /// Which CI this is, decided once from ``environment``.
  package var ci: CIEnvironment
  package var clock: any WallClock
  /// Waits between attempts (a retried mint); tests record instead of waiting.
  package var sleep: @Sendable (Double) -> Void
  package var console: Console
  /// The user's home directory (for `~/.pypirc`).
  package var home: String?
  /// Runs a child process (identity commands); injectable for tests.
  package var processRunner: any ProcessRunner

  package init(
    transport: any HTTPTransport,
    makeTransport: (@Sendable () throws -> any HTTPTransport)? = nil,
    environment: Environment, clock: any WallClock = SystemClock(),
    sleep: @escaping @Sendable (Double) -> Void = realSleep,
    console: Console, home: String? = nil, processRunner: any ProcessRunner = SpawnProcessRunner()
  ) {
    self.transport = transport
    self.makeTransport = makeTransport
    self.environment = environment
    self.ci = CIEnvironment.detect(environment)
    self.clock = clock
    self.sleep = sleep
    self.console = console
    self.home = home ?? environment["HOME"]
    self.processRunner = processRunner
  }

  /// The context of the real program, the one way every command builds it: libcurl with
  /// `timeout` seconds per request (connecting at most 10) and retries for up to twice that
  /// (at least a minute), the system trust store unless a CA variable says otherwise, the
  /// real clock, stdout and stderr.
  package static func live(environment: Environment, timeout: Double) throws -> Context {
    guard timeout > 0, timeout.isFinite else { throw ConfigError("--timeout must be a positive number of seconds.") }
    let options = CurlOptions(
      connectTimeout: min(10, timeout), totalTimeout: timeout, caBundle: CurlOptions.caBundle(from: environment))
    return try live(environment: environment, options: options, retry: RetryPolicy(deadline: max(60, timeout * 2)))
  }

  /// ``live(environment:timeout:)`` with the transport's options and retry policy spelt out.
  static func live(environment: Environment, options: CurlOptions, retry: RetryPolicy) throws(HTTPError) -> Context {
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
  package func forWorker() throws -> Context {
    var copy = self
    if let makeTransport { copy.transport = try makeTransport() }
    return copy
  }
}

/// Sleeps the calling thread, resuming after signals.
@Sendable package func realSleep(_ seconds: Double) {
  guard seconds > 0 else { return }
  var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
  var left = timespec()
  while nanosleep(&ts, &left) == -1 && errno == EINTR { ts = left }
}
