internal import CCurl

/// What indexkey uses of a libcurl, by the version and TLS library it reports.
///
/// The loader decides this once, from `curl_version_info`, when libcurl is loaded
/// (`ccurl_features_of` in CCurl).
struct LibcurlFeatures: Equatable {
  /// The oldest libcurl indexkey runs with.
  static let minimum = CCURL_MINIMUM_VERSION_TEXT

  /// At least ``minimum``; an older libcurl is refused before any request.
  var supported: Bool
  /// `CURLOPT_PROTOCOLS_STR` (7.85.0 on) instead of the `CURLOPT_PROTOCOLS` bitmask.
  var protocolsString: Bool
  /// TLS through OpenSSL 3: connections share the process's trust store.
  var sharedTrust: Bool
}

extension LibcurlFeatures {
  /// The decisions for a libcurl reporting `versionNumber` (0xXXYYZZ) and `sslVersion`.
  init(versionNumber: UInt32, sslVersion: String?) {
    let f =
      if let sslVersion {
        sslVersion.withCString { ccurl_features_of(versionNumber, $0) }
      } else {
        ccurl_features_of(versionNumber, nil)
      }
    self.init(supported: f.supported != 0, protocolsString: f.protocols_str != 0, sharedTrust: f.shared_trust != 0)
  }
}
