internal import Glibc

/// The `keyring` link that makes pip and uv run indexkey as their keyring executable.
package enum KeyringLink {
  /// The name pip and uv look for on `PATH`.
  package static let name = "keyring"

  /// True when the program was started through a link named `keyring`.
  package static func isKeyringName(_ argv0: String?) -> Bool {
    guard let argv0 else { return false }
    return argv0.split(separator: "/").last == Substring(name)
  }

  /// The absolute path of the running executable.
  package static func currentExecutable() -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Creates `directory/keyring` → `executable` (and `directory` if missing).
  ///
  /// Says on `console` what was done, and warns when the directory is a virtualenv's
  /// scripts directory (pip skips a keyring there) or not on `PATH`.
  package static func install(into directory: String, executable: String, environment: Environment, console: Console)
    throws(SinkError)
  {
    let dir = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    try makeDirectory(dir)
    let link = "\(dir)/\(name)"
    var st = stat()
    if lstat(link, &st) == 0 {
      guard (st.st_mode & S_IFMT) == S_IFLNK, target(of: link) == executable else {
        throw SinkError("\(link) exists and is not a link to \(executable); remove it or choose another directory.")
      }
      console.err("indexkey: \(link) already links to \(executable).")
    } else {
      guard symlink(executable, link) == 0 else {
        throw SinkError("Could not create the link \(link): \(errnoText()).")
      }
      console.err("indexkey: created \(link) → \(executable); pip and uv run it with --keyring-provider subprocess.")
    }
    if let venv = virtualenv(containing: dir) {
      console.err(
        "indexkey: warning: \(dir) is the scripts directory of the virtualenv \(venv). pip skips a keyring executable that sits in its own environment's scripts directory, so pip run from this virtualenv will not use it (uv will). Install the link outside the virtualenv, e.g. in ~/.local/bin."
      )
    } else {
      console.err(
        "indexkey: keep this link outside the virtualenv you install into: pip skips a keyring executable in its own environment's scripts directory."
      )
    }
    let path = (environment["PATH"] ?? "").split(separator: ":").map {
      $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : String($0)
    }
    if !path.contains(dir) {
      console.err("indexkey: note: \(dir) is not on PATH; add it so pip and uv find `keyring`.")
    }
  }

  /// The virtualenv whose scripts directory `dir` is (it has `pyvenv.cfg` one level up).
  static func virtualenv(containing dir: String) -> String? {
    let parent = SecureFile.directory(of: dir)
    return FileIO.exists(parent + "/pyvenv.cfg") ? parent : nil
  }

  private static func target(of link: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(link, &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private static func makeDirectory(_ dir: String) throws(SinkError) {
    var path = dir.hasPrefix("/") ? "" : "."
    for part in dir.split(separator: "/") {
      path += "/" + part
      if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw SinkError("Could not create the directory \(path): \(errnoText()).")
      }
    }
  }
}
