import Glibc

extension CertificateCredential {
  /// Reads a certificate credential file, PEM or PKCS#12, told apart by content.
  ///
  /// This is what `AZURE_CLIENT_CERTIFICATE_PATH` points at: a PEM file with the
  /// key and certificate(s), or a `.pfx`/`.p12` file opened with `password`.
  package init(contentsOfFile path: String, password: Secret? = nil) throws {
    let bytes = try FileBytes.read(path)
    if Self.looksLikePEM(bytes) {
      try self.init(pem: String(decoding: bytes, as: UTF8.self), source: path)
    } else {
      try self.init(pkcs12: bytes, password: password, source: path)
    }
  }

  /// PEM is text with an armour line; PKCS#12 is DER and starts with a SEQUENCE tag.
  private static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
    let marker = Array("-----BEGIN".utf8)
    guard bytes.count >= marker.count, bytes.first != 0x30 else { return false }
    return (0...(bytes.count - marker.count)).contains {
      bytes[$0..<($0 + marker.count)].elementsEqual(marker)
    }
  }
}

/// Whole-file reads with errno turned into a ``CryptoError``.
enum FileBytes {
  /// The file's bytes; refuses anything that is not a regular file.
  static func read(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CryptoError.unreadableFile(path: path, reason: errnoText()) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw CryptoError.unreadableFile(path: path, reason: errnoText())
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw CryptoError.unreadableFile(path: path, reason: "it is not a regular file")
    }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw CryptoError.unreadableFile(path: path, reason: errnoText())
      }
      if count == 0 { return out }
      out.append(contentsOf: chunk[0..<count])
    }
  }

  private static func errnoText() -> String {
    String(cString: strerror(errno))
  }
}
