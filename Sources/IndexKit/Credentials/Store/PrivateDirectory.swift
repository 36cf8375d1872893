internal import Glibc

/// A directory only its owner may enter (0700), for the store and its key file.
enum PrivateDirectory {
  /// Creates `path` (and missing parents) 0700, or checks the existing one: a real directory
  /// of the user; group and other access is removed.
  static func prepare(_ path: String) throws(SinkError) {
    var st = stat()
    if lstat(path, &st) != 0 {
      var partial = ""
      for part in path.split(separator: "/") {
        partial += "/" + part
        if mkdir(partial, 0o700) != 0 && errno != EEXIST {
          throw SinkError("Could not create the directory \(partial): \(errnoText()).")
        }
      }
      guard lstat(path, &st) == 0 else { throw SinkError("Could not inspect \(path): \(errnoText()).") }
    }
    guard (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid() else {
      throw SinkError("\(path) is not a directory of yours (a symbolic link, a file or another user's); remove it.")
    }
    if st.st_mode & 0o077 != 0 && chmod(path, 0o700) != 0 {
      throw SinkError("\(path) is open to other users and could not be made private: \(errnoText()).")
    }
  }
}
