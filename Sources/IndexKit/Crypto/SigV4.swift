import Glibc

/// AWS Signature Version 4 for header-signed requests to non-S3 services
/// (CodeArtifact, STS): adds `X-Amz-Date`, `X-Amz-Security-Token` (for session
/// credentials), `Host` if missing, and `Authorization`.
///
/// The canonical URI is normalised (`.`/`..` and empty segments removed) and
/// each segment URI-encoded once more, as every service but S3 expects; query
/// parameters are decoded, re-encoded with the RFC 3986 unreserved set and
/// sorted by name, then value. Checked against AWS's published test suite.
///
/// ```swift
/// let signer = SigV4(credentials: creds, region: "eu-west-1", service: "codeartifact")
/// let signed = try signer.sign(request, at: nowInSecondsSinceEpoch)
/// try transport.send(signed.request)
/// ```
package struct SigV4: Sendable {
  package var credentials: AWSCredentials
  package var region: String
  package var service: String
  /// Also send and sign `x-amz-content-sha256` with the payload hash (off by default;
  /// S3 needs it, CodeArtifact and STS do not).
  package var addsContentSHA256Header: Bool

  package init(
    credentials: AWSCredentials, region: String, service: String,
    addsContentSHA256Header: Bool = false
  ) {
    self.credentials = credentials
    self.region = region
    self.service = service
    self.addsContentSHA256Header = addsContentSHA256Header
  }

  /// A signed request and the intermediate texts that produced it.
  package struct Signed: Sendable, Equatable {
    /// The request with the signing headers added; send this.
    package var request: HTTPRequest
    package var canonicalRequest: String
    package var stringToSign: String
    /// Lowercase hex HMAC-SHA-256 of ``stringToSign``.
    package var signature: String
  }

  /// Signs `request` as of `secondsSinceEpoch` (UTC).
  ///
  /// - Throws: ``CryptoError/unsignableURL(_:)`` if the URL has no scheme and host.
  package func sign(_ request: HTTPRequest, at secondsSinceEpoch: Int64) throws -> Signed {
    guard let url = SigV4URL(request.url) else {
      throw CryptoError.unsignableURL(String(request.url.prefix { $0 != "?" }))
    }
    let amzDate = Self.timestamp(secondsSinceEpoch)
    let payloadHash = Hex.lower(Digest.sha256(request.body))

    var signed = request
    if signed.header("Host") == nil { signed.setHeader("Host", url.host) }
    signed.headers.removeAll { $0.name.lowercased() == "authorization" }
    signed.setHeader("X-Amz-Date", amzDate)
    if let token = credentials.sessionToken {
      signed.setHeader("X-Amz-Security-Token", token.revealed)
    }
    if addsContentSHA256Header { signed.setHeader("X-Amz-Content-Sha256", payloadHash) }

    let headers = Self.canonicalHeaders(signed.headers)
    let canonicalRequest = [
      request.method.rawValue,
      Self.canonicalURI(url.path),
      Self.canonicalQuery(url.query),
      headers.block,
      headers.signed,
      payloadHash,
    ].joined(separator: "\n")

    let day = String(amzDate.prefix(8))
    let scope = "\(day)/\(region)/\(service)/aws4_request"
    let stringToSign = [
      "AWS4-HMAC-SHA256", amzDate, scope, Hex.lower(Digest.sha256(canonicalRequest.utf8)),
    ].joined(separator: "\n")
    let signature = Hex.lower(Digest.hmacSHA256(key: signingKey(day: day), data: stringToSign.utf8))

    signed.headers.append(
      HTTPHeader(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
          + "SignedHeaders=\(headers.signed), Signature=\(signature)"))
    return Signed(
      request: signed, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
      signature: signature)
  }

  /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
  private func signingKey(day: String) -> [UInt8] {
    let secret = Array("AWS4\(credentials.secretAccessKey.revealed)".utf8)
    let kDate = Digest.hmacSHA256(key: secret, data: day.utf8)
    let kRegion = Digest.hmacSHA256(key: kDate, data: region.utf8)
    let kService = Digest.hmacSHA256(key: kRegion, data: service.utf8)
    return Digest.hmacSHA256(key: kService, data: "aws4_request".utf8)
  }

  /// `YYYYMMDDTHHMMSSZ` in UTC.
  static func timestamp(_ secondsSinceEpoch: Int64) -> String {
    var time = time_t(secondsSinceEpoch)
    var parts = tm()
    gmtime_r(&time, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
      + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
  }
}
