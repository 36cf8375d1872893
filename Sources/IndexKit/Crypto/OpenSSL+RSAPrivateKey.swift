internal import COpenSSL

/// An RSA private key held by libcrypto, used to sign RS256 and PS256 JWTs.
///
/// Reads PKCS#1 (`BEGIN RSA PRIVATE KEY`) and PKCS#8 (`BEGIN PRIVATE KEY`) PEM,
/// including the `private_key` string of a Google service-account key file
/// (with real newlines, or with the two-character `\n` escapes left in).
/// Encrypted keys are refused rather than prompting for a passphrase.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never modified after loading, and
/// OpenSSL 3 allows concurrent signing with one key as long as each signature
/// uses its own `EVP_MD_CTX`, which ``sign(_:_:)`` does.
package final class RSAPrivateKey: @unchecked Sendable {
  /// The owned `EVP_PKEY *`, freed in `deinit`.
  let pkey: OpaquePointer

  /// Parses a PEM private key.
  ///
  /// - Parameters:
  ///   - pem: the PEM text.
  ///   - source: where the text came from, for error messages ("/path/key.pem").
  /// - Throws: ``CryptoError/invalidPrivateKey(source:reason:)`` or
  ///   ``CryptoError/unsupportedKeyType(source:keyType:)``.
  package convenience init(pem: String, source: String = "the PEM text") throws {
    let text = Self.unescapedPEM(pem)
    if let reason = Self.refusal(for: text) {
      throw CryptoError.invalidPrivateKey(source: source, reason: reason)
    }
    let failure = CryptoError.invalidPrivateKey(source: source, reason: "the text is empty")
    let loaded = try OpenSSL.withMemoryBIO(Array(text.utf8), orThrow: failure) { bio in
      // A password callback that supplies nothing: never prompt on the terminal.
      PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
    }
    guard let loaded else {
      throw CryptoError.invalidPrivateKey(source: source, reason: OpenSSL.drainErrors())
    }
    try self.init(taking: loaded, source: source)
  }

  /// Takes ownership of `pkey` (freeing it if it is not an RSA key).
  init(taking pkey: OpaquePointer, source: String) throws {
    guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
      let name = EVP_PKEY_get0_type_name(pkey).map { String(cString: $0) } ?? "non-RSA"
      EVP_PKEY_free(pkey)
      throw CryptoError.unsupportedKeyType(source: source, keyType: name)
    }
    self.pkey = pkey
  }

  deinit {
    EVP_PKEY_free(pkey)
  }

  /// The modulus size in bits (2048, 3072, 4096, …).
  package var bitCount: Int { Int(EVP_PKEY_get_bits(pkey)) }

  /// Signs `message` (not a digest: SHA-256 is applied here).
  ///
  /// `.rs256` is PKCS#1 v1.5 and deterministic; `.ps256` is PSS with MGF1-SHA-256
  /// and a salt as long as the digest, so every call gives a different signature.
  package func sign(_ message: [UInt8], _ alg: SignatureAlgorithm) throws -> [UInt8] {
    let fail = { (reason: String) in CryptoError.signingFailed(algorithm: alg.name, reason: reason)
    }
    guard let ctx = EVP_MD_CTX_new() else { throw fail("out of memory") }
    defer { EVP_MD_CTX_free(ctx) }
    var pctx: OpaquePointer?
    try OpenSSL.check(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nil, pkey) == 1, fail)
    if alg == .ps256 {
      try OpenSSL.check(copenssl_set_pss(pctx) > 0, fail)
      try OpenSSL.check(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0, fail)
    }
    // EVP_DigestSign wants a real pointer even for an empty message.
    let input = message.isEmpty ? [0] : message
    var length = 0
    try input.withUnsafeBufferPointer { m in
      try OpenSSL.check(EVP_DigestSign(ctx, nil, &length, m.baseAddress, message.count) == 1, fail)
    }
    var signature = [UInt8](repeating: 0, count: length)
    try input.withUnsafeBufferPointer { m in
      try signature.withUnsafeMutableBufferPointer { s in
        try OpenSSL.check(
          EVP_DigestSign(ctx, s.baseAddress, &length, m.baseAddress, message.count) == 1, fail)
      }
    }
    return Array(signature.prefix(length))
  }

  /// Turns literal `\n` escapes into newlines when the text has no real ones
  /// (a `private_key` value pasted from JSON without decoding), and trims.
  static func unescapedPEM(_ text: String) -> String {
    var out = text
    if !out.contains("\n") && out.contains("\\n") {
      out = out.replacing("\\n", with: "\n")
    }
    var trimmed = Substring(out)
    while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
    while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
    return String(trimmed)
  }

  /// A clearer reason than OpenSSL's for the inputs we can recognise up front.
  private static func refusal(for text: String) -> String? {
    if !text.contains("-----BEGIN") {
      return
        "no PEM block was found (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"
    }
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
      || text.contains("Proc-Type: 4,ENCRYPTED")
    {
      return
        "the key is encrypted with a passphrase; decrypt it first (openssl pkey -in key.pem -out plain.pem)"
    }
    return nil
  }
}
