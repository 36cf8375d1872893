/// The JWS algorithms an ``RSAPrivateKey`` can sign with.
package enum SignatureAlgorithm: String, Sendable, Equatable, CaseIterable {
  /// RSASSA-PKCS1-v1_5 with SHA-256 (deterministic).
  case rs256 = "RS256"
  /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (randomised).
  case ps256 = "PS256"

  /// The JOSE `alg` header value.
  package var name: String { rawValue }
}
