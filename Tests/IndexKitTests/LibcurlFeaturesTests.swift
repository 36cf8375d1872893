import Testing

@testable import IndexKit

/// What indexkey sets on the libcurl of each distribution it supports, and what it refuses.
@Suite struct LibcurlFeaturesTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var what: String
    var version: UInt32
    var ssl: String?
    var expected: LibcurlFeatures
    var testDescription: String { what }

    init(_ what: String, _ version: UInt32, _ ssl: String?, _ supported: Bool, _ protocolsString: Bool, _ shared: Bool)
    {
      self.what = what
      self.version = version
      self.ssl = ssl
      expected = LibcurlFeatures(supported: supported, protocolsString: protocolsString, sharedTrust: shared)
    }
  }

  /// What, version_num, ssl_version: supported, CURLOPT_PROTOCOLS_STR, the shared trust store.
  static let cases: [Case] = [
    Case("RHEL 8, 7.61.1", 0x073D01, "OpenSSL/1.1.1k", false, false, false),
    Case("7.75.0, just below the minimum", 0x074B00, "OpenSSL/3.0.2", false, false, true),
    Case("7.76.0, the minimum", 0x074C00, "OpenSSL/3.0.7", true, false, true),
    Case("RHEL 9, 7.76.1", 0x074C01, "OpenSSL/3.0.7", true, false, true),
    Case("Amazon Linux 2, 7.79.1 on OpenSSL 1.0.2", 0x074F01, "OpenSSL/1.0.2k-fips", true, false, false),
    Case("Ubuntu 22.04, 7.81.0", 0x075100, "OpenSSL/3.0.2", true, false, true),
    Case("7.84.0, the last without PROTOCOLS_STR", 0x075400, "OpenSSL/3.0.5", true, false, true),
    Case("7.85.0, the first with PROTOCOLS_STR", 0x075500, "OpenSSL/3.0.5", true, true, true),
    Case("Debian 12, 7.88.1", 0x075801, "OpenSSL/3.0.11", true, true, true),
    Case("Ubuntu 24.04, 8.5.0", 0x080500, "OpenSSL/3.0.13", true, true, true),
    Case("libcurl3-gnutls flavour", 0x075100, "GnuTLS/3.7.3", true, false, false),
    Case("wolfSSL", 0x080B00, "wolfSSL/5.7.2", true, true, false),
    Case("LibreSSL", 0x080700, "LibreSSL/3.3.6", true, true, false),
    Case("no TLS at all", 0x080500, nil, true, true, false),
    Case("several backends, OpenSSL in use", 0x080500, "OpenSSL/3.0.13 (GnuTLS/3.8.3)", true, true, true),
    Case("several backends, OpenSSL not in use", 0x080500, "(OpenSSL/3.0.13) GnuTLS/3.8.3", true, true, false),
  ]

  @Test(arguments: cases)
  func eachLibcurlGetsTheOptionsItHas(_ c: Case) {
    #expect(LibcurlFeatures(versionNumber: c.version, sslVersion: c.ssl) == c.expected)
  }

  @Test func theReadmeStatesTheMinimum() throws {
    let file = #filePath  // …/Tests/IndexKitTests/LibcurlFeaturesTests.swift
    let root = file.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    let readme = try #require(readFile(root + "/README.md"))
    #expect(readme.contains("libcurl \(LibcurlFeatures.minimum) or later"))
    #expect(readme.contains("| 7 | libcurl could not be loaded, or is older than \(LibcurlFeatures.minimum)"))
  }

  @Test func aLibcurlTooOldOrMissingIsItsOwnExitCodeAndOneSentence() {
    let old = HTTPError.libcurlTooOld(found: "7.61.1", minimum: LibcurlFeatures.minimum)
    #expect(old.exitStatus == .library && ExitStatus.library.rawValue == 7)
    #expect(
      old.description
        == "libcurl 7.61.1 is older than 7.76.0, the oldest indexkey supports; install a newer libcurl "
        + "(Debian 12, Ubuntu 22.04, RHEL 9 and later have one).")
    #expect(!old.isRetryable)
    let missing = HTTPError.libcurlMissing(detail: "libcurl.so.4: cannot open shared object file")
    #expect(missing.exitStatus == .library && !missing.isRetryable)
    #expect(
      missing.description.hasPrefix(
        "libcurl could not be loaded (libcurl.so.4: cannot open shared object file); install it"))
  }
}
