/// A client certificate with its RSA private key, as Entra ID certificate
/// credentials (`private_key_jwt`) need: the key signs the assertion and the
/// certificate's thumbprint (and optionally its chain) goes in the JWT header.
///
/// Load it from a PEM file that holds the private key and one or more
/// certificates in any order, or from PKCS#12 (`.pfx`/`.p12`) bytes. The leaf is
/// the certificate the key belongs to; a bundle where no certificate matches the
/// key is refused.
package struct CertificateCredential: Sendable {
  /// The private key, ready to sign.
  package let key: RSAPrivateKey
  /// DER of the certificate that belongs to ``key``.
  package let leafDER: [UInt8]
  /// DER of every certificate, leaf first, then the others in file order (`x5c`).
  package let chainDER: [[UInt8]]

  /// SHA-256 of the leaf's DER: the raw bytes behind `x5t#S256`.
  package var thumbprintSHA256: [UInt8] { Digest.sha256(leafDER) }
  /// SHA-1 of the leaf's DER: the raw bytes behind `x5t`.
  package var thumbprintSHA1: [UInt8] { Digest.sha1(leafDER) }

  /// Reads a PEM bundle: one private key and at least one certificate, any order.
  ///
  /// - Parameters:
  ///   - pem: the PEM text.
  ///   - source: where the text came from, for error messages.
  /// - Throws: ``CryptoError`` when the key or a certificate is missing, unreadable or mismatched.
  package init(pem: String, source: String = "the certificate PEM") throws {
    let blocks = PEMBlock.all(in: RSAPrivateKey.unescapedPEM(pem))
    guard let keyBlock = blocks.first(where: { Self.keyLabels.contains($0.label) }) else {
      throw CryptoError.missingPrivateKey(source: source)
    }
    let key = try RSAPrivateKey(pem: keyBlock.text, source: source)
    let certificates = try blocks.filter { Self.certificateLabels.contains($0.label) }.map {
      try OpenSSL.certificate(pem: $0.text, source: source)
    }
    try self.init(key: key, certificates: certificates, source: source)
  }

  /// Reads PKCS#12 (`.pfx`/`.p12`) bytes.
  ///
  /// - Parameters:
  ///   - pkcs12: the PKCS#12 bytes.
  ///   - password: the file's password; nil (or empty) tries the absent and the empty password.
  ///   - source: where the bytes came from, for error messages.
  /// - Throws: ``CryptoError`` when the bytes, the password, the key or the certificates are wrong.
  package init(pkcs12: [UInt8], password: Secret? = nil, source: String = "the PKCS#12 data") throws {
    let contents = try OpenSSL.pkcs12(pkcs12, password: password, source: source)
    guard let key = contents.key else { throw CryptoError.missingPrivateKey(source: source) }
    try self.init(key: key, certificates: contents.certificates, source: source)
  }

  /// Picks the leaf (the certificate `key` belongs to) and orders the chain.
  private init(key: RSAPrivateKey, certificates: [OpenSSL.X509Certificate], source: String) throws {
    guard !certificates.isEmpty else { throw CryptoError.missingCertificate(source: source) }
    guard let leafIndex = certificates.firstIndex(where: { $0.belongs(to: key) }) else {
      throw CryptoError.keyDoesNotMatchCertificate(source: source)
    }
    var chain = certificates.map(\.der)
    let leaf = chain.remove(at: leafIndex)
    self.key = key
    self.leafDER = leaf
    self.chainDER = [leaf] + chain
  }

  private static let keyLabels: Set<String> = [
    "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY",
  ]
  private static let certificateLabels: Set<String> = ["CERTIFICATE", "X509 CERTIFICATE"]
}
