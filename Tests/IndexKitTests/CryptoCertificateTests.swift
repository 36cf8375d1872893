import IndexKit
import Testing

@Suite struct CryptoCertificateTests {
  let leafDER = CryptoFixture.bytes("crypto/leaf-cert.der")
  let caDER = Base64.decode(
    CryptoFixture.text("crypto/ca-cert.pem").split(separator: "\n").filter {
      !$0.hasPrefix("-----")
    }.joined())
  let password = Secret("fixture-password")

  /// `openssl x509 -fingerprint` output: "sha256 Fingerprint=AB:CD:…".
  func fingerprint(_ digest: String) -> [UInt8] {
    let lines = CryptoFixture.text("crypto/leaf-fingerprints.txt").split(separator: "\n")
    let line = lines.first { $0.hasPrefix("\(digest) Fingerprint=") } ?? ""
    return CryptoFixture.hexBytes(line.split(separator: "=").last ?? "")
  }

  func expectLeafAndChain(_ credential: CertificateCredential) throws {
    #expect(credential.leafDER == leafDER)
    #expect(credential.chainDER == [leafDER, try #require(caDER)])
    #expect(credential.thumbprintSHA256 == fingerprint("sha256"))
    #expect(credential.thumbprintSHA1 == fingerprint("sha1"))
    #expect(credential.thumbprintSHA256.count == 32)
    #expect(credential.thumbprintSHA1.count == 20)
  }

  @Test func pemBundleInAnyOrderFindsTheLeafByItsKey() throws {
    let credential = try CertificateCredential(
      pem: CryptoFixture.text("crypto/bundle-any-order.pem"))
    try expectLeafAndChain(credential)
    let leafKey = try RSAPrivateKey(pem: CryptoFixture.text("crypto/leaf-key.pem"))
    let message = Array("x".utf8)
    #expect(try credential.key.sign(message, .rs256) == leafKey.sign(message, .rs256))
  }

  @Test func pemBundleWithKeyAndLeafOnly() throws {
    let text =
      CryptoFixture.text("crypto/leaf-cert.pem") + CryptoFixture.text("crypto/leaf-key.pem")
    let credential = try CertificateCredential(pem: text)
    #expect(credential.chainDER == [leafDER])
  }

  @Test func pemBundleWhoseKeyMatchesNoCertificateIsRefused() {
    let path = CryptoFixture.path("crypto/bundle-mismatched.pem")
    #expect(throws: CryptoError.keyDoesNotMatchCertificate(source: path)) {
      try CertificateCredential(contentsOfFile: path)
    }
  }

  @Test func pemWithoutKeyOrWithoutCertificateIsRefused() {
    #expect(throws: CryptoError.missingPrivateKey(source: "cert.pem")) {
      try CertificateCredential(pem: CryptoFixture.text("crypto/leaf-cert.pem"), source: "cert.pem")
    }
    #expect(throws: CryptoError.missingCertificate(source: "key.pem")) {
      try CertificateCredential(pem: CryptoFixture.text("crypto/leaf-key.pem"), source: "key.pem")
    }
  }

  @Test func pkcs12WithPassword() throws {
    let credential = try CertificateCredential(
      pkcs12: CryptoFixture.bytes("crypto/leaf.pfx"), password: password)
    try expectLeafAndChain(credential)
  }

  @Test func pkcs12WithEmptyPasswordOpensWithNoPassword() throws {
    let bytes = CryptoFixture.bytes("crypto/leaf-empty-password.pfx")
    try expectLeafAndChain(try CertificateCredential(pkcs12: bytes))
    try expectLeafAndChain(try CertificateCredential(pkcs12: bytes, password: Secret("")))
  }

  @Test func pkcs12WrongOrMissingPasswordSaysSo() {
    let bytes = CryptoFixture.bytes("crypto/leaf.pfx")
    #expect(throws: CryptoError.wrongPKCS12Password(source: "c.pfx", passwordGiven: true)) {
      try CertificateCredential(pkcs12: bytes, password: Secret("nope"), source: "c.pfx")
    }
    #expect(throws: CryptoError.wrongPKCS12Password(source: "c.pfx", passwordGiven: false)) {
      try CertificateCredential(pkcs12: bytes, source: "c.pfx")
    }
  }

  @Test func pkcs12WithLegacyCipherExplainsHowToReexport() throws {
    let error = try #require(throws: CryptoError.self) {
      try CertificateCredential(
        pkcs12: CryptoFixture.bytes("crypto/leaf-legacy.pfx"), password: password)
    }
    guard case .invalidPKCS12(_, let reason) = error else {
      Issue.record("unexpected \(error)")
      return
    }
    #expect(reason.contains("legacy"))
    #expect(reason.contains("openssl pkcs12 -legacy"))
  }

  @Test func garbageIsNotPKCS12() {
    let error = #expect(throws: CryptoError.self) {
      try CertificateCredential(pkcs12: Array("not a pfx".utf8), source: "x.pfx")
    }
    if case .invalidPKCS12(let source, _)? = error {
      #expect(source == "x.pfx")
    } else {
      Issue.record("unexpected \(String(describing: error))")
    }
  }

  @Test(arguments: ["crypto/bundle-any-order.pem", "crypto/leaf.pfx"])
  func fileLoaderTellsPEMFromPKCS12(file: String) throws {
    try expectLeafAndChain(
      try CertificateCredential(contentsOfFile: CryptoFixture.path(file), password: password))
  }

  @Test func missingFileNamesThePathAndReason() {
    #expect(
      throws: CryptoError.unreadableFile(
        path: "/nonexistent/c.pem", reason: "No such file or directory")
    ) {
      try CertificateCredential(contentsOfFile: "/nonexistent/c.pem")
    }
    #expect(throws: CryptoError.unreadableFile(path: "/tmp", reason: "it is not a regular file")) {
      try CertificateCredential(contentsOfFile: "/tmp")
    }
  }

  @Test func errorMessagesNameTheSourceAndNoKeyMaterial() throws {
    let key = CryptoFixture.text("crypto/leaf-key.pem")
    let body = key.split(separator: "\n")[1]
    let errors: [CryptoError] = [
      .keyDoesNotMatchCertificate(source: "/etc/app/cert.pem"),
      .wrongPKCS12Password(source: "/etc/app/cert.pfx", passwordGiven: true),
      .missingPrivateKey(source: "/etc/app/cert.pem"),
    ]
    for error in errors {
      #expect(error.description.contains("/etc/app/cert.p"))
      #expect(!error.description.contains(body))
    }
    let error = try #require(throws: CryptoError.self) {
      try CertificateCredential(
        pem: "-----BEGIN PRIVATE KEY-----\n\(body)\n-----END PRIVATE KEY-----\n")
    }
    #expect(!error.description.contains(body))
  }
}
