import Testing

@testable import IndexKit

@Suite struct WebURLTests {
  @Test func parsesTheParts() throws {
    let url = try WebURL("https://Pkgs.Dev.Azure.com:8443/org/_packaging/feed/pypi/simple/?a=b", what: "u")
    #expect(url.scheme == "https")
    #expect(url.host == "pkgs.dev.azure.com")
    #expect(url.port == 8443)
    #expect(url.path == "/org/_packaging/feed/pypi/simple/")
    #expect(url.query == "a=b")
    #expect(url.authority == "pkgs.dev.azure.com:8443")
    #expect(url.segments == ["org", "_packaging", "feed", "pypi", "simple"])
  }

  @Test(arguments: [
    "pkgs.dev.azure.com/x", "ftp://host/x", "https://user:pw@host/x", "https://host:99999/", "https:///x",
  ])
  func refusesBadURLs(text: String) {
    #expect(throws: ConfigError.self) { try WebURL(text, what: "The index URL") }
  }

  @Test(arguments: [
    "https://host/simple/\n[server-login]\nusername = x", "https://host/simple/\r\npassword = y",
    "https://host/a\tb/", "https://host/simple/?a=\u{7F}", "https://ho\u{0}st/",
  ])
  func refusesControlCharacters(text: String) {
    let error = #expect(throws: ConfigError.self) { try WebURL(text, what: "The index URL") }
    #expect(error?.message.contains("control character") == true)
    #expect(error?.message.contains("server-login") == false)
  }

  @Test func credentialsInTheURLAreRefusedWithoutEchoingThem() {
    let error = #expect(throws: ConfigError.self) {
      try WebURL("https://u:hunter2@host/simple/", what: "The index URL")
    }
    #expect(error?.message.contains("hunter2") == false)
  }

  @Test func appendsTheAudienceToAURLThatAlreadyHasAQuery() throws {
    let url = try WebURL("https://gh.test/idtoken?api-version=2.0", what: "u")
    #expect(
      url.appendingQuery("audience", "api://AzureADTokenExchange").description
        == "https://gh.test/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange")
    let bare = try WebURL("https://gh.test/idtoken", what: "u")
    #expect(bare.appendingQuery("audience", "x y").description == "https://gh.test/idtoken?audience=x%20y")
  }

  @Test func embedsPercentEncodedCredentials() throws {
    let url = try WebURL("https://host/simple/", what: "u")
    let text = url.withCredentials(username: "user@x", password: Secret("p/ss:w%rd é"))
    #expect(text.revealed == "https://user%40x:p%2Fss%3Aw%25rd%20%C3%A9@host/simple/")
    #expect(text.redacted == "https://user%40x:***@host/simple/")
    #expect(text.secretParts == ["p%2Fss%3Aw%25rd%20%C3%A9"])
  }

  @Test(arguments: [
    ("http://127.0.0.1:8080/x", true), ("http://localhost/x", true), ("http://127.9.9.9/", true),
    ("https://example.com/", true), ("http://example.com/", false), ("http://10.0.0.1/", false),
    ("http://127.attacker.example/simple/", false), ("http://127.0.0.1.attacker.example/", false),
    ("http://127.0.0.1x/", false), ("http://127.0.0/", false), ("http://localhost.attacker.example/", false),
    ("http://[::1]:8080/", true),
  ])
  func onlyLoopbackMayUsePlainHTTP(text: String, allowed: Bool) throws {
    let url = try WebURL(text, what: "u")
    if allowed {
      try url.requireSecureTransport("The endpoint")
    } else {
      #expect(throws: ConfigError.self) { try url.requireSecureTransport("The endpoint") }
    }
  }
}

@Suite struct PercentEncodingTests {
  @Test func encodesEverythingOutsideTheUnreservedSet() {
    #expect(PercentEncoding.encode("aZ09-._~") == "aZ09-._~")
    #expect(PercentEncoding.encode("a b/c?d#e[f]g@h:i%j+k'l$") == "a%20b%2Fc%3Fd%23e%5Bf%5Dg%40h%3Ai%25j%2Bk%27l%24")
    #expect(PercentEncoding.decode("a%20b%2f") == "a b/")
    #expect(PercentEncoding.decode("bad%zz") == nil)
  }
}

@Suite struct SecretTests {
  @Test func neverPrintsItsValue() {
    let secret = Secret("hunter2")
    #expect("\(secret)" == "***")
    #expect(String(describing: secret) == "***")
    #expect(String(reflecting: secret) == "Secret(***)")
    #expect(secret.revealed == "hunter2")
  }
}

@Suite struct JSONTests {
  @Test func parsesAndSerialisesInOrder() throws {
    let json = try JSON(parsing: Array(#"{"b":1,"a":[true,null,"x",1.5],"c":{"d":"é"}}"#.utf8), document: "doc")
    #expect(json["b"] == .integer(1))
    #expect(json["a"] == .array([.bool(true), .null, .string("x"), .double(1.5)]))
    #expect(json.serialized() == #"{"b":1,"a":[true,null,"x",1.5],"c":{"d":"é"}}"#)
  }

  @Test func rejectsDuplicateKeys() {
    let error = #expect(throws: JSONError.self) {
      try JSON(parsing: Array(#"{"access_token":"a","access_token":"b"}"#.utf8), document: "Entra ID token response")
    }
    #expect(error?.description.hasPrefix("The Entra ID token response is not valid JSON (duplicate object key") == true)
  }

  @Test(arguments: [
    Array(#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.SECRETPART"#.utf8),
    Array(#"{"access_token":eyJhbGciOiJSUzI1NiJ9SECRETPART}"#.utf8),
    Array(#"{"access_token":"eyJhbGciOiJSUzI1NiJ9SECRETPART"#.utf8) + [0x01, 0x22, 0x7D],
    Array(#"{"access_token":"eyJhbGciOiJSUzI1NiJ9SECRETPART"#.utf8) + [0xFF, 0x22, 0x7D],
    Array(#"{"access_token":"x","access_token":"eyJhbGciOiJSUzI1NiJ9SECRETPART"}"#.utf8),
    Array(#"eyJhbGciOiJSUzI1NiJ9SECRETPART"#.utf8),
  ])
  func parseErrorsGiveThePositionNotTheBytes(bytes: [UInt8]) {
    let error = #expect(throws: JSONError.self) { try JSON(parsing: bytes, document: "Entra ID token response") }
    let text = error?.description ?? ""
    #expect(text.contains("is not valid JSON ("), "\(text)")
    #expect(text.contains("line 1, column"), "\(text)")
    #expect(text.contains("byte "), "\(text)")
    for fragment in ["eyJ", "SECRET", "PART", "0x", "near"] {
      #expect(!text.contains(fragment), "\(fragment) in \(text)")
    }
  }

  @Test func accessorsNameTheDocumentAndTheField() throws {
    let json = try JSON(parsing: Array(#"{"expires_in":"3600","n":null}"#.utf8), document: "token response")
    #expect(try json.integer("expires_in", in: "token response") == 3600)
    #expect(throws: JSONError(document: "token response", problem: "has no \"access_token\" field")) {
      try json.string("access_token", in: "token response")
    }
    #expect(throws: JSONError(document: "token response", problem: "has \"n\" as null, expected a string")) {
      try json.string("n", in: "token response")
    }
  }

  @Test func invalidJSONNamesTheDocument() {
    #expect(throws: JSONError.self) { try JSON(parsing: Array("<html>".utf8), document: "x") }
  }

  @Test func stringsWithNULAndEmptyStringsRoundTrip() throws {
    let value = JSON.object([("a", .string("")), ("b", .string("x\u{0}y"))])
    #expect(try JSON(parsing: Array(value.serialized().utf8), document: "d") == value)
  }
}

@Suite struct JWTClaimsTests {
  @Test func decodesClaimsWithoutVerifying() throws {
    let claims = try #require(JWTClaims(token: Secret(unsignedJWT(githubClaims))))
    #expect(claims.issuer == "https://token.actions.githubusercontent.com")
    #expect(claims.subject == "repo:octo-org/app:ref:refs/heads/main")
    #expect(claims.audiences == ["api://AzureADTokenExchange"])
    #expect(claims.expiresAt == 1_800_000_300)
    #expect(claims.presented.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
  }

  @Test(arguments: ["", "abc", "a.b", "a.!!!.c", "a.\(Base64.encodeURL(Array("[1]".utf8))).c"])
  func rejectsNonJWTs(token: String) {
    #expect(JWTClaims(token: Secret(token)) == nil)
  }
}
