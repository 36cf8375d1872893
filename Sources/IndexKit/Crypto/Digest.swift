/// SHA-256, SHA-1 and HMAC-SHA-256 over bytes, backed by libcrypto.
///
/// Pass `Array(text.utf8)` or `text.utf8` to hash text.
package enum Digest {
  /// The 32-byte SHA-256 digest of `bytes`.
  package static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    OpenSSL.digest(Array(bytes), .sha256)
  }

  /// The 20-byte SHA-1 digest of `bytes` (only for certificate thumbprints, `x5t`).
  package static func sha1(_ bytes: some Sequence<UInt8>) -> [UInt8] {
    OpenSSL.digest(Array(bytes), .sha1)
  }

  /// The 32-byte HMAC-SHA-256 of `data` under `key`.
  package static func hmacSHA256(key: some Sequence<UInt8>, data: some Sequence<UInt8>) -> [UInt8] {
    OpenSSL.hmacSHA256(key: Array(key), data: Array(data))
  }
}

/// Hexadecimal text for digests and signatures.
package enum Hex {
  private static let digits = Array("0123456789abcdef".utf8)

  /// Lowercase hex, two characters per byte, no separators.
  package static func lower(_ bytes: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
