internal import COpenSSL

/// Namespace for the code that talks to libcrypto.
///
/// Only `OpenSSL+*.swift` files import COpenSSL; everything else in the crypto
/// layer goes through here.
enum OpenSSL {
  /// Empties this thread's OpenSSL error queue and returns its reasons as one line.
  ///
  /// Reason strings come from OpenSSL's tables ("bad decrypt", "unsupported"),
  /// never from the data being parsed, so they are safe in messages.
  static func drainErrors(fallback: String = "no reason given by OpenSSL") -> String {
    var reasons: [String] = []
    while true {
      let code = ERR_get_error()
      if code == 0 { break }
      let text = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error code \(code)"
      if !reasons.contains(text) { reasons.append(text) }
    }
    return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
  }

  /// Every libcrypto status goes through here: unless `ok`, throws the error that
  /// `make` builds from the queued OpenSSL reasons (and so empties the queue).
  static func check(_ ok: Bool, _ make: (String) -> CryptoError) throws {
    if !ok { throw make(drainErrors()) }
  }

  /// Runs `body` with a read-only memory BIO over `bytes`.
  ///
  /// `BIO_new_mem_buf` does not copy, so the BIO never leaves this call.
  static func withMemoryBIO<R>(
    _ bytes: [UInt8], orThrow failure: CryptoError, _ body: (OpaquePointer) throws -> R
  ) throws -> R {
    guard !bytes.isEmpty else { throw failure }
    return try bytes.withUnsafeBytes { raw in
      guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw failure }
      defer { BIO_free(bio) }
      return try body(bio)
    }
  }
}
