internal import Glibc

/// Whether this process's stdout goes straight into a CI job's log.
///
/// A CI runner reads a step's stdout and stderr on two pipes, one reader each, so a line
/// on stdout can be logged before a mask command written earlier on stderr: measured with
/// `Tests/EndToEnd/mask_order.py`, a secret printed on stdout was logged ahead of its
/// `::add-mask::` in about a quarter of runs. Where stdout is the log itself, the mask
/// commands go on stdout too, in front of what they mask (one pipe keeps the order).
/// Where stdout is captured (`$(indexkey token URL)`, `eval "$(…)"`, a pipe, a file),
/// nothing is added to it.
package enum CILog {
  /// The runners' worker processes, which hold the reading end of a step's stdout.
  static let workers: Set<String> = ["Runner.Worker", "Agent.Worker"]

  /// True when stdout is a pipe, not the one stderr is, whose reading end is held by an
  /// ancestor that is a CI runner's worker.
  ///
  /// Looks at most 32 ancestors; false on any doubt.
  package static func stdoutIsLog() -> Bool {
    var out = stat()
    var err = stat()
    guard fstat(1, &out) == 0, (out.st_mode & S_IFMT) == S_IFIFO else { return false }
    if fstat(2, &err) == 0 && err.st_dev == out.st_dev && err.st_ino == out.st_ino { return false }
    var pid = getppid()
    for _ in 0..<32 where pid > 1 {
      guard let (name, parent) = nameAndParent(pid) else { return false }
      if workers.contains(name) { return readsPipe(pid, inode: out.st_ino) }
      pid = parent
    }
    return false
  }

  /// `comm` and the parent pid from `/proc/PID/stat` (`PID (comm) S PPID …`).
  static func nameAndParent(_ pid: pid_t) -> (String, pid_t)? {
    guard let text = try? FileIO.readText("/proc/\(pid)/stat"), let open = text.firstIndex(of: "("),
      let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 1, let parent = pid_t(fields[1]) else { return nil }
    return (String(text[text.index(after: open)..<close]), parent)
  }

  /// True when `pid` has the pipe `inode` open for reading.
  static func readsPipe(_ pid: pid_t, inode: ino_t) -> Bool {
    guard let dir = opendir("/proc/\(pid)/fd") else { return false }
    defer { closedir(dir) }
    let target = "pipe:[\(inode)]"
    while let entry = readdir(dir) {
      let fd = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard fd.first?.isNumber == true else { continue }
      var buffer = [CChar](repeating: 0, count: 64)
      let n = readlink("/proc/\(pid)/fd/\(fd)", &buffer, buffer.count - 1)
      guard n > 0, String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == target else {
        continue
      }
      let info = (try? FileIO.readText("/proc/\(pid)/fdinfo/\(fd)")) ?? ""
      let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") }.flatMap {
        Int($0.dropFirst(6).trimmingSpaces, radix: 8)
      }
      if let flags, flags & Int(O_ACCMODE) == Int(O_RDONLY) { return true }
    }
    return false
  }
}
