import IndexKit
import Testing

/// One case of AWS's SigV4 test suite (aws-c-auth `tests/aws-signing-test-suite/v4/`),
/// copied under `Fixtures/sigv4/<case>/`; see the README there for provenance.
struct SigV4Vector: CustomTestStringConvertible {
  var name: String
  var testDescription: String { name }

  var folder: String { "sigv4/\(name)" }
  func file(_ file: String) -> String { CryptoFixture.text("\(folder)/\(file)") }
  func optionalFile(_ file: String) -> String? {
    CryptoFixture.exists("\(folder)/\(file)") ? self.file(file) : nil
  }

  /// The fields of context.json the signer needs; a flat scan is enough for these files.
  struct Context {
    var accessKeyID: String
    var secretAccessKey: String
    var token: String?
    var region: String
    var service: String
    var timestamp: String
    var signBody: Bool
    var omitSessionToken: Bool
    var normalize: Bool

    init(_ json: String) {
      func string(_ key: String) -> String? {
        guard let keyRange = json.firstRange(of: "\"\(key)\"") else { return nil }
        let rest = json[keyRange.upperBound...].drop { $0 == ":" || $0 == " " }
        guard rest.first == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != "\"" })
      }
      func bool(_ key: String) -> Bool? {
        guard let keyRange = json.firstRange(of: "\"\(key)\"") else { return nil }
        let rest = json[keyRange.upperBound...].drop { $0 == ":" || $0 == " " }
        return rest.hasPrefix("true") ? true : rest.hasPrefix("false") ? false : nil
      }
      accessKeyID = string("access_key_id") ?? ""
      secretAccessKey = string("secret_access_key") ?? ""
      token = string("token")
      region = string("region") ?? ""
      service = string("service") ?? ""
      timestamp = string("timestamp") ?? ""
      signBody = bool("sign_body") ?? false
      omitSessionToken = bool("omit_session_token") ?? false
      normalize = bool("normalize") ?? true
    }

    /// "2015-08-30T12:36:00Z" as seconds since the epoch (days-from-civil, UTC).
    var secondsSinceEpoch: Int64 {
      let digits = timestamp.split { !$0.isNumber }.compactMap { Int64($0) }
      let (y0, m, d, hh, mm, ss) = (
        digits[0], digits[1], digits[2], digits[3], digits[4], digits[5]
      )
      let y = m <= 2 ? y0 - 1 : y0
      let era = (y >= 0 ? y : y - 399) / 400
      let yoe = y - era * 400
      let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
      let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
      let days = era * 146097 + doe - 719468
      return days * 86400 + hh * 3600 + mm * 60 + ss
    }
  }

  /// A raw request as aws-c-auth's harness reads it: request line, `Name:value`
  /// lines (value untrimmed), a blank line, then the body.
  static func parseRequest(_ text: String) -> (
    method: String, target: String, headers: [HTTPHeader], body: [UInt8]
  ) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
    let requestLine = lines.popFirst() ?? ""
    let method = String(requestLine.prefix { $0 != " " })
    let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
    var headers: [HTTPHeader] = []
    while let line = lines.popFirst(), !line.isEmpty {
      let name = line.prefix { $0 != ":" }
      headers.append(HTTPHeader(String(name), String(line.dropFirst(name.count + 1))))
    }
    return (method, target, headers, Array(lines.joined(separator: "\n").utf8))
  }

  static let all: [SigV4Vector] = [
    "get-vanilla", "get-vanilla-query", "get-vanilla-empty-query-key",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-vanilla-query-order-encoded",
    "get-unreserved", "get-utf8", "get-header-key-duplicate", "get-header-value-order",
    "get-header-value-trim", "get-relative-normalized", "get-relative-relative-normalized",
    "get-slash-normalized", "get-slash-dot-slash-normalized", "get-slash-pointless-dot-normalized",
    "get-slashes-normalized", "get-space-normalized", "post-vanilla", "post-vanilla-query",
    "post-header-key-case", "post-header-key-sort", "post-header-value-case",
    "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
    "post-sts-header-before", "post-sts-header-after", "get-vanilla-with-session-token",
  ].map { SigV4Vector(name: $0) }
}

@Suite struct CryptoSigV4Tests {
  @Test(arguments: SigV4Vector.all)
  func matchesAWSTestSuite(vector: SigV4Vector) throws {
    let context = SigV4Vector.Context(vector.file("context.json"))
    try #require(context.normalize, "only normalised (non-S3) cases are in scope")
    let raw = SigV4Vector.parseRequest(vector.file("request.txt"))
    let host = raw.headers.first { $0.name.lowercased() == "host" }?.value ?? ""
    let request = HTTPRequest(
      method: try #require(HTTPRequest.Method(rawValue: raw.method)),
      url: "https://\(host)\(raw.target)",
      headers: raw.headers, body: raw.body, purpose: vector.name)
    // omit_session_token: the token is added after signing, so it is not part of the signature.
    let token = context.omitSessionToken ? nil : context.token.map(Secret.init)
    let signer = SigV4(
      credentials: AWSCredentials(
        accessKeyID: context.accessKeyID, secretAccessKey: Secret(context.secretAccessKey),
        sessionToken: token),
      region: context.region, service: context.service, addsContentSHA256Header: context.signBody)

    let signed = try signer.sign(request, at: context.secondsSinceEpoch)

    if let expected = vector.optionalFile("header-canonical-request.txt") {
      #expect(signed.canonicalRequest == expected)
    }
    if let expected = vector.optionalFile("header-string-to-sign.txt") {
      #expect(signed.stringToSign == expected)
    }
    let published = SigV4Vector.parseRequest(vector.file("header-signed-request.txt")).headers
    let publishedAuthorization = try #require(published.first { $0.name == "Authorization" }?.value)
    let publishedSignature = String(publishedAuthorization.split(separator: "=").last ?? "")
    #expect(
      signed.signature == publishedSignature, "canonical request was:\n\(signed.canonicalRequest)")
    #expect(signed.request.header("Authorization") == publishedAuthorization)

    // The string to sign is the scope plus the hash of the canonical request.
    #expect(
      signed.stringToSign
        == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        + Hex.lower(Digest.sha256(signed.canonicalRequest.utf8)))

    // Every header we send is in the published signed request, and every header it signs is ours.
    let signedNames =
      publishedAuthorization.firstRange(of: "SignedHeaders=").map {
        publishedAuthorization[$0.upperBound...].prefix { $0 != "," }.split(separator: ";").map(
          String.init)
      } ?? []
    func key(_ h: HTTPHeader) -> String { h.name.lowercased() + ":" + h.value }
    let ours = signed.request.headers.map(key).sorted()
    let theirs = published.filter {
      signedNames.contains($0.name.lowercased()) || $0.name == "Authorization"
    }
    .map(key).sorted()
    #expect(ours == theirs)
  }

  /// The form cases as an earlier revision of the suite (aws-c-auth e70d49e) published them:
  /// its harness left the body out of the signature (payload hash of the empty string), so
  /// signing the same request without its body must give that revision's texts exactly.
  @Test(arguments: ["post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"])
  func matchesEarlierRevisionCanonicalRequestAndStringToSign(name: String) throws {
    let vector = SigV4Vector(name: name)
    let context = SigV4Vector.Context(vector.file("context.json"))
    let raw = SigV4Vector.parseRequest(vector.file("request.txt"))
    let request = HTTPRequest(
      method: .post, url: "https://example.amazonaws.com/", headers: raw.headers, purpose: name)
    let signer = SigV4(
      credentials: AWSCredentials(
        accessKeyID: context.accessKeyID, secretAccessKey: Secret(context.secretAccessKey)),
      region: context.region, service: context.service)
    let signed = try signer.sign(request, at: context.secondsSinceEpoch)
    #expect(signed.canonicalRequest == vector.file("header-canonical-request.e70d49e.txt"))
    #expect(signed.stringToSign == vector.file("header-string-to-sign.e70d49e.txt"))
  }

  let credentials = AWSCredentials(
    accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
  let suiteTime: Int64 = 1_440_938_160  // 2015-08-30T12:36:00Z

  @Test func addsHostFromTheURLWithoutTheDefaultPort() throws {
    let signer = SigV4(credentials: credentials, region: "us-east-1", service: "service")
    let request = HTTPRequest(url: "https://example.amazonaws.com:443/", purpose: "test")
    let signed = try signer.sign(request, at: suiteTime)
    #expect(signed.request.header("Host") == "example.amazonaws.com")
    // Same as the get-vanilla vector once Host is filled in.
    #expect(signed.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    let loopback = try signer.sign(
      HTTPRequest(url: "http://127.0.0.1:8080/x", purpose: "t"), at: suiteTime)
    #expect(loopback.request.header("Host") == "127.0.0.1:8080")
  }

  @Test func replacesStaleSigningHeaders() throws {
    let signer = SigV4(credentials: credentials, region: "us-east-1", service: "service")
    var request = HTTPRequest(url: "https://example.amazonaws.com/", purpose: "test")
    request.setHeader("Authorization", "AWS4-HMAC-SHA256 old")
    request.setHeader("X-Amz-Date", "20000101T000000Z")
    let signed = try signer.sign(request, at: suiteTime)
    #expect(signed.request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
    #expect(signed.request.header("X-Amz-Date") == "20150830T123600Z")
    #expect(signed.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
  }

  @Test func sessionTokenIsSentAndSigned() throws {
    var withToken = credentials
    withToken.sessionToken = Secret(
      "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")
    let signer = SigV4(credentials: withToken, region: "us-east-1", service: "service")
    let signed = try signer.sign(
      HTTPRequest(url: "https://example.amazonaws.com/", purpose: "t"), at: suiteTime)
    #expect(signed.request.header("X-Amz-Security-Token") == withToken.sessionToken?.revealed)
    #expect(
      signed.request.header("Authorization")?.contains(
        "SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)
    // get-vanilla-with-session-token
    #expect(signed.signature == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
  }

  @Test func codeArtifactTokenRequestCanonicalForm() throws {
    let signer = SigV4(credentials: credentials, region: "eu-west-1", service: "codeartifact")
    let request = HTTPRequest(
      method: .post,
      url:
        "https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?duration=900&domain-owner=111122223333&domain=my-domain",
      purpose: "CodeArtifact token request")
    let signed = try signer.sign(request, at: suiteTime)
    let lines = signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "POST")
    #expect(lines[1] == "/v1/authorization-token")
    #expect(lines[2] == "domain=my-domain&domain-owner=111122223333&duration=900")
    #expect(lines[3] == "host:codeartifact.eu-west-1.amazonaws.com")
    #expect(signed.stringToSign.contains("\n20150830/eu-west-1/codeartifact/aws4_request\n"))
  }

  @Test(arguments: [
    ("/", "/"), ("", "/"), ("/a/b/../c/./d", "/a/c/d"), ("/a/b/..", "/a/"),
    ("/a%20b/", "/a%2520b/"),
    ("/~user/x:y", "/~user/x%3Ay"),
  ])
  func canonicalPath(path: String, expected: String) throws {
    let signer = SigV4(credentials: credentials, region: "r", service: "s")
    let signed = try signer.sign(HTTPRequest(url: "https://h\(path)", purpose: "t"), at: suiteTime)
    #expect(
      signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1]
        == expected)
  }

  @Test(arguments: [
    ("b=2&a=1", "a=1&b=2"), ("a=2&a=1", "a=1&a=2"), ("a", "a="), ("a=&&b", "a=&b="),
    ("q=a%2fb", "q=a%2Fb"), ("q=%7E", "q=~"), ("q=a b", "q=a%20b"), ("q=1+1", "q=1%2B1"),
    ("x=1#frag", "x=1"),
  ])
  func canonicalQuery(query: String, expected: String) throws {
    let signer = SigV4(credentials: credentials, region: "r", service: "s")
    let signed = try signer.sign(
      HTTPRequest(url: "https://h/?\(query)", purpose: "t"), at: suiteTime)
    #expect(
      signed.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2]
        == expected)
  }

  @Test func userAgentIsNotSigned() throws {
    let signer = SigV4(credentials: credentials, region: "r", service: "s")
    var request = HTTPRequest(url: "https://h/", purpose: "t")
    request.setHeader("User-Agent", "indexkey/1.0")
    let signed = try signer.sign(request, at: suiteTime)
    #expect(
      signed.request.header("Authorization")?.contains("SignedHeaders=host;x-amz-date,") == true)
  }

  @Test func timestampIsFormattedInUTC() throws {
    let signer = SigV4(credentials: credentials, region: "r", service: "s")
    // 951_782_399 is 2000-02-28T23:59:59Z.
    let leapDay = try signer.sign(HTTPRequest(url: "https://h/", purpose: "t"), at: 951_782_399)
    #expect(leapDay.request.header("X-Amz-Date") == "20000228T235959Z")
    let epoch = try signer.sign(HTTPRequest(url: "https://h/", purpose: "t"), at: 0)
    #expect(epoch.request.header("X-Amz-Date") == "19700101T000000Z")
  }

  @Test func urlWithoutSchemeIsRefused() {
    let signer = SigV4(credentials: credentials, region: "r", service: "s")
    #expect(throws: CryptoError.unsignableURL("example.com/x")) {
      try signer.sign(HTTPRequest(url: "example.com/x", purpose: "t"), at: 0)
    }
  }

  @Test func secretsStayOutOfDescriptions() throws {
    var withToken = credentials
    withToken.sessionToken = Secret("session-token-value")
    #expect(!"\(withToken)".contains("wJalrXUtnFEMI"))
    #expect(!"\(withToken)".contains("session-token-value"))
  }
}
