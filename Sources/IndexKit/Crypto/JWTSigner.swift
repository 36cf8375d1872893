/// Builds compact JWS tokens (JWTs) signed with an RSA key.
///
/// The caller serialises the header and claims with the project's JSON type, so
/// this type never decides key order or number formats:
///
/// ```swift
/// let header = JSON.object(["alg": .string("PS256"), "typ": .string("JWT"),
///                           "x5t#S256": .string(Base64.encodeURL(cred.thumbprintSHA256))])
/// let jwt = try JWTSigner.sign(header: header.serialized(), claims: claims.serialized(),
///                              key: cred.key, alg: .ps256)
/// ```
package enum JWTSigner {
  /// Returns `b64url(header).b64url(claims).b64url(signature)`.
  ///
  /// - Parameters:
  ///   - header: the JOSE header as JSON text; its `alg` should match `alg`.
  ///   - claims: the claims set as JSON text.
  ///   - key: the RSA private key to sign with.
  ///   - alg: `.rs256` or `.ps256`.
  /// - Returns: the compact JWS: header, claims and signature, base64url-encoded and dot-separated.
  /// - Throws: ``CryptoError/signingFailed(algorithm:reason:)``.
  package static func sign(
    header: String, claims: String, key: RSAPrivateKey, alg: SignatureAlgorithm
  ) throws
    -> String
  {
    let signingInput =
      Base64.encodeURL(Array(header.utf8)) + "." + Base64.encodeURL(Array(claims.utf8))
    let signature = try key.sign(Array(signingInput.utf8), alg)
    return signingInput + "." + Base64.encodeURL(signature)
  }
}
