internal import Glibc

/// Where the program's text goes: stdout for machine-readable output only,
/// stderr for everything a person reads. Thread-safe; tests capture it.
public final class Console: Sendable {
  private let writeOut: @Sendable (String) -> Void
  private let writeErr: @Sendable (String) -> Void
  private let lock = Locked(())
  /// Whether stdout goes straight into a CI job's log (``CILog/stdoutIsLog()``); asked
  /// only when there is something to mask.
  public let stdoutIsLog: @Sendable () -> Bool

  public init(
    out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
    stdoutIsLog: @escaping @Sendable () -> Bool = { false }
  ) {
    self.writeOut = out
    self.writeErr = err
    self.stdoutIsLog = stdoutIsLog
  }

  /// Writes to the process's stdout and stderr, unbuffered.
  public static func standard() -> Console {
    Console(out: { writeAll(1, $0) }, err: { writeAll(2, $0) }, stdoutIsLog: CILog.stdoutIsLog)
  }

  /// Writes text (a newline is added) to stdout.
  public func out(_ line: String) { lock.withLock { _ in writeOut(line + "\n") } }

  /// Writes text (a newline is added) to stderr.
  public func err(_ line: String) { lock.withLock { _ in writeErr(line + "\n") } }

  private static func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { buf in
        Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
      }
      if n < 0 {
        if errno == EINTR { continue }
        return
      }
      offset += n
    }
    bytes.removeAll()
  }
}

/// A console that records what was written (tests).
public final class CapturingConsole: Sendable {
  private let state = Locked<(out: String, err: String)>(("", ""))

  /// As if stdout were the CI log (the masks then go on stdout too).
  public let stdoutIsLog: Bool

  public init(stdoutIsLog: Bool = false) { self.stdoutIsLog = stdoutIsLog }

  public var console: Console {
    let isLog = stdoutIsLog
    return Console(
      out: { text in self.state.withLock { $0.out += text } },
      err: { text in self.state.withLock { $0.err += text } }, stdoutIsLog: { isLog })
  }

  public var stdout: String { state.withLock { $0.out } }
  public var stderr: String { state.withLock { $0.err } }
}
