/// Everything the crypto layer can fail at, each case a full sentence.
///
/// Cases carry where the material came from (a path, or a phrase such as
/// "the GOOGLE_APPLICATION_CREDENTIALS key file") and OpenSSL's reason text,
/// never the key, password or certificate bytes themselves.
package enum CryptoError: Error, Equatable, CustomStringConvertible {
  /// A file could not be read at all.
  case unreadableFile(path: String, reason: String)
  /// OpenSSL could not parse a private key out of the given text.
  case invalidPrivateKey(source: String, reason: String)
  /// The private key parsed, but it is not an RSA key.
  case unsupportedKeyType(source: String, keyType: String)
  /// A PEM bundle holds certificates but no private key.
  case missingPrivateKey(source: String)
  /// A PEM bundle or PKCS#12 file holds no certificate.
  case missingCertificate(source: String)
  /// A certificate block could not be parsed.
  case invalidCertificate(source: String, reason: String)
  /// None of the certificates belongs to the private key.
  case keyDoesNotMatchCertificate(source: String)
  /// The PKCS#12 data could not be decoded at all.
  case invalidPKCS12(source: String, reason: String)
  /// The PKCS#12 data decoded, but the password did not open it.
  case wrongPKCS12Password(source: String, passwordGiven: Bool)
  /// OpenSSL refused to sign.
  case signingFailed(algorithm: String, reason: String)
  /// A request URL could not be split into host, path and query for signing
  /// (the value is the URL without its query).
  case unsignableURL(String)

  package var description: String {
    switch self {
    case .unreadableFile(let path, let reason):
      return "could not read \(path): \(reason)"
    case .invalidPrivateKey(let source, let reason):
      return "could not read a private key from \(source): \(reason)"
    case .unsupportedKeyType(let source, let keyType):
      return "the private key in \(source) is a \(keyType) key, but RS256 and PS256 need an RSA key"
    case .missingPrivateKey(let source):
      return
        "\(source) holds no private key; the credential file needs the certificate's private key too"
        + " (in PEM: a BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY block next to the certificate)"
    case .missingCertificate(let source):
      return "\(source) holds no certificate; the credential file needs the certificate too"
        + " (in PEM: a BEGIN CERTIFICATE block next to the private key)"
    case .invalidCertificate(let source, let reason):
      return "could not read a certificate from \(source): \(reason)"
    case .keyDoesNotMatchCertificate(let source):
      return "the private key in \(source) does not belong to any certificate in it;"
        + " check that the key and the certificate come from the same credential"
    case .invalidPKCS12(let source, let reason):
      return "could not read \(source) as a PKCS#12 (.pfx/.p12) file: \(reason)"
    case .wrongPKCS12Password(let source, let passwordGiven):
      return passwordGiven
        ? "the password given for \(source) does not open it; check the certificate password"
        : "\(source) is protected by a password, but none was given"
    case .signingFailed(let algorithm, let reason):
      return "could not sign with \(algorithm): \(reason)"
    case .unsignableURL(let url):
      return
        "could not sign the request to \(url): the URL has no https:// or http:// scheme and host"
    }
  }
}
