/// A certificate client assertion for Entra ID (`private_key_jwt`, PROTOCOLS.md §4b).
///
/// Each request gets a new assertion: `aud` the exact token endpoint, `iss` = `sub` =
/// the client id, a fresh `jti`, `nbf`/`iat` now and `exp` ten minutes later. Signed
/// PS256 with the certificate's SHA-256 thumbprint in `x5t#S256` (what Entra documents
/// today), or RS256 with the SHA-1 thumbprint in `x5t` for tenants and tools that still
/// expect it. With `sendChain`, the certificates go in `x5c` (subject name + issuer
/// authentication).
package struct EntraCertificate: Sendable {
  package enum Style: Sendable, Equatable {
    /// PS256 with `x5t#S256`.
    case ps256
    /// RS256 with `x5t` (SHA-1).
    case rs256
  }

  package var credential: CertificateCredential
  package var style: Style
  package var sendChain: Bool
  /// Where the certificate came from, for messages.
  package var source: String
  package var lifetime: Double = 600

  package init(credential: CertificateCredential, style: Style = .ps256, sendChain: Bool = false, source: String) {
    self.credential = credential
    self.style = style
    self.sendChain = sendChain
    self.source = source
  }

  /// Reads `AZURE_CLIENT_CERTIFICATE_PATH` (PEM with key and certificate, or PKCS#12
  /// opened with `AZURE_CLIENT_CERTIFICATE_PASSWORD`).
  package static func load(path: String, password: Secret?, style: Style, sendChain: Bool) throws(ConfigError)
    -> EntraCertificate
  {
    do {
      let credential = try CertificateCredential(contentsOfFile: path, password: password)
      return EntraCertificate(
        credential: credential, style: style, sendChain: sendChain, source: "AZURE_CLIENT_CERTIFICATE_PATH (\(path))")
    } catch let error as CryptoError {
      throw ConfigError("Could not use the certificate in AZURE_CLIENT_CERTIFICATE_PATH: \(error.description).")
    } catch {
      throw ConfigError("Could not use the certificate in AZURE_CLIENT_CERTIFICATE_PATH: \(error).")
    }
  }

  /// The SHA-1 thumbprint as the Azure portal lists it (upper-case hex).
  package var portalThumbprint: String { Hex.lower(credential.thumbprintSHA1).uppercased() }

  /// A signed assertion for `clientID` at `tokenEndpoint`, valid from `now`.
  package func assertion(clientID: String, tokenEndpoint: String, now: UnixTime) throws(ConfigError) -> Secret {
    var header: [(String, JSON)]
    switch style {
    case .ps256:
      header = [
        ("alg", .string("PS256")), ("typ", .string("JWT")),
        ("x5t#S256", .string(Base64.encodeURL(credential.thumbprintSHA256))),
      ]
    case .rs256:
      header = [
        ("alg", .string("RS256")), ("typ", .string("JWT")),
        ("x5t", .string(Base64.encodeURL(credential.thumbprintSHA1))),
      ]
    }
    if sendChain {
      header.append(("x5c", .array(credential.chainDER.map { .string(Base64.encode($0)) })))
    }
    let issued = Int64(now.rounded(.down))
    let claims: JSON = .object([
      ("aud", .string(tokenEndpoint)),
      ("iss", .string(clientID)),
      ("sub", .string(clientID)),
      ("jti", .string(SecureRandom.uuid())),
      ("nbf", .integer(issued)),
      ("iat", .integer(issued)),
      ("exp", .integer(issued + Int64(lifetime))),
    ])
    do {
      let jwt = try JWTSigner.sign(
        header: JSON.object(header).serialized(), claims: claims.serialized(), key: credential.key,
        alg: style == .ps256 ? .ps256 : .rs256)
      return Secret(jwt)
    } catch {
      throw ConfigError("Could not sign the Entra client assertion with the certificate from \(source): \(error).")
    }
  }
}
