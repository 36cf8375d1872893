import Testing

@testable import IndexKit

/// Every credential is checked when it arrives: an expired one costs one more exchange,
/// then a sentence naming the service, the expiry and the local time.
@Suite struct FreshnessTests {
  let target = fixtureTarget(AzureArtifacts.self, "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/")
  let now: UnixTime = 1_800_000_000
  let github = GitHubActionsIdentity(
    requestURL: fixtureURL("https://gh.test/idtoken?api-version=2.0"), requestToken: Secret("req"))

  func azure() -> AzureArtifacts {
    AzureArtifacts(
      entra: EntraClient(
        tenantID: "t", clientID: "c", authorityHost: fixtureURL("https://login.microsoftonline.com"),
        auth: .federated(github, audience: "api://AzureADTokenExchange")))
  }

  /// GitHub answers a token valid 5 minutes (or expired with `ciExp`); Entra answers
  /// `entraBodies` in turn.
  func stub(entra entraBodies: [String], ciExp: [Int64] = []) -> StubTransport {
    let entra = Locked(entraBodies[...])
    let ci = Locked(ciExp[...])
    return StubTransport { request in
      if request.url.hasPrefix("https://gh.test/") {
        let exp = ci.withLock { $0.popFirst() } ?? 1_800_000_300
        var claims = githubClaims
        if case .object(var members) = claims {
          members.removeAll { $0.0 == "exp" }
          members.append(("exp", .integer(exp)))
          claims = .object(members)
        }
        return HTTPResponse(status: 200, text: #"{"value":"\#(unsignedJWT(claims))"}"#)
      }
      let body = entra.withLock { $0.popFirst() } ?? #"{"expires_in":3599,"access_token":"late"}"#
      return HTTPResponse(status: 200, text: body)
    }
  }

  @Test func anExpiredAnswerIsExchangedOnceMore() throws {
    let transport = stub(entra: [
      #"{"expires_in":0,"access_token":"dead"}"#, #"{"expires_in":3599,"access_token":"good"}"#,
    ])
    let credential = try azure().freshCredential(for: target, in: testContext(transport))
    #expect(credential.password.revealed == "good")
    #expect(credential.expiresAt == now + 3599)
    #expect(transport.requests.count == 4, "a fresh CI token and a second Entra request")
  }

  @Test func twiceExpiredIsExitFiveNamingServiceExpiryAndClock() throws {
    let transport = stub(entra: [#"{"expires_in":30,"access_token":"a"}"#, #"{"expires_in":30,"access_token":"b"}"#])
    let error = try #require(throws: ExpiredCredential.self) {
      try azure().freshCredential(for: target, in: testContext(transport))
    }
    #expect(error.exitStatus == .network)
    #expect(
      error.description.contains("Entra ID answered an access token that expires in 30 s, at 2027-01-15T08:00:30Z"))
    #expect(error.description.contains("this machine's clock says 2027-01-15T08:00:00Z"))
    #expect(!error.description.contains("clock is wrong"), "30 s is no clock skew")
    #expect(transport.requests.count == 4)
  }

  @Test func aJWTsExpOverridesALongerStatedLife() throws {
    let dead = unsignedJWT(.object([("exp", .integer(1_799_999_000))]))
    let transport = stub(entra: [
      #"{"expires_in":3599,"access_token":"\#(dead)"}"#, #"{"expires_in":3599,"access_token":"\#(dead)"}"#,
    ])
    let error = try #require(throws: ExpiredCredential.self) {
      try azure().freshCredential(for: target, in: testContext(transport))
    }
    #expect(error.expiresAt == 1_799_999_000)
    #expect(error.description.contains("expired 16 min 40 s ago"))
    #expect(error.description.contains("The two disagree by 16 min 40 s: if this machine's clock is wrong"))
  }

  @Test func anExpiredCITokenIsRetriedThenExitThree() throws {
    let transport = stub(entra: [], ciExp: [1_799_999_700, 1_799_999_700])
    let error = try #require(throws: ExpiredCredential.self) {
      try azure().freshCredential(for: target, in: testContext(transport))
    }
    #expect(error.exitStatus == .noIdentity)
    #expect(
      error.description.contains(
        "GitHub Actions OIDC answered an OIDC token that expired 5 min ago, at 2027-01-15T07:55:00Z"))
    #expect(
      transport.requests.map(\.url).allSatisfy { $0.hasPrefix("https://gh.test/") }, "Entra never saw the dead token")
    #expect(transport.requests.count == 2)
  }

  @Test func aCITokenExpiredOnceIsReplaced() throws {
    let transport = stub(entra: [], ciExp: [1_799_999_700])
    let credential = try azure().freshCredential(for: target, in: testContext(transport))
    #expect(credential.password.revealed == "late")
    #expect(transport.requests.count == 3)
  }

  @Test func anExpiredAWSSessionIsNotUsedToSign() throws {
    let calls = Locked(0)
    let transport = StubTransport { request in
      let n = calls.withLock {
        $0 += 1
        return $0
      }
      if request.url.hasPrefix("https://sts.test") {
        let expiration = n == 1 ? "2027-01-15T07:50:00Z" : "2027-01-15T09:00:00Z"
        return HTTPResponse(
          status: 200,
          text: """
            <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>\
            <AccessKeyId>AKIA</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>\
            <Expiration>\(expiration)</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
            """)
      }
      return HTTPResponse(status: 200, text: #"{"authorizationToken":"ca","expiration":1800003600}"#)
    }
    var link = AWSWebIdentityLink(
      roleARN: "arn:aws:iam::1:role/r", sessionName: "s", source: ValidIdentity(), audience: nil)
    link.stsEndpoint = try WebURL("https://sts.test", what: "u")
    let registry = AWSCodeArtifact(
      credentials: .only(link, cloud: "AWS"), codeArtifactEndpoint: try WebURL("https://ca.test", what: "u"))
    let index = try AWSCodeArtifact.target(
      for: try WebURL("https://d-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/r/simple/", what: "u"))
    let credential = try registry.freshCredential(for: index, in: testContext(transport))
    #expect(credential.password.revealed == "ca")
    #expect(transport.requests.map(\.url).map { $0.hasPrefix("https://sts.test") } == [true, true, false])
  }

  @Test func noExpiryNoCheck() throws {
    #expect(try Freshness.check("a token", from: "X", stated: nil, token: Secret("opaque"), now: now) == nil)
    #expect(try Freshness.check("a token", from: "X", stated: now + 61, token: nil, now: now) == now + 61)
    #expect(throws: ExpiredCredential.self) {
      try Freshness.check("a token", from: "X", stated: now + 59, token: nil, now: now)
    }
  }
}

/// A CI identity answering a fixed, valid-looking token.
private struct ValidIdentity: IdentitySource {
  var name: String { "a test identity" }
  func idToken(audience: String, in context: Context) throws -> Secret {
    Secret(unsignedJWT(.object([("sub", .string("s")), ("exp", .integer(1_800_000_300))])))
  }
}

@Suite struct UnparseableSuccessTests {
  func transport(_ responses: [HTTPResponse]) -> (RetryingTransport, StubTransport) {
    let stub = StubTransport(sequence: responses.map { .success($0) })
    return (RetryingTransport(stub, policy: RetryPolicy(random: { 0 }), sleep: { _ in }), stub)
  }

  @Test(arguments: [("application/json", #"{"ok":true}"#), ("text/xml", "<ok/>")])
  func aGarbled2xxIsRetried(accept: String, good: String) throws {
    let (retrying, stub) = transport([
      HTTPResponse(status: 200, text: "<!DOCTYPE html><html>502 Bad Gateway"), HTTPResponse(status: 200, text: good),
    ])
    var request = HTTPRequest(url: "https://x.test/", purpose: "p")
    request.setHeader("Accept", accept)
    #expect(try retrying.send(request).text == good)
    #expect(stub.requests.count == 2)
  }

  @Test func aPersistentlyGarbled2xxIsHandedBackForTheCallerToName() throws {
    let garbage = HTTPResponse(status: 200, text: "{\"access_tok")
    let (retrying, stub) = transport(Array(repeating: garbage, count: 4))
    var request = HTTPRequest(url: "https://x.test/", purpose: "p")
    request.setHeader("Accept", "application/json")
    #expect(try retrying.send(request) == garbage)
    #expect(stub.requests.count == 4)
  }

  @Test func anXMLAnswerWithAnotherRootIsRetried() throws {
    let (retrying, stub) = transport([
      HTTPResponse(status: 200, text: "<!DOCTYPE html><html><body>502</body></html>"),
      HTTPResponse(status: 200, text: "<Answer/>"),
    ])
    var request = HTTPRequest(url: "https://x.test/", purpose: "p")
    request.setHeader("Accept", "text/xml")
    request.expectedRoot = "Answer"
    #expect(try retrying.send(request).text == "<Answer/>")
    #expect(stub.requests.count == 2)
  }

  @Test func bodiesOfOtherTypesAndOtherStatusesAreNotJudged() throws {
    let (retrying, stub) = transport([
      HTTPResponse(status: 200, text: "not json"), HTTPResponse(status: 400, text: "not json"),
    ])
    #expect(try retrying.send(HTTPRequest(url: "https://x.test/", purpose: "p")).status == 200)
    var request = HTTPRequest(url: "https://x.test/", purpose: "p")
    request.setHeader("Accept", "application/json")
    #expect(try retrying.send(request).status == 400)
    #expect(stub.requests.count == 2)
  }
}
