internal import Glibc

/// An output file that could not be written: exit 6.
public struct SinkError: UserFacingError, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
  public var exitStatus: ExitStatus { .output }

  /// An existing file we were to edit is not the kind of document we edit: left untouched.
  static func notEditable(_ file: String, kind: String, problem: String) -> SinkError {
    SinkError(
      "Refusing to change \(file): it is not \(kind) (\(problem)), so indexkey left it untouched. Fix or move the file, or write to another path.")
  }
}

/// Credential files written the careful way: never through a symlink, 0600 from the
/// first byte, and atomically (temp file, fsync, rename) so a reader never sees half a file.
public enum SecureFile {
  /// Replaces `path` with `bytes`.
  public static func replace(_ path: String, with bytes: [UInt8], mode: UInt32 = 0o600) throws(SinkError) {
    try refuseSymlinkOrSpecial(path)
    let dir = directory(of: path)
    try makeDirectories(dir, for: path)
    let base = path.split(separator: "/").last.map(String.init) ?? path
    var attempt = 0
    var tempPath = ""
    var fd: Int32 = -1
    while fd < 0 {
      attempt += 1
      tempPath = "\(dir)/.\(base).indexkey-\(randomHex(6))"
      fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if fd < 0 && (errno != EEXIST || attempt > 5) {
        throw SinkError("Could not create a temporary file in \(dir) to write \(path): \(errnoText()).")
      }
    }
    var ok = false
    defer {
      if !ok { unlink(tempPath) }
    }
    do {
      defer { close(fd) }
      guard fchmod(fd, mode) == 0 else { throw SinkError("Could not set mode \(String(mode, radix: 8)) on \(tempPath): \(errnoText()).") }
      try writeAll(fd, bytes, path: path)
      guard fsync(fd) == 0 else { throw SinkError("Could not flush \(path) to disk: \(errnoText()).") }
    }
    guard rename(tempPath, path) == 0 else {
      throw SinkError("Could not move the new \(path) into place: \(errnoText()).")
    }
    ok = true
    let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }

  /// Appends to `path` (creating it 0600 if missing), as CI command files require.
  public static func append(_ path: String, _ bytes: [UInt8]) throws(SinkError) {
    try refuseSymlinkOrSpecial(path)
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw SinkError("Could not open \(path) to append: \(errnoText()).") }
    defer { close(fd) }
    try writeAll(fd, bytes, path: path)
    guard fsync(fd) == 0 else { throw SinkError("Could not flush \(path) to disk: \(errnoText()).") }
  }

  /// The bytes of an existing file, or nil when there is none.
  public static func existing(_ path: String) throws(SinkError) -> [UInt8]? {
    try refuseSymlinkOrSpecial(path)
    guard FileIO.exists(path) else { return nil }
    do {
      return try FileIO.read(path)
    } catch {
      throw SinkError("Could not read the existing \(path) to merge with it: \(error.reason).")
    }
  }

  /// Creates a missing directory and its missing parents, 0700 (`~/.config/pip`).
  static func makeDirectories(_ dir: String, for path: String) throws(SinkError) {
    var st = stat()
    guard stat(dir, &st) != 0 else { return }
    let parent = directory(of: dir)
    if parent != dir && parent != "." { try makeDirectories(parent, for: path) }
    if mkdir(dir, 0o700) != 0 && errno != EEXIST {
      throw SinkError("Could not create the directory \(dir) to write \(path): \(errnoText()).")
    }
  }

  static func refuseSymlinkOrSpecial(_ path: String) throws(SinkError) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    if (st.st_mode & S_IFMT) == S_IFLNK {
      throw SinkError("Refusing to write \(path): it is a symbolic link. Remove the link or write to its target directly.")
    }
    if (st.st_mode & S_IFMT) != S_IFREG {
      throw SinkError("Refusing to write \(path): it is not a regular file.")
    }
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SinkError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buf in
        write(fd, buf.baseAddress.map { $0 + offset }, buf.count - offset)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw SinkError("Could not write \(path): \(errnoText()).")
      }
      offset += n
    }
  }
}

/// `count` random bytes as lower-case hex (temp names, heredoc delimiters).
func randomHex(_ count: Int) -> String {
  var g = SystemRandomNumberGenerator()
  return (0..<count).map { _ in
    let b = UInt8.random(in: 0...255, using: &g)
    return (b < 16 ? "0" : "") + String(b, radix: 16)
  }.joined()
}
