/// The bytes of an acct file and the data inside: what `acct encrypt` writes.
///
/// acct serialises the data with a serial plugin (msgpack by default, or json) and encrypts
/// the bytes with a crypto plugin (fernet by default: a Fernet token as text; or aesgcm256:
/// a 12-byte nonce then AES-256-GCM ciphertext and tag, under a standard-base64 32-byte key).
/// indexkey reads all four combinations and writes fernet over msgpack, as acct does by default.
package enum AcctFile {
  package enum CryptoPlugin: String, Sendable { case fernet, aesgcm256 }
  package enum SerialPlugin: String, Sendable { case msgpack, json }

  /// The data, and the plugins the file was written with.
  package struct Contents: Sendable {
    package var data: JSON
    package var crypto: CryptoPlugin
    package var serial: SerialPlugin
  }

  /// Decrypts and deserialises.
  ///
  /// Errors complete "The profile file X …".
  package static func open(_ bytes: [UInt8], key: Secret) throws(ProfileError) -> Contents {
    let crypto = looksLikeFernet(bytes) ? CryptoPlugin.fernet : .aesgcm256
    let plaintext: [UInt8]
    switch crypto {
    case .fernet:
      let fernetKey: FernetKey
      do { fernetKey = try FernetKey(encoded: key) } catch {
        throw ProfileError("cannot be opened with ACCT_KEY: \(error.description)")
      }
      do {
        plaintext = try Fernet.decrypt(String(decoding: bytes, as: UTF8.self), key: fernetKey).plaintext
      } catch {
        throw ProfileError("cannot be decrypted with ACCT_KEY: \(error.description)")
      }
    case .aesgcm256:
      guard let raw = Base64.decode(key.revealed.trimmingSpaces), raw.count == 32 else {
        throw ProfileError(
          "is not a Fernet token, so it would be acct's aesgcm256 format, whose key is 32 bytes in standard base64; ACCT_KEY is not such a key (is this an acct file?)"
        )
      }
      guard bytes.count >= 12 + 16,
        let opened = OpenSSL.openGCM(Array(bytes.dropFirst(12)), key: raw, nonce: Array(bytes.prefix(12)))
      else {
        throw ProfileError(
          "cannot be decrypted as acct's aesgcm256 format with ACCT_KEY: the key is not the one it was encrypted with, or the file was changed, damaged or is not an acct file"
        )
      }
      plaintext = opened
    }
    switch plaintext.first {
    case .some(0x80...0x8f), .some(0xde), .some(0xdf):
      return Contents(data: try Msgpack.decode(plaintext), crypto: crypto, serial: .msgpack)
    case .some(UInt8(ascii: "{")):
      do {
        return Contents(
          data: try JSON(parsing: plaintext, document: "the decrypted data"), crypto: crypto, serial: .json)
      } catch {
        throw ProfileError.plaintext("looks like acct's json serial form but does not parse: \(error.description)")
      }
    default:
      throw ProfileError.plaintext(
        "is neither a msgpack map (acct's msgpack serial plugin) nor a JSON object (its json plugin)")
    }
  }

  /// Fernet over msgpack: what `acct encrypt` writes by default.
  package static func seal(_ data: JSON, key: FernetKey, now: UnixTime) -> [UInt8] {
    Array(Fernet.encrypt(Msgpack.encode(data), key: key, now: now).utf8)
  }

  /// A Fernet token is URL-safe base64 text (aesgcm256 files are binary).
  static func looksLikeFernet(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self).trimmingSpaces.utf8
    return !text.isEmpty && text.allSatisfy(Base64.isURLSafeCharacter)
  }
}
