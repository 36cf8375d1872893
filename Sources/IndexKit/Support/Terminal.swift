internal import Glibc

/// Where a prompt for the person at the keyboard goes.
///
/// A seam: ``ControllingTerminal`` writes to `/dev/tty`; tests pass one that records.
package protocol Terminal: Sendable {
  /// Shows `text` (a newline is added).
  func show(_ text: String)
}

/// The process's controlling terminal, `/dev/tty`: it reaches the person even when stdout and
/// stderr are captured (pip runs its keyring with both piped and shows neither).
package struct ControllingTerminal: Terminal {
  /// The terminal, or nil when the process has none (a CI job, a service, `setsid`).
  package static func open() -> ControllingTerminal? {
    let fd = Glibc.open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    close(fd)
    return ControllingTerminal()
  }

  package func show(_ text: String) {
    let fd = Glibc.open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }
}
