import Glibc
import Testing

@testable import IndexKit

@Suite("The trust store the transport verifies against")
struct TrustStoreSelectionTests {
  let none: (directory: String?, bundle: String?) = (nil, nil)

  @Test func withNoVariableTheHashedDirectoryServesAndTheBundleIsTheFallback() {
    let store = TrustStore.select(caBundle: nil, caDirectory: nil, system: ("/etc/ssl/certs", "/etc/ssl/certs/ca.crt"))
    #expect(store == TrustStore(bundle: "/etc/ssl/certs/ca.crt", bundleIsFallback: true, directory: "/etc/ssl/certs"))
  }

  @Test func sslCertDirReplacesTheSystemDirectory() {
    let store = TrustStore.select(caBundle: nil, caDirectory: "/mine", system: ("/etc/ssl/certs", "/b.crt"))
    #expect(store == TrustStore(bundle: "/b.crt", bundleIsFallback: true, directory: "/mine"))
  }

  @Test func withoutAHashedDirectoryTheBundleIsTheStore() {
    #expect(TrustStore.select(caBundle: nil, caDirectory: nil, system: (nil, "/b.crt")) == TrustStore(bundle: "/b.crt"))
    #expect(TrustStore.select(caBundle: nil, caDirectory: nil, system: none) == nil)
  }

  @Test func anExplicitBundleIsLoadedBesideTheDirectoryAndAnUnreadableOneIsLeftToLibcurl() throws {
    try withTemporaryDirectory { dir in
      writeFile(dir + "/ca.pem", "x")
      let store = TrustStore.select(caBundle: dir + "/ca.pem", caDirectory: nil, system: ("/etc/ssl/certs", "/b.crt"))
      #expect(store == TrustStore(bundle: dir + "/ca.pem", bundleIsFallback: false, directory: "/etc/ssl/certs"))
      // libcurl then names the file in its own error
      #expect(TrustStore.select(caBundle: dir + "/missing.pem", caDirectory: nil, system: none) == nil)
      #expect(TrustStore.select(caBundle: dir, caDirectory: nil, system: none) == nil)
    }
  }

  @Test func aHashedDirectoryHasCertificatesNamedBySubjectHash() throws {
    try withTemporaryDirectory { dir in
      #expect(!TrustStore.isHashedDirectory(dir))
      writeFile(dir + "/ca-certificates.crt", "x")
      writeFile(dir + "/README.0", "x")
      #expect(!TrustStore.isHashedDirectory(dir))
      writeFile(dir + "/5ad8a5d6.0", "x")
      #expect(TrustStore.isHashedDirectory(dir))
      #expect(!TrustStore.isHashedDirectory(dir + "/nonexistent"))
    }
  }

  @Test func sslCertDirComesFromTheEnvironment() {
    #expect(CurlOptions.caDirectory(from: Environment(["SSL_CERT_DIR": "/d"])) == "/d")
    #expect(CurlOptions.caDirectory(from: Environment(["SSL_CERT_DIR": ""])) == nil)
  }
}

@Suite("TLS through the shared trust store, against openssl s_server", .serialized)
struct TrustStoreTLSTests {
  let options = CurlOptions(connectTimeout: 5, totalTimeout: 5, preconnect: false)

  /// A CA, a server it certified, and `body` run against them.
  func withServer(_ body: (TestCertificates, TLSServer) throws -> Void) throws {
    try withTemporaryDirectory { dir in
      let certificates = try TestCertificates(in: dir)
      let server = try TLSServer(certificate: certificates.leaf, key: certificates.leafKey)
      defer { server.stop() }
      try body(certificates, server)
    }
  }

  func get(_ transport: CurlTransport, _ server: TLSServer) throws -> Int {
    try transport.send(HTTPRequest(url: server.url, purpose: "test request")).status
  }

  @Test func aHashedDirectoryServesWithoutParsingTheBundle() throws {
    try withServer { certificates, server in
      let directory = try certificates.hashedDirectory("hashed", holding: [certificates.otherCA, certificates.ca])
      let trust = TrustStore(bundle: certificates.otherCA, bundleIsFallback: true, directory: directory)
      let transport = try CurlTransport(options: options, trust: trust)
      #expect(try get(transport, server) == 200)
      #expect(transport.bundleParses == 0)
    }
  }

  @Test func aCAOnlyInTheBundleIsTrustedAndTheBundleParsedOnceForEveryConnection() throws {
    try withServer { certificates, server in
      let directory = try certificates.hashedDirectory("hashed", holding: [certificates.otherCA])
      let trust = TrustStore(bundle: certificates.ca, bundleIsFallback: true, directory: directory)
      let first = try CurlTransport(options: options, trust: trust)
      let second = try CurlTransport(options: options, trust: trust)
      #expect(try get(first, server) == 200)
      #expect(try get(second, server) == 200)  // another handle: another connection
      #expect(first.connectionsOpened == 1 && second.connectionsOpened == 1)
      #expect(second.bundleParses == 1)
    }
  }

  @Test func anExplicitBundleIsUsedAndParsedOnce() throws {
    try withServer { certificates, server in
      var explicit = options
      explicit.caBundle = certificates.ca
      explicit.caDirectory = try certificates.hashedDirectory("empty", holding: [certificates.otherCA])
      let first = try CurlTransport(options: explicit)
      let second = try CurlTransport(options: explicit)
      #expect(try get(first, server) == 200)
      #expect(try get(second, server) == 200)
      #expect(second.bundleParses == 1)
    }
  }

  @Test func anUntrustedServerIsATLSErrorThatIsNotRetried() throws {
    try withServer { certificates, server in
      let directory = try certificates.hashedDirectory("hashed", holding: [certificates.otherCA])
      let trust = TrustStore(bundle: certificates.otherCA, bundleIsFallback: true, directory: directory)
      let transport = try CurlTransport(options: options, trust: trust)
      let error = #expect(throws: HTTPError.self) { try get(transport, server) }
      guard case .tls(_, _, let detail) = error else {
        Issue.record("expected a TLS error, got \(String(describing: error))")
        return
      }
      #expect(detail.contains("unable to get local issuer certificate"))
      #expect(error?.isRetryable == false)
      #expect(transport.bundleParses == 1)  // the fallback was tried
    }
  }

  @Test func aBundleThatHoldsNoCertificateIsNamed() throws {
    try withServer { certificates, server in
      let junk = certificates.directory + "/junk.pem"
      writeFile(junk, "not a certificate\n")
      var explicit = options
      explicit.caBundle = junk
      let error = #expect(throws: HTTPError.self) { try get(CurlTransport(options: explicit), server) }
      #expect(
        error == .tls(purpose: "test request", url: server.url, detail: "error setting certificate file: \(junk)"))
    }
  }
}
