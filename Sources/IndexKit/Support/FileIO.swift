internal import Glibc

/// A file that could not be read.
package struct FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
  package var path: String
  package var reason: String

  package var description: String { "could not read \(path): \(reason)" }
}

/// Small, Foundation-free file reading.
package enum FileIO {
  /// Reads a whole regular file (up to `limit` bytes).
  package static func read(_ path: String, limit: Int = 4 << 20) throws(FileReadError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(path: path, reason: errnoText()) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw FileReadError(path: path, reason: errnoText()) }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileReadError(path: path, reason: "not a regular file") }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw FileReadError(path: path, reason: errnoText())
      }
      if n == 0 { break }
      out += chunk[0..<n]
      if out.count > limit { throw FileReadError(path: path, reason: "larger than \(limit / 1024) KiB") }
    }
    return out
  }

  /// Reads a file as UTF-8 text.
  package static func readText(_ path: String) throws(FileReadError) -> String {
    String(decoding: try read(path), as: UTF8.self)
  }

  /// Whether something exists at `path` (without following a final symlink).
  package static func exists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
  }

  /// Expands a leading `~/` with `home`.
  package static func expandTilde(_ path: String, home: String?) -> String {
    guard let home, path == "~" || path.hasPrefix("~/") else { return path }
    return home + path.dropFirst()
  }
}

/// The current `errno` as text.
func errnoText(_ code: Int32 = errno) -> String {
  String(cString: strerror(code))
}

extension String {
  /// The text a C function wrote into `buffer`, up to its first NUL.
  init(cBuffer buffer: [CChar]) {
    self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
