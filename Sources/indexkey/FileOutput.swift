#if canImport(Glibc)
import Glibc
#endif

/// Raw writes to the standard streams, for the few messages printed outside the library.
enum FileOutput {
  static func standardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let n = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      bytes = bytes.dropFirst(n)
    }
  }
}
