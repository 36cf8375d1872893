import IndexKit
import Testing

@Suite struct EntraCertificateTests {
  static let tenant = "5c3b7a1e-2f4d-4c6b-8a9e-0d1c2b3a4f5e"
  static let client = "0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"
  static let endpoint = "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token"
  static let pem = CryptoFixture.path("crypto/bundle-any-order.pem")
  static let pfx = CryptoFixture.path("crypto/leaf.pfx")

  static var fingerprints: (sha256: [UInt8], sha1: [UInt8]) {
    let lines = CryptoFixture.text("crypto/leaf-fingerprints.txt").split(separator: "\n")
    let value = { (prefix: String) in
      CryptoFixture.hexBytes(lines.first { $0.hasPrefix(prefix) }?.split(separator: "=").last ?? "")
    }
    return (value("sha256"), value("sha1"))
  }

  func environment(_ extra: [String: String] = [:]) -> Environment {
    Environment(["AZURE_CLIENT_ID": Self.client, "AZURE_TENANT_ID": Self.tenant].merging(extra) { $1 })
  }

  func decode(_ segment: Substring) throws -> JSON {
    let bytes = try #require(Base64.decode(String(segment)))
    return try JSON(parsing: bytes, document: "segment")
  }

  @Test func aPEMBundleSignsPS256WithTheSHA256Thumbprint() throws {
    let entra = try entraClient(
      settings: Settings(environment: environment(["AZURE_CLIENT_CERTIFICATE_PATH": Self.pem])), identity: .auto)
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"access_token":"at","expires_in":3599}"#) }
    let token = try entra.accessToken(scope: AzureArtifacts.scope, in: RegistryFixtures.context(stub))
    #expect(token.value.revealed == "at")

    let request = try #require(stub.requests.first)
    let fields = form(request.body)
    #expect(fields["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    #expect(fields["client_secret"] == nil)
    let parts = try #require(fields["client_assertion"]).split(separator: ".")
    #expect(parts.count == 3)
    let header = try decode(parts[0])
    #expect(header["alg"] == .string("PS256"))
    #expect(header["typ"] == .string("JWT"))
    #expect(header["x5t#S256"] == .string(Base64.encodeURL(Self.fingerprints.sha256)))
    #expect(header["x5t"] == nil)
    #expect(header["x5c"] == nil)
    let claims = try decode(parts[1])
    #expect(claims["aud"] == .string(Self.endpoint))
    #expect(claims["iss"] == .string(Self.client))
    #expect(claims["sub"] == .string(Self.client))
    #expect(claims["nbf"]?.intValue == Int64(RegistryFixtures.now))
    #expect(claims["iat"]?.intValue == Int64(RegistryFixtures.now))
    #expect(claims["exp"]?.intValue == Int64(RegistryFixtures.now) + 600)
    #expect(claims["jti"]?.stringValue?.count == 36)
    #expect(Base64.decode(String(parts[2]))?.count == 256)
  }

  @Test func aPKCS12FileWithTheLegacyFlagSignsRS256WithTheSHA1ThumbprintAndTheChain() throws {
    let entra = try entraClient(
      settings: Settings(
        flags: ["azure-certificate-rs256": "true"],
        environment: environment([
          "AZURE_CLIENT_CERTIFICATE_PATH": Self.pfx, "AZURE_CLIENT_CERTIFICATE_PASSWORD": "fixture-password",
          "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN": "true",
        ])), identity: .auto)
    let stub = StubTransport { _ in RegistryFixtures.response(200, #"{"access_token":"at","expires_in":3599}"#) }
    _ = try entra.accessToken(scope: AzureArtifacts.scope, in: RegistryFixtures.context(stub))
    let request = try #require(stub.requests.first)
    let assertion = try #require(form(request.body)["client_assertion"])
    let first = try #require(assertion.split(separator: ".").first)
    let header = try decode(first)
    #expect(header["alg"] == .string("RS256"))
    #expect(header["x5t"] == .string(Base64.encodeURL(Self.fingerprints.sha1)))
    #expect(header["x5t#S256"] == nil)
    let chain = try #require(header["x5c"]?.arrayValue)
    #expect(chain.count == 2)
    #expect(chain.first == .string(Base64.encode(CryptoFixture.bytes("crypto/leaf-cert.der"))))
  }

  @Test func everyRequestGetsAFreshAssertion() throws {
    let credential = try CertificateCredential(contentsOfFile: Self.pem)
    let certificate = EntraCertificate(credential: credential, source: "test")
    let one = try certificate.assertion(clientID: Self.client, tokenEndpoint: Self.endpoint, now: RegistryFixtures.now)
    let two = try certificate.assertion(clientID: Self.client, tokenEndpoint: Self.endpoint, now: RegistryFixtures.now)
    let jti = { (token: Secret) throws -> JSON? in try self.decode(token.revealed.split(separator: ".")[1])["jti"] }
    #expect(try jti(one) != jti(two))
  }

  @Test func aSecretStillWinsAndAnExplicitIdentityWinsOverBoth() throws {
    let both = environment(["AZURE_CLIENT_SECRET": "s", "AZURE_CLIENT_CERTIFICATE_PATH": Self.pem])
    guard case .secret = try entraClient(settings: Settings(environment: both), identity: .auto).auth else {
      Issue.record("AZURE_CLIENT_SECRET comes first")
      return
    }
    let explicit = try entraClient(
      settings: Settings(environment: environment(["AZURE_CLIENT_CERTIFICATE_PATH": Self.pem])),
      identity: IdentitySpec(parsing: "env:TOKEN"))
    guard case .federated = explicit.auth else {
      Issue.record("--identity names the source")
      return
    }
  }

  @Test(arguments: [
    (["AZURE_CLIENT_CERTIFICATE_PATH": "/nonexistent/cert.pem"], "could not read /nonexistent/cert.pem"),
    (
      [
        "AZURE_CLIENT_CERTIFICATE_PATH": CryptoFixture.path("crypto/leaf.pfx"),
        "AZURE_CLIENT_CERTIFICATE_PASSWORD": "wrong",
      ], "does not open it"
    ),
    (["AZURE_CLIENT_CERTIFICATE_PATH": CryptoFixture.path("crypto/leaf.pfx")], "none was given"),
    (
      ["AZURE_CLIENT_CERTIFICATE_PATH": CryptoFixture.path("crypto/bundle-mismatched.pem")],
      "does not belong to any certificate"
    ),
  ])
  func unusableCertificatesAreConfigErrors(extra: [String: String], expected: String) {
    let error = #expect(throws: ConfigError.self) {
      try entraClient(settings: Settings(environment: environment(extra)), identity: .auto)
    }
    #expect(error?.message.hasPrefix("Could not use the certificate in AZURE_CLIENT_CERTIFICATE_PATH") == true)
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test func anUnregisteredCertificateIsNamedByItsPortalThumbprint() throws {
    let entra = try entraClient(
      settings: Settings(environment: environment(["AZURE_CLIENT_CERTIFICATE_PATH": Self.pem])), identity: .auto)
    let body =
      #"{"error":"invalid_client","error_description":"AADSTS700027: Client assertion failed signature validation.\r\nTrace ID: x","error_codes":[700027]}"#
    let stub = StubTransport { _ in RegistryFixtures.response(401, body) }
    let error = #expect(throws: ExchangeError.self) {
      try entra.accessToken(scope: AzureArtifacts.scope, in: RegistryFixtures.context(stub))
    }
    let thumbprint = Hex.lower(Self.fingerprints.sha1).uppercased()
    #expect(error?.exitStatus == .refused)
    #expect(error?.message.contains("AADSTS700027") == true)
    #expect(error?.message.contains("thumbprint \(thumbprint)") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains("--azure-certificate-rs256") == true)
    #expect(error?.message.contains("Trace ID") == false)
  }
}
