internal import CCurl
import Glibc

/// Where the transport's TLS connections find the CAs they trust, chosen once per process.
///
/// libcurl as distributions build it parses the whole system bundle (~140 certificates,
/// ~30 ms on OpenSSL 3) for every new connection. Instead, every connection shares one
/// OpenSSL store (`Sources/CCurl/trust.c`):
/// - no CA variable set: certificates are looked up lazily, by subject hash, in the
///   distribution's hashed directory (or `SSL_CERT_DIR`); the system bundle is parsed only
///   if a chain finds no issuer there, and then once;
/// - no usable directory: the system bundle, parsed once;
/// - `SSL_CERT_FILE`, `CURL_CA_BUNDLE` or `REQUESTS_CA_BUNDLE`: that bundle, parsed once, with
///   the hashed directory beside it as libcurl's built-in CA path was.
///
/// Verification is libcurl's and OpenSSL's as before: chain and host name checks stay on.
struct TrustStore: Hashable, Sendable {
  /// PEM certificates, parsed at most once per process.
  var bundle: String?
  /// The bundle is parsed only when a chain lacks an issuer in `directory`.
  var bundleIsFallback = false
  /// A hashed certificate directory (OpenSSL's CApath), read one certificate at a time.
  var directory: String?

  /// Hashed directories, in the order they are looked for: Fedora/RHEL's (their
  /// /etc/ssl/certs holds bundles only), then Debian, Ubuntu, Alpine, Arch and SUSE's.
  static let directoryCandidates = ["/etc/pki/ca-trust/extracted/pem/directory-hash", "/etc/ssl/certs"]
  /// System bundles: Debian/Ubuntu/Alpine, Fedora/RHEL, openSUSE, Arch/Alpine.
  static let bundleCandidates = [
    "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
  ]

  /// The system's hashed directory and bundle, looked for once per process.
  static let system = (
    directory: directoryCandidates.first(where: isHashedDirectory),
    bundle: bundleCandidates.first(where: isReadableFile)
  )

  /// The store for these settings, or nil to leave libcurl's own CA handling (an explicit
  /// bundle that cannot be read, so libcurl names it in its error; no CA found at all).
  static func select(
    caBundle: String?, caDirectory: String?, system: (directory: String?, bundle: String?) = Self.system
  ) -> TrustStore? {
    let directory = caDirectory ?? system.directory
    if let caBundle {
      return isReadableFile(caBundle) ? TrustStore(bundle: caBundle, directory: directory) : nil
    }
    if let directory {
      return TrustStore(bundle: system.bundle, bundleIsFallback: system.bundle != nil, directory: directory)
    }
    return system.bundle.map { TrustStore(bundle: $0) }
  }

  /// Whether `path` holds at least one certificate named by subject hash (`5ad8a5d6.0`).
  static func isHashedDirectory(_ path: String) -> Bool {
    guard let dir = opendir(path) else { return false }
    defer { closedir(dir) }
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      let parts = name.split(separator: ".")
      if parts.count == 2, parts[0].count == 8, parts[0].allSatisfy(\.isHexDigit), parts[1].allSatisfy(\.isNumber) {
        return true
      }
    }
    return false
  }

  static func isReadableFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
  }

  /// One OpenSSL store per distinct setting, kept for the life of the process.
  private static let stores = Locked<[TrustStore: SharedStore]>([:])

  /// The process's store for this setting, made on first use; nil when the loaded libcurl
  /// does not do TLS with indexkey's OpenSSL.
  func shared() -> SharedStore? {
    guard ccurl_trust_supported() != 0 else { return nil }
    return Self.stores.withLock { stores in
      if let made = stores[self] { return made }
      guard let made = ccurl_trust_new(bundle, bundleIsFallback ? 1 : 0, directory) else { return nil }
      let store = SharedStore(pointer: made)
      stores[self] = store
      return store
    }
  }
}

/// A store made by `ccurl_trust_new`; never freed (it lives as long as the process).
struct SharedStore: @unchecked Sendable {
  let pointer: OpaquePointer

  /// Why the bundle could not be parsed, if it could not.
  var failure: String? { ccurl_trust_failure(pointer).map { String(cString: $0) } }

  /// How many times the bundle was parsed: 0 or 1.
  var bundleParses: Int { Int(ccurl_trust_bundle_parses(pointer)) }
}
