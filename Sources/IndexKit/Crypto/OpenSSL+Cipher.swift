internal import COpenSSL

extension OpenSSL {
  /// The symmetric ciphers the encrypted files use: AES-128-CBC with PKCS#7 padding
  /// (Fernet) and AES-256-GCM (acct's `aesgcm256` plugin).
  enum Cipher {
    case aes128CBC, aes256GCM

    var evp: OpaquePointer? {
      switch self {
      case .aes128CBC: return EVP_aes_128_cbc()
      case .aes256GCM: return EVP_aes_256_gcm()
      }
    }
  }

  /// Encrypts with AES-128-CBC and PKCS#7 padding; `key` 16 bytes, `iv` 16 bytes.
  static func encryptCBC(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8] {
    let result = crypt(.aes128CBC, encrypt: true, plaintext, key: key, iv: iv)
    // Encrypting with a valid key and IV cannot fail unless libcrypto itself is broken.
    guard let result else { preconditionFailure("AES-128-CBC encryption failed: \(drainErrors())") }
    return result
  }

  /// Decrypts AES-128-CBC; nil when the padding is wrong or the length not a multiple of 16.
  static func decryptCBC(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
    let result = crypt(.aes128CBC, encrypt: false, ciphertext, key: key, iv: iv)
    if result == nil { _ = drainErrors() }
    return result
  }

  /// Encrypts with AES-256-GCM; returns the ciphertext followed by the 16-byte tag.
  static func sealGCM(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
    guard let sealed = gcm(encrypt: true, plaintext, key: key, nonce: nonce, tag: nil) else {
      preconditionFailure("AES-256-GCM encryption failed: \(drainErrors())")
    }
    return sealed
  }

  /// Decrypts AES-256-GCM `ciphertext ‖ tag`; nil when the tag does not verify.
  static func openGCM(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8]? {
    guard sealed.count >= 16 else { return nil }
    let result = gcm(encrypt: false, Array(sealed.dropLast(16)), key: key, nonce: nonce, tag: Array(sealed.suffix(16)))
    if result == nil { _ = drainErrors() }
    return result
  }

  /// Compares two byte strings in time that depends only on their length.
  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
    }
  }

  private static func crypt(_ cipher: Cipher, encrypt: Bool, _ input: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
    guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
    defer { EVP_CIPHER_CTX_free(ctx) }
    guard EVP_CipherInit_ex(ctx, cipher.evp, nil, key, iv, encrypt ? 1 : 0) == 1 else { return nil }
    return update(ctx, input)
  }

  private static func gcm(encrypt: Bool, _ input: [UInt8], key: [UInt8], nonce: [UInt8], tag: [UInt8]?) -> [UInt8]? {
    guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
    defer { EVP_CIPHER_CTX_free(ctx) }
    guard EVP_CipherInit_ex(ctx, Cipher.aes256GCM.evp, nil, nil, nil, encrypt ? 1 : 0) == 1,
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
      EVP_CipherInit_ex(ctx, nil, nil, key, nonce, -1) == 1
    else { return nil }
    if var tag {
      guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1 else { return nil }
    }
    guard var out = update(ctx, input) else { return nil }
    if encrypt {
      var produced = [UInt8](repeating: 0, count: 16)
      guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &produced) == 1 else { return nil }
      out += produced
    }
    return out
  }

  /// Runs update and final over `input` on a prepared context.
  private static func update(_ ctx: OpaquePointer, _ input: [UInt8]) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: input.count + 32)
    var written: Int32 = 0
    var total = 0
    let source = input.isEmpty ? [0] : input
    let ok = out.withUnsafeMutableBufferPointer { o -> Bool in
      guard EVP_CipherUpdate(ctx, o.baseAddress, &written, source, Int32(input.count)) == 1 else { return false }
      total = Int(written)
      guard EVP_CipherFinal_ex(ctx, o.baseAddress.map { $0 + total }, &written) == 1 else { return false }
      total += Int(written)
      return true
    }
    return ok ? Array(out.prefix(total)) : nil
  }
}
