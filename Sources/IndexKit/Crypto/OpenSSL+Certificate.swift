internal import COpenSSL

extension OpenSSL {
  /// One parsed X.509 certificate, owning its `X509 *`, with its DER encoding.
  final class X509Certificate {
    let x509: OpaquePointer
    let der: [UInt8]

    /// Takes ownership of `x509` and encodes it to DER (empty if that fails,
    /// which ``certificate(pem:source:)`` and ``pkcs12(_:password:source:)`` check).
    init(taking x509: OpaquePointer) {
      self.x509 = x509
      let length = i2d_X509(x509, nil)
      var out = [UInt8](repeating: 0, count: Int(max(length, 0)))
      let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
        guard length > 0 else { return 0 }
        var cursor = buffer.baseAddress
        return i2d_X509(x509, &cursor)
      }
      der = Array(out.prefix(Int(max(written, 0))))
    }

    deinit {
      X509_free(x509)
    }

    /// Whether `key` is the private half of this certificate's public key.
    func belongs(to key: RSAPrivateKey) -> Bool {
      let matches = X509_check_private_key(x509, key.pkey) == 1
      if !matches { _ = OpenSSL.drainErrors() }  // "key values mismatch" is an answer, not an error
      return matches
    }
  }

  /// Parses one PEM `CERTIFICATE` block.
  static func certificate(pem block: String, source: String) throws -> X509Certificate {
    let failure = CryptoError.invalidCertificate(
      source: source, reason: "the certificate block is empty")
    let x509 = try withMemoryBIO(Array(block.utf8), orThrow: failure) { bio in
      PEM_read_bio_X509(bio, nil, nil, nil)
    }
    guard let x509 else {
      throw CryptoError.invalidCertificate(source: source, reason: drainErrors())
    }
    let certificate = X509Certificate(taking: x509)
    try check(!certificate.der.isEmpty) { .invalidCertificate(source: source, reason: $0) }
    return certificate
  }

  /// What a PKCS#12 file holds: its private key (if any) and its certificates.
  struct PKCS12Contents {
    var key: RSAPrivateKey?
    var certificates: [X509Certificate]
  }

  /// Decodes a PKCS#12 (`.pfx`/`.p12`) file and opens it with `password`.
  ///
  /// With no password, both the absent and the empty password are tried, as
  /// OpenSSL and Windows write either for "no password".
  static func pkcs12(_ bytes: [UInt8], password: Secret?, source: String) throws -> PKCS12Contents {
    let empty = CryptoError.invalidPKCS12(source: source, reason: "the file is empty")
    let decoded = try withMemoryBIO(bytes, orThrow: empty) { bio in d2i_PKCS12_bio(bio, nil) }
    guard let p12 = decoded else {
      throw CryptoError.invalidPKCS12(source: source, reason: drainErrors())
    }
    defer { PKCS12_free(p12) }

    let pass = try macPassword(p12, password, source: source)
    var pkey: OpaquePointer?
    var leaf: OpaquePointer?
    var extra: OpaquePointer?
    let parsed = withOptionalCString(pass) { PKCS12_parse(p12, $0, &pkey, &leaf, &extra) == 1 }
    defer { copenssl_x509_stack_free(extra) }
    guard parsed else {
      throw CryptoError.invalidPKCS12(source: source, reason: pkcs12Reason(drainErrors()))
    }

    // Wrap every handle before anything can throw, so each is freed exactly once.
    var certificates: [X509Certificate] = []
    if let leaf { certificates.append(X509Certificate(taking: leaf)) }
    for index in 0..<copenssl_x509_stack_count(extra) {
      // The stack keeps its reference (freed by the defer above); take our own.
      guard let cert = copenssl_x509_stack_value(extra, index), X509_up_ref(cert) == 1 else {
        continue
      }
      certificates.append(X509Certificate(taking: cert))
    }
    let key = try pkey.map { try RSAPrivateKey(taking: $0, source: source) }
    for certificate in certificates where certificate.der.isEmpty {
      throw CryptoError.invalidCertificate(source: source, reason: drainErrors())
    }
    return PKCS12Contents(key: key, certificates: certificates)
  }

  /// The password that opens the file's integrity MAC, or a wrong-password error.
  private static func macPassword(_ p12: OpaquePointer, _ password: Secret?, source: String) throws
    -> String?
  {
    let given = password.map(\.revealed) ?? ""
    guard PKCS12_mac_present(p12) == 1 else { return given.isEmpty ? nil : given }
    let candidates: [String?] = given.isEmpty ? [nil, ""] : [given]
    for candidate in candidates {
      let ok = withOptionalCString(candidate) {
        PKCS12_verify_mac(p12, $0, candidate == nil ? 0 : -1) == 1
      }
      if ok { return candidate }
    }
    _ = drainErrors()
    throw CryptoError.wrongPKCS12Password(source: source, passwordGiven: !given.isEmpty)
  }

  /// Adds a way out when OpenSSL 3 lacks the cipher (RC2-40 of older exports).
  private static func pkcs12Reason(_ reason: String) -> String {
    guard reason.contains("unsupported") else { return reason }
    return reason
      + " (the file uses a legacy cipher such as RC2 that OpenSSL 3 leaves off; re-export it, e.g. "
      + "openssl pkcs12 -legacy -in old.pfx -nodes -out both.pem && openssl pkcs12 -export -in both.pem -out new.pfx)"
  }

  private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R)
    -> R
  {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
  }
}
