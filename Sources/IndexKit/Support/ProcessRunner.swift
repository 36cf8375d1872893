internal import Glibc

/// What a finished child process left behind.
package struct ProcessOutput: Sendable, Equatable {
  package var status: Int32
  package var stdout: [UInt8]
  package var stderr: [UInt8]

  package init(status: Int32, stdout: [UInt8], stderr: [UInt8]) {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }
}

/// Why a child process produced no output.
package enum ProcessError: Error, Equatable, Sendable, CustomStringConvertible {
  case couldNotStart(command: String, errno: Int32)
  case timedOut(command: String, seconds: Double)

  package var description: String {
    switch self {
    case .couldNotStart(let command, let code):
      "Could not run '\(command)': \(String(cString: strerror(code)))."
    case .timedOut(let command, let seconds):
      "'\(command)' did not finish within \(HTTPError.format(seconds)) s and was stopped."
    }
  }
}

/// Runs a program and collects its output; the seam for identity commands.
package protocol ProcessRunner: Sendable {
  /// Runs `arguments` to its end and returns what it printed and how it exited.
  ///
  /// - Parameters:
  ///   - arguments: the program (looked up on PATH) and its arguments.
  ///   - environment: the child's whole environment.
  ///   - timeout: seconds before the child is killed.
  /// - Returns: the child's stdout, stderr and exit status.
  /// - Throws: ``ProcessError`` when the program is missing, cannot start or runs past `timeout`.
  func run(_ arguments: [String], environment: Environment, timeout: Double) throws(ProcessError) -> ProcessOutput
}

/// `posix_spawnp` with stdin from /dev/null and both outputs captured (1 MiB cap each).
///
/// The pipes are made close-on-exec under a lock that spawning also takes, so a child spawned
/// at the same time by another thread never inherits (and holds open) this one's pipes. The
/// child leads its own process group, so a timeout also stops what it started (`sh -c`).
package struct SpawnProcessRunner: ProcessRunner {
  package init() {}

  /// Held from creating a child's pipes until they are close-on-exec and the child is spawned.
  private static let spawnLock = Locked(())

  package func run(_ arguments: [String], environment: Environment, timeout: Double) throws(ProcessError)
    -> ProcessOutput
  {
    let command = arguments.first ?? ""
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.values.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    let rc: Int32 = Self.spawnLock.withLock { _ in
      guard pipe(&outPipe) == 0 else { return errno }
      guard pipe(&errPipe) == 0 else {
        let code = errno
        close(outPipe[0])
        close(outPipe[1])
        return code
      }
      for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
      posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
      let rc = posix_spawnp(&pid, command, &actions, &attributes, argv, envp)
      close(outPipe[1])
      close(errPipe[1])
      if rc != 0 {
        close(outPipe[0])
        close(errPipe[0])
      }
      return rc
    }
    guard rc == 0 else {
      throw .couldNotStart(command: command, errno: rc)
    }
    let (out, err, timedOut) = collect(outPipe[0], errPipe[0], timeout: timeout)
    close(outPipe[0])
    close(errPipe[0])
    if timedOut { kill(-pid, SIGKILL) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    if timedOut { throw .timedOut(command: command, seconds: timeout) }
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ProcessOutput(status: exitCode, stdout: out, stderr: err)
  }

  private func collect(_ outFD: Int32, _ errFD: Int32, timeout: Double) -> ([UInt8], [UInt8], Bool) {
    var out: [UInt8] = []
    var err: [UInt8] = []
    var open = [outFD: true, errFD: true]
    let deadline = monotonicSeconds() + timeout
    var chunk = [UInt8](repeating: 0, count: 16384)
    while open.values.contains(true) {
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 { return (out, err, true) }
      var fds = open.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
      let n = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 3600) * 1000))
      if n < 0 && errno != EINTR { break }
      for p in fds where p.revents != 0 {
        let got = chunk.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
        if got <= 0 {
          open[p.fd] = false
        } else if p.fd == outFD {
          if out.count < 1 << 20 { out += chunk[0..<got] }
        } else if err.count < 1 << 20 {
          err += chunk[0..<got]
        }
      }
    }
    return (out, err, false)
  }
}
