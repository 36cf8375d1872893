import COpenSSL
import IndexKit
import Testing

/// Verifies with libcrypto directly, independent of the code under test.
private func verify(
  _ signature: [UInt8], of message: [UInt8], publicKeyPEM: String, _ alg: SignatureAlgorithm
)
  -> Bool
{
  let pem = Array(publicKeyPEM.utf8)
  return pem.withUnsafeBytes { raw -> Bool in
    guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return false }
    defer { BIO_free(bio) }
    guard let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else { return false }
    defer { EVP_PKEY_free(key) }
    guard let ctx = EVP_MD_CTX_new() else { return false }
    defer { EVP_MD_CTX_free(ctx) }
    var pctx: OpaquePointer?
    guard EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nil, key) == 1 else { return false }
    if alg == .ps256 {
      // Salt length "digest" makes OpenSSL insist on a 32-byte salt, not just accept any.
      guard copenssl_set_pss(pctx) > 0, EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0 else {
        return false
      }
    }
    let ok = EVP_DigestVerify(ctx, signature, signature.count, message, message.count) == 1
    ERR_clear_error()
    return ok
  }
}

@Suite struct CryptoRSATests {
  let message = CryptoFixture.bytes("crypto/message.txt")
  let publicKey = CryptoFixture.text("crypto/rsa-public.pem")

  @Test(arguments: ["crypto/rsa-pkcs1.pem", "crypto/rsa-pkcs8.pem"])
  func rs256MatchesOpenSSLCommandLineSignature(keyFile: String) throws {
    let key = try RSAPrivateKey(pem: CryptoFixture.text(keyFile), source: keyFile)
    #expect(key.bitCount == 2048)
    // message.rs256.sig is `openssl dgst -sha256 -sign rsa-pkcs1.pem message.txt`.
    #expect(try key.sign(message, .rs256) == CryptoFixture.bytes("crypto/message.rs256.sig"))
  }

  @Test func ps256VerifiesWithPSSSaltOfDigestLengthAndIsRandomised() throws {
    let key = try RSAPrivateKey(pem: CryptoFixture.text("crypto/rsa-pkcs8.pem"))
    let first = try key.sign(message, .ps256)
    let second = try key.sign(message, .ps256)
    #expect(first.count == 256)
    #expect(first != second)
    #expect(verify(first, of: message, publicKeyPEM: publicKey, .ps256))
    #expect(verify(second, of: message, publicKeyPEM: publicKey, .ps256))
    #expect(!verify(first, of: message + [0], publicKeyPEM: publicKey, .ps256))
    #expect(!verify(first, of: message, publicKeyPEM: publicKey, .rs256))
  }

  @Test func signsAnEmptyMessage() throws {
    let key = try RSAPrivateKey(pem: CryptoFixture.text("crypto/rsa-pkcs1.pem"))
    for alg in SignatureAlgorithm.allCases {
      #expect(verify(try key.sign([], alg), of: [], publicKeyPEM: publicKey, alg))
    }
  }

  @Test func readsGoogleKeyFilePrivateKeyWithEscapedNewlines() throws {
    // The JSON text of the value, escapes and all, as a caller that skipped decoding would pass it.
    let json = CryptoFixture.text("crypto/google-service-account.json")
    let start = try #require(json.firstRange(of: "\"private_key\": \"")).upperBound
    let end = try #require(json[start...].firstIndex(of: "\""))
    let escaped = String(json[start..<end])
    #expect(escaped.contains("\\n"))
    let key = try RSAPrivateKey(pem: escaped, source: "the key file")
    #expect(try key.sign(message, .rs256) == CryptoFixture.bytes("crypto/message.rs256.sig"))
    // The decoded form (real newlines) is plain PKCS#8 PEM.
    let decoded = escaped.replacing("\\n", with: "\n")
    #expect(
      try RSAPrivateKey(pem: decoded).sign(message, .rs256)
        == CryptoFixture.bytes("crypto/message.rs256.sig"))
  }

  @Test func refusesAnECKeyNamingItsType() {
    #expect(throws: CryptoError.unsupportedKeyType(source: "ec.pem", keyType: "EC")) {
      try RSAPrivateKey(pem: CryptoFixture.text("crypto/ec-p256.pem"), source: "ec.pem")
    }
  }

  @Test func refusesAnEncryptedKeyWithoutPrompting() throws {
    let error = try #require(throws: CryptoError.self) {
      try RSAPrivateKey(
        pem: CryptoFixture.text("crypto/rsa-encrypted.pem"), source: "/keys/enc.pem")
    }
    #expect(
      error.description.hasPrefix(
        "could not read a private key from /keys/enc.pem: the key is encrypted"))
  }

  @Test(arguments: [
    "", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
  ])
  func refusesTextThatIsNotAKey(text: String) throws {
    let error = try #require(throws: CryptoError.self) {
      try RSAPrivateKey(pem: text, source: "/keys/x.pem")
    }
    guard case .invalidPrivateKey(let source, let reason) = error else {
      Issue.record("unexpected \(error)")
      return
    }
    #expect(source == "/keys/x.pem")
    #expect(!reason.isEmpty)
    #expect(!error.description.contains("AAAA"))
  }

  @Test func jwtHasThreeBase64URLSegmentsAndAVerifyingSignature() throws {
    let key = try RSAPrivateKey(pem: CryptoFixture.text("crypto/rsa-pkcs1.pem"))
    let header = #"{"alg":"PS256","typ":"JWT","x5t#S256":"abc"}"#
    let claims =
      #"{"aud":"https://login.microsoftonline.com/t/oauth2/v2.0/token","iss":"c","sub":"c"}"#
    for alg in SignatureAlgorithm.allCases {
      let jwt = try JWTSigner.sign(header: header, claims: claims, key: key, alg: alg)
      let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
      #expect(parts.count == 3)
      #expect(parts.allSatisfy { !$0.contains("=") && !$0.contains("+") && !$0.contains("/") })
      #expect(Base64.decode(parts[0]) == Array(header.utf8))
      #expect(Base64.decode(parts[1]) == Array(claims.utf8))
      let signature = try #require(Base64.decode(parts[2]))
      #expect(
        verify(signature, of: Array((parts[0] + "." + parts[1]).utf8), publicKeyPEM: publicKey, alg)
      )
    }
  }

  @Test func rs256JWTIsDeterministic() throws {
    let key = try RSAPrivateKey(pem: CryptoFixture.text("crypto/rsa-pkcs8.pem"))
    let a = try JWTSigner.sign(header: #"{"alg":"RS256"}"#, claims: "{}", key: key, alg: .rs256)
    let b = try JWTSigner.sign(header: #"{"alg":"RS256"}"#, claims: "{}", key: key, alg: .rs256)
    #expect(a == b)
    #expect(a.hasPrefix("eyJhbGciOiJSUzI1NiJ9.e30."))
  }
}
