internal import Glibc

/// An exclusive `flock` on a cache entry's lock file, held until released or deinit.
///
/// Parallel lookups of one index (uv asks for several in parallel) queue here, so only
/// the first mints; the others find its entry once they hold the lock.
package final class CacheLock {
  private var fd: Int32

  private init(fd: Int32) { self.fd = fd }

  deinit { release() }

  /// Releases the lock (idempotent).
  package func release() {
    guard fd >= 0 else { return }
    flock(fd, LOCK_UN)
    close(fd)
    fd = -1
  }

  /// Takes the lock at `path`, waiting at most `timeout` seconds.
  ///
  /// A lock file that is not a regular file owned by the user is removed and made anew;
  /// if the file at `path` is replaced while waiting, the lock is taken again on the new one.
  package static func acquire(_ path: String, timeout: Double, owner: UInt32? = nil) throws(CacheError) -> CacheLock {
    let owner = owner ?? geteuid()
    let deadline = monotonicSeconds() + timeout
    var replaced = 0
    while true {
      if monotonicSeconds() > deadline {
        throw CacheError("Timed out after \(Int(timeout)) s waiting for the cache lock \(path).")
      }
      let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
      if fd < 0 {
        let code = errno
        if replaced < 2 && (code == ELOOP || code == EACCES || code == EPERM || code == ENXIO || code == EISDIR) {
          replaced += 1
          removeAny(path)
          continue
        }
        throw CacheError("Could not open the cache lock \(path): \(errnoText(code)).")
      }
      var st = stat()
      guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == owner else {
        close(fd)
        guard replaced < 2 else {
          throw CacheError("The cache lock \(path) is not a regular file of yours and could not be replaced.")
        }
        replaced += 1
        unlink(path)
        continue
      }
      if st.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
      while flock(fd, LOCK_EX | LOCK_NB) != 0 {
        let code = errno
        guard code == EWOULDBLOCK || code == EINTR else {
          close(fd)
          throw CacheError("Could not lock \(path): \(errnoText(code)).")
        }
        if monotonicSeconds() > deadline {
          close(fd)
          throw CacheError("Timed out after \(Int(timeout)) s waiting for another indexkey to finish with \(path).")
        }
        usleep(10_000)
      }
      // The file may have been removed or replaced (keyring clear, a bad file replaced)
      // while we waited: then this lock protects nothing; take the one now at `path`.
      var now = stat()
      if lstat(path, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev {
        return CacheLock(fd: fd)
      }
      flock(fd, LOCK_UN)
      close(fd)
    }
  }

  private static func removeAny(_ path: String) {
    if unlink(path) != 0 && errno == EISDIR { rmdir(path) }
  }
}
