internal import Glibc
import Synchronization

/// Where the program's text goes: stdout for machine-readable output only,
/// stderr for everything a person reads. Thread-safe; tests capture it.
public final class Console: Sendable {
  private let writeOut: @Sendable (String) -> Void
  private let writeErr: @Sendable (String) -> Void
  private let lock = Mutex(())

  public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
    self.writeOut = out
    self.writeErr = err
  }

  /// Writes to the process's stdout and stderr, unbuffered.
  public static func standard() -> Console {
    Console(out: { writeAll(1, $0) }, err: { writeAll(2, $0) })
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
  private let state = Mutex<(out: String, err: String)>(("", ""))

  public init() {}

  public var console: Console {
    Console(
      out: { text in self.state.withLock { $0.out += text } },
      err: { text in self.state.withLock { $0.err += text } })
  }

  public var stdout: String { state.withLock { $0.out } }
  public var stderr: String { state.withLock { $0.err } }
}
