import Glibc
import Testing

/// Files under `Tests/IndexKitTests/Fixtures/`, found next to this source file.
enum CryptoFixture {
  static let root: String = {
    let file = #filePath
    let directory = file[..<(file.lastIndex(of: "/") ?? file.endIndex)]
    return directory + "/Fixtures"
  }()

  static func path(_ relative: String) -> String { root + "/" + relative }

  static func bytes(_ relative: String) -> [UInt8] {
    guard let file = fopen(path(relative), "rb") else {
      Issue.record("missing fixture \(relative)")
      return []
    }
    defer { fclose(file) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&chunk, 1, chunk.count, file)
      if count == 0 { return out }
      out.append(contentsOf: chunk[0..<count])
    }
  }

  static func text(_ relative: String) -> String {
    String(decoding: bytes(relative), as: UTF8.self)
  }

  static func exists(_ relative: String) -> Bool {
    access(path(relative), F_OK) == 0
  }

  /// Bytes from a hex string, ignoring `:` separators (openssl fingerprints).
  static func hexBytes(_ hex: some StringProtocol) -> [UInt8] {
    let digits = String(hex.filter(\.isHexDigit))
    var out: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
      let next = digits.index(index, offsetBy: 2)
      out.append(UInt8(digits[index..<next], radix: 16) ?? 0)
      index = next
    }
    return out
  }
}

@Suite struct CryptoFixtureTests {
  @Test func fixtureFoldersAreFoundFromTheSourceFile() {
    #expect(CryptoFixture.exists("crypto/README.md"))
  }

  @Test func hexBytesReadsFingerprintNotation() {
    #expect(CryptoFixture.hexBytes("0A:ff:10") == [0x0A, 0xFF, 0x10])
  }
}
