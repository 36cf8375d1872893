internal import Glibc

/// A document a profile holds inline (a Google credentials JSON) handed to code that reads
/// a path: a file created 0600 and unlinked at once, kept open and named through
/// `/proc/self/fd/N`, so it never stays on disk and no other process can open it by name.
enum InlineDocument {
  static func path(for contents: String, environment: Environment) throws(ProfileError) -> String {
    let directories = ["/dev/shm", environment["XDG_RUNTIME_DIR"], environment["TMPDIR"], "/tmp"].compactMap { $0 }
    for directory in directories {
      let path = "\(directory)/.indexkey-inline-\(randomHex(8))"
      let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
      guard fd >= 0 else { continue }
      unlink(path)
      let bytes = Array(contents.utf8)
      var offset = 0
      while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
          close(fd)
          throw ProfileError(
            "Could not hold the profile's inline document in memory: \(errnoText()).", exitStatus: .output)
        }
        offset += n
      }
      return "/proc/self/fd/\(fd)"
    }
    throw ProfileError(
      "Could not hold the profile's inline document: no writable /dev/shm, XDG_RUNTIME_DIR, TMPDIR or /tmp.",
      exitStatus: .output)
  }
}
