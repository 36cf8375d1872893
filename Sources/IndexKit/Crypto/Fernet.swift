/// Fernet (the format acct and Python's `cryptography` write): a versioned, timestamped,
/// authenticated token over AES-128-CBC and HMAC-SHA-256.
///
/// `token = base64url(0x80 ‖ timestamp (8, big-endian) ‖ IV (16) ‖ ciphertext ‖ HMAC (32))`.
/// The MAC is checked, in constant time, before anything is decrypted. The timestamp is read
/// but imposes no age limit unless a `ttl` is given.
package enum Fernet {
  static let version: UInt8 = 0x80
  /// Version, timestamp, IV, one cipher block and the MAC.
  static let minimumLength = 1 + 8 + 16 + 16 + 32

  /// Encrypts `plaintext` under `key`, stamped with `now`.
  /// - Parameters:
  ///   - plaintext: the bytes to encrypt.
  ///   - key: the Fernet key.
  ///   - now: the timestamp to stamp.
  ///   - iv: a fixed IV for test vectors; random otherwise.
  /// - Returns: the Fernet token.
  package static func encrypt(_ plaintext: [UInt8], key: FernetKey, now: UnixTime, iv: [UInt8]? = nil) -> String {
    let iv = iv ?? SecureRandom.bytes(16)
    precondition(iv.count == 16, "a Fernet IV is 16 bytes")
    var body: [UInt8] = [version]
    let seconds = UInt64(max(0, now.rounded(.down)))
    for shift in stride(from: 56, through: 0, by: -8) {
      body.append(UInt8(truncatingIfNeeded: seconds >> UInt64(shift)))
    }
    body += iv
    body += OpenSSL.encryptCBC(plaintext, key: key.encryption, iv: iv)
    body += OpenSSL.hmacSHA256(key: key.signing, data: body)
    return Base64.encodeURLPadded(body)
  }

  /// Verifies and decrypts a token.
  /// - Parameters:
  ///   - token: the Fernet token.
  ///   - key: the Fernet key.
  ///   - ttl: when given, a token older than this many seconds (or more than a minute in
  ///     the future) is refused.
  ///   - now: the current time, for `ttl`.
  /// - Returns: the plaintext and the token's timestamp.
  /// - Throws: ``FernetError`` when the token is malformed, damaged, under another key or out of date.
  package static func decrypt(_ token: String, key: FernetKey, ttl: Double? = nil, now: UnixTime = 0)
    throws(FernetError) -> (plaintext: [UInt8], timestamp: UInt64)
  {
    let text = token.trimmingSpaces
    guard text.utf8.count % 4 == 0, text.utf8.allSatisfy(Base64.isURLSafeCharacter), let bytes = Base64.decode(text)
    else {
      throw .notBase64
    }
    guard bytes.count >= minimumLength else { throw .truncated }
    guard bytes[0] == version else { throw .wrongVersion(bytes[0]) }
    let mac = Array(bytes.suffix(32))
    let signed = Array(bytes.dropLast(32))
    guard OpenSSL.constantTimeEqual(OpenSSL.hmacSHA256(key: key.signing, data: signed), mac) else {
      throw .wrongKeyOrDamaged
    }
    let timestamp = signed[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    if let ttl {
      let stamped = Double(timestamp)
      if stamped + ttl < now { throw .expired }
      if stamped > now + 60 { throw .fromTheFuture }
    }
    let iv = Array(signed[9..<25])
    let ciphertext = Array(signed[25...])
    guard ciphertext.count % 16 == 0 else { throw .badLength }
    guard let plaintext = OpenSSL.decryptCBC(ciphertext, key: key.encryption, iv: iv) else { throw .badPadding }
    return (plaintext, timestamp)
  }
}

/// A Fernet key: 32 bytes, the first 16 sign and the last 16 encrypt; written as URL-safe
/// base64 (44 characters ending in `=`).
package struct FernetKey: Sendable, Equatable {
  let signing: [UInt8]
  let encryption: [UInt8]

  /// Reads the URL-safe base64 form (surrounding whitespace is ignored).
  package init(encoded: Secret) throws(FernetError) {
    let text = encoded.revealed.trimmingSpaces
    guard text.utf8.count == 44, text.utf8.allSatisfy(Base64.isURLSafeCharacter), let bytes = Base64.decode(text),
      bytes.count == 32
    else {
      throw .malformedKey
    }
    self.init(bytes: bytes)
  }

  init(bytes: [UInt8]) {
    signing = Array(bytes.prefix(16))
    encryption = Array(bytes.suffix(16))
  }

  /// A new random key.
  package static func generate() -> FernetKey { FernetKey(bytes: SecureRandom.bytes(32)) }

  /// The URL-safe base64 form, as `acct encrypt` prints it.
  package var encoded: Secret { Secret(Base64.encodeURLPadded(signing + encryption)) }
}

/// Why a Fernet key or token was refused.
///
/// Each description completes "… because …".
package enum FernetError: Error, Equatable, CustomStringConvertible {
  case malformedKey
  case notBase64
  case truncated
  case wrongVersion(UInt8)
  case wrongKeyOrDamaged
  case expired
  case fromTheFuture
  case badLength
  case badPadding

  package var description: String {
    switch self {
    case .malformedKey:
      return
        "the key is not a Fernet key (32 bytes in URL-safe base64: 44 characters ending in '=', as acct encrypt prints it)"
    case .notBase64:
      return "the file is not a Fernet token (it is not URL-safe base64 with its padding)"
    case .truncated:
      return "the Fernet token is too short to be complete (truncated?)"
    case .wrongVersion(let byte):
      return "the token's version byte is 0x\(String(byte, radix: 16)), not Fernet's 0x80"
    case .wrongKeyOrDamaged:
      return
        "its signature does not match: the key is not the one it was encrypted with, or the file was changed or damaged"
    case .expired:
      return "the token is older than the time it may be used for"
    case .fromTheFuture:
      return "the token is stamped more than a minute in the future (check the clock)"
    case .badLength:
      return "the encrypted part is not a whole number of AES blocks (the file was damaged)"
    case .badPadding:
      return "the decrypted data has invalid padding (the file was damaged)"
    }
  }
}

extension Base64 {
  /// URL-safe alphabet with `=` padding (Fernet keys and tokens).
  static func encodeURLPadded(_ bytes: [UInt8]) -> String {
    var text = encodeURL(bytes)
    while text.utf8.count % 4 != 0 { text += "=" }
    return text
  }

  static func isURLSafeCharacter(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"),
      UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="):
      return true
    default:
      return false
    }
  }
}
