import Glibc
import Testing

@testable import IndexKit

@Suite struct ManagedIdentityTests {
  static let resourceQuery = "resource=499b84ac-1321-427f-aa17-267ca6975798"
  let token = unsignedJWT(.object([("exp", .integer(1_800_003_600))]))

  func detect(_ env: [String: String], tag: String? = nil, arc: Bool = false) throws -> Result<
    ManagedIdentity, ManagedIdentity.Skipped
  > {
    try ManagedIdentity.detect(Environment(env), assetTag: { tag }, arcAgentInstalled: { arc })
  }

  @Test func findsEachPlatformFromItsVariablesAndALaptopHasNone() throws {
    guard
      case .success(let app) = try detect([
        "IDENTITY_ENDPOINT": "http://localhost:8081/msi/token", "IDENTITY_HEADER": "h",
      ]),
      case .appService(let url, let header) = app.endpoint
    else {
      Issue.record("App Service not found")
      return
    }
    #expect(url.description == "http://localhost:8081/msi/token" && header.revealed == "h")
    guard
      case .success(let arc) = try detect([
        "IDENTITY_ENDPOINT": "http://localhost:40342/metadata/identity/oauth2/token",
        "IMDS_ENDPOINT": "http://localhost:40342",
      ]),
      case .arc = arc.endpoint
    else {
      Issue.record("Arc not found")
      return
    }
    guard case .success(let agent) = try detect([:], arc: true), case .arc(let agentURL) = agent.endpoint else {
      Issue.record("the Arc agent on disk was not noticed")
      return
    }
    #expect(agentURL.description == ManagedIdentity.arcDefaultEndpoint)
    guard
      case .success(let pod) = try detect([
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9999/", "AZURE_CLIENT_ID": "uami",
      ]),
      case .imds(let podURL, let podProbe) = pod.endpoint
    else {
      Issue.record("IMDS override not used")
      return
    }
    #expect(
      podURL.description == "http://127.0.0.1:9999/metadata/identity/oauth2/token" && !podProbe
        && pod.clientID == "uami")
    guard case .success(let vm) = try detect([:], tag: ManagedIdentity.azureAssetTag),
      case .imds(let vmURL, let probe) = vm.endpoint
    else {
      Issue.record("an Azure VM was not recognised")
      return
    }
    #expect(vmURL.description == "http://169.254.169.254/metadata/identity/oauth2/token" && probe)
    guard case .failure(let skipped) = try detect([:], tag: "1234-5678") else {
      Issue.record("a laptop has no managed identity")
      return
    }
    #expect(skipped.reason == "not on Azure compute (no IDENTITY_ENDPOINT, and the machine is not an Azure VM)")
  }

  @Test func refusesAnIdentityEndpointOnAnotherMachineOverPlainHTTP() {
    let message = errorMessage { try detect(["IDENTITY_ENDPOINT": "http://evil.example/msi", "IDENTITY_HEADER": "h"]) }
    #expect(message?.contains("neither https nor on this machine") == true)
  }

  @Test func appServiceSendsItsHeaderAndReadsExpiresOnAsAString() throws {
    let body = #"{"access_token":"\#(token)","expires_on":"1800003000","resource":"r","token_type":"Bearer"}"#
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: body) }
    let mi = ManagedIdentity(
      endpoint: .appService(url: try WebURL("http://127.0.0.1:8081/msi/token", what: "t"), header: Secret("hdr")),
      clientID: "uami-id")
    let got = try mi.accessToken(in: testContext(stub))
    #expect(got == AzureAccessToken(value: Secret(token), expiresAt: 1_800_003_000, holder: .application))
    let request = try #require(stub.requests.first)
    #expect(
      request.url == "http://127.0.0.1:8081/msi/token?api-version=2019-08-01&\(Self.resourceQuery)&client_id=uami-id")
    #expect(request.header("X-IDENTITY-HEADER") == "hdr")
  }

  @Test func imdsIsProbedWithAShortTimeoutBeforeTheTokenRequest() throws {
    let body = #"{"access_token":"\#(token)","expires_in":"3599","expires_on":"1800003599","token_type":"Bearer"}"#
    let stub = StubTransport { request in
      request.header("Metadata") == "true"
        ? HTTPResponse(status: 200, text: body) : HTTPResponse(status: 400, text: "{}")
    }
    let mi = ManagedIdentity(
      endpoint: .imds(url: try WebURL("http://169.254.169.254/metadata/identity/oauth2/token", what: "t"), probe: true))
    let got = try mi.accessToken(in: testContext(stub))
    #expect(got.expiresAt == 1_800_003_599)
    #expect(stub.requests.count == 2)
    #expect(
      stub.requests[0].timeout == 1 && stub.requests[0].retryable == false && stub.requests[0].header("Metadata") == nil
    )
    #expect(
      stub.requests[1].url
        == "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&\(Self.resourceQuery)")
    #expect(stub.requests[1].timeout == nil)
  }

  @Test func anIMDSThatDoesNotAnswerIsANetworkFailureWithoutATokenRequest() throws {
    let stub = StubTransport { (request: HTTPRequest) throws(HTTPError) -> HTTPResponse in
      throw .timeout(purpose: request.purpose, url: request.url, seconds: 1)
    }
    let mi = ManagedIdentity(
      endpoint: .imds(url: try WebURL("http://169.254.169.254/metadata/identity/oauth2/token", what: "t"), probe: true))
    #expect(errorStatus { try mi.accessToken(in: testContext(stub)) } == .network)
    #expect(errorMessage { try mi.accessToken(in: testContext(stub)) }?.contains("did not answer within 1 s") == true)
    #expect(stub.requests.allSatisfy { $0.purpose == "instance metadata service probe" })
  }

  @Test func anIdentityNotAssignedIsRefusedNamingAzureClientID() throws {
    let stub = StubTransport { _ in
      HTTPResponse(status: 400, text: #"{"error":"invalid_request","error_description":"Identity not found"}"#)
    }
    let mi = ManagedIdentity(
      endpoint: .imds(url: try WebURL("http://127.0.0.1:1/metadata/identity/oauth2/token", what: "t"), probe: false),
      clientID: "c")
    #expect(errorStatus { try mi.accessToken(in: testContext(stub)) } == .refused)
    let message = errorMessage { try mi.accessToken(in: testContext(stub)) }
    #expect(message?.contains("user-assigned identity c (AZURE_CLIENT_ID)") == true)
  }

  @Test func arcReadsTheChallengedKeyFileFromItsDirectoryOnly() throws {
    try withTemporaryDirectory { dir in
      writeFile("\(dir)/abc.key", "arc-secret-key\n", mode: 0o600)
      let body = #"{"access_token":"\#(token)","expires_in":"3599"}"#
      let realm = Locked("\(dir)/abc.key")
      let stub = StubTransport { request in
        if request.header("Authorization") == nil {
          return HTTPResponse(
            status: 401, headers: [HTTPHeader("WWW-Authenticate", "Basic realm=\(realm.withLock { $0 })")])
        }
        return HTTPResponse(status: 200, text: body)
      }
      let mi = ManagedIdentity(
        endpoint: .arc(url: try WebURL("http://127.0.0.1:40342/metadata/identity/oauth2/token", what: "t")),
        arcKeyDirectory: dir)
      #expect(try mi.accessToken(in: testContext(stub)).value.revealed == token)
      #expect(stub.requests.map { $0.header("Authorization") } == [nil, "Basic arc-secret-key"])
      #expect(stub.requests[0].url.contains("api-version=2020-06-01"))

      for bad in ["/etc/passwd", "\(dir)/../abc.key", "\(dir)/abc.txt", "\(dir)/sub/abc.key"] {
        realm.withLock { $0 = bad }
        let message = errorMessage { try mi.accessToken(in: testContext(stub)) }
        #expect(message?.contains("refusing to read it") == true, "\(bad)")
      }
      writeFile("\(dir)/big.key", String(repeating: "k", count: 5000))
      realm.withLock { $0 = "\(dir)/big.key" }
      #expect(errorMessage { try mi.accessToken(in: testContext(stub)) }?.contains("larger than 4096 bytes") == true)
    }
  }
}
