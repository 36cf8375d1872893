internal import Glibc

/// An output file that could not be written: exit 6.
package struct SinkError: UserFacingError, Equatable {
  package var message: String
  package init(_ message: String) { self.message = message }
  package var description: String { message }
  package var exitStatus: ExitStatus { .output }

  /// An existing file we were to edit is not the kind of document we edit: left untouched.
  static func notEditable(_ file: String, kind: String, problem: String) -> SinkError {
    SinkError(
      "Refusing to change \(file): it is not \(kind) (\(problem)), so indexkey left it untouched. Fix or move the file, or write to another path."
    )
  }
}

/// Credential files written the careful way: never through a symlink, 0600 from the
/// first byte, and atomically (temp file, fsync, rename) so a reader never sees half a file.
///
/// The file itself is never a symlink. Its directories are followed as given when the
/// user named the path; for a path indexkey chose itself below a directory it trusts
/// (`anchor`: the home directory, `XDG_CONFIG_HOME`), every directory below the anchor is
/// opened one by one with `O_NOFOLLOW`, so a symlink there is refused, and the file is
/// created and renamed relative to that open directory, so nothing can be swapped in between.
package enum SecureFile {
  /// Replaces `path` with `bytes`.
  /// - Parameters:
  ///   - path: the file to replace.
  ///   - bytes: its new contents.
  ///   - mode: the new file's permissions.
  ///   - anchor: a directory `path` lies below whose subdirectories must not be symlinks.
  /// - Throws: ``SinkError`` when the file cannot be written or moved into place safely.
  package static func replace(_ path: String, with bytes: [UInt8], mode: UInt32 = 0o600, below anchor: String? = nil)
    throws(SinkError)
  {
    let dir = directory(of: path)
    let base = path.split(separator: "/").last.map(String.init) ?? path
    let dfd = try openDirectory(dir, below: anchor, for: path)
    defer { close(dfd) }
    try refuseSymlinkOrSpecial(path, in: dfd, base)
    var attempt = 0
    var tempName = ""
    var fd: Int32 = -1
    while fd < 0 {
      attempt += 1
      tempName = ".\(base).indexkey-\(randomHex(6))"
      fd = openat(dfd, tempName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if fd < 0 && (errno != EEXIST || attempt > 5) {
        throw SinkError("Could not create a temporary file in \(dir) to write \(path): \(errnoText()).")
      }
    }
    var ok = false
    defer {
      if !ok { unlinkat(dfd, tempName, 0) }
    }
    do {
      defer { close(fd) }
      guard fchmod(fd, mode) == 0 else {
        throw SinkError("Could not set mode \(String(mode, radix: 8)) on \(dir)/\(tempName): \(errnoText()).")
      }
      try writeAll(fd, bytes, path: path)
      guard fsync(fd) == 0 else { throw SinkError("Could not flush \(path) to disk: \(errnoText()).") }
    }
    guard renameat(dfd, tempName, dfd, base) == 0 else {
      throw SinkError("Could not move the new \(path) into place: \(errnoText()).")
    }
    ok = true
    fsync(dfd)
  }

  /// `dir`, open.
  ///
  /// Below `anchor` each missing directory is made 0700 and each existing one opened with
  /// `O_NOFOLLOW`; elsewhere (or without an anchor) the path is followed as given.
  static func openDirectory(_ dir: String, below anchor: String?, for path: String) throws(SinkError) -> Int32 {
    let root = anchor.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    guard let root, dir == root || dir.hasPrefix(root == "/" ? "/" : root + "/") else {
      try makeDirectories(dir, for: path)
      let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      guard fd >= 0 else { throw SinkError("Could not open the directory \(dir) to write \(path): \(errnoText()).") }
      return fd
    }
    var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw SinkError("Could not open the directory \(root) to write \(path): \(errnoText()).") }
    var walked = root == "/" ? "" : root
    for component in dir.dropFirst(root.count).split(separator: "/").map(String.init) where component != "." {
      walked += "/" + component
      var next = component == ".." ? -1 : openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if next < 0 && errno == ENOENT && mkdirat(fd, component, 0o700) == 0 {
        next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      }
      let failure = errno
      close(fd)
      guard next >= 0 else {
        if component == ".." || failure == ELOOP || failure == ENOTDIR {
          throw SinkError(
            "Refusing to write \(path): \(walked) is a symbolic link or not a directory, and indexkey never writes through one. Give the file's real location (as --write NAME=PATH)."
          )
        }
        throw SinkError(
          "Could not open or create the directory \(walked) to write \(path): \(String(cString: strerror(failure))).")
      }
      fd = next
    }
    return fd
  }

  /// Appends to `path` (creating it 0600 if missing), as CI command files require.
  package static func append(_ path: String, _ bytes: [UInt8]) throws(SinkError) {
    try refuseSymlinkOrSpecial(path)
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw SinkError("Could not open \(path) to append: \(errnoText()).") }
    defer { close(fd) }
    try writeAll(fd, bytes, path: path)
    guard fsync(fd) == 0 else { throw SinkError("Could not flush \(path) to disk: \(errnoText()).") }
  }

  /// The bytes of an existing file, or nil when there is none.
  package static func existing(_ path: String) throws(SinkError) -> [UInt8]? {
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
    try refuseSymlinkOrSpecial(path, in: AT_FDCWD, path)
  }

  /// The same check for `name` inside the open directory `dfd`.
  static func refuseSymlinkOrSpecial(_ path: String, in dfd: Int32, _ name: String) throws(SinkError) {
    var st = stat()
    guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
    if (st.st_mode & S_IFMT) == S_IFLNK {
      throw SinkError(
        "Refusing to write \(path): it is a symbolic link. Remove the link or write to its target directly.")
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
