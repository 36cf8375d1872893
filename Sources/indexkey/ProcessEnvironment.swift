#if canImport(Glibc)
import Glibc
#endif

/// Reads the process environment once, at the edge.
enum ProcessEnvironment {
  static func read() -> [String: String] {
    var out: [String: String] = [:]
    var p = environ
    while let entry = p.pointee {
      let text = String(cString: entry)
      if let eq = text.firstIndex(of: "=") {
        out[String(text[..<eq])] = String(text[text.index(after: eq)...])
      }
      p += 1
    }
    return out
  }
}
