/// Cryptographically secure random values.
package enum SecureRandom {
  /// `count` random bytes; stops the process only if the system CSPRNG fails.
  package static func bytes(_ count: Int) -> [UInt8] {
    OpenSSL.randomBytes(count)
  }

  /// A random (version 4) UUID in lowercase, as used for JWT `jti` claims.
  package static func uuid() -> String {
    var b = bytes(16)
    b[6] = (b[6] & 0x0F) | 0x40  // version 4
    b[8] = (b[8] & 0x3F) | 0x80  // RFC 4122 variant
    let hex = Hex.lower(b)
    let cut = [8, 12, 16, 20]
    var out = ""
    for (i, c) in hex.enumerated() {
      if cut.contains(i) { out.append("-") }
      out.append(c)
    }
    return out
  }
}
