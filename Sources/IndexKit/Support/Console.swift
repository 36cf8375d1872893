internal import Glibc

/// Where the program's text goes: stdout for machine-readable output only,
/// stderr for everything a person reads.
///
/// Thread-safe; tests capture it.
package final class Console: Sendable {
  private let writeOut: @Sendable (String) -> Void
  private let writeErr: @Sendable (String) -> Void
  private let lock = Locked(())
  /// Whether stdout goes straight into a CI job's log (``CILog/stdoutIsLog()``); asked
  /// only when there is something to mask.
  package let stdoutIsLog: @Sendable () -> Bool

  package init(
    out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
    stdoutIsLog: @escaping @Sendable () -> Bool = { false }
  ) {
    self.writeOut = out
    self.writeErr = err
    self.stdoutIsLog = stdoutIsLog
  }

  /// Writes to the process's stdout and stderr, unbuffered.
  package static func standard() -> Console {
    Console(out: { writeAll(1, $0) }, err: { writeAll(2, $0) }, stdoutIsLog: CILog.stdoutIsLog)
  }

  /// Writes text (a newline is added) to stdout.
  package func out(_ line: String) { lock.withLock { _ in writeOut(line + "\n") } }

  /// Writes text (a newline is added) to stderr.
  package func err(_ line: String) { lock.withLock { _ in writeErr(line + "\n") } }

  private static func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
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
package final class CapturingConsole: Sendable {
  private let state = Locked<(out: String, err: String)>(("", ""))

  /// As if stdout were the CI log (the masks then go on stdout too).
  package let stdoutIsLog: Bool

  package init(stdoutIsLog: Bool = false) { self.stdoutIsLog = stdoutIsLog }

  package var console: Console {
    let isLog = stdoutIsLog
    return Console(
      out: { text in self.state.withLock { $0.out += text } },
      err: { text in self.state.withLock { $0.err += text } }, stdoutIsLog: { isLog })
  }

  package var stdout: String { state.withLock { $0.out } }
  package var stderr: String { state.withLock { $0.err } }
}
