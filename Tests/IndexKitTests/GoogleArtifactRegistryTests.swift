import Testing

@testable import IndexKit

let providerName = "projects/123456789/locations/global/workloadIdentityPools/ci-pool/providers/github"
let gcpClaims: JSON = .object([
  ("iss", .string("https://token.actions.githubusercontent.com")),
  ("sub", .string("repo:octo-org/app:ref:refs/heads/main")),
  ("aud", .string("https://iam.googleapis.com/" + providerName)),
  ("exp", .integer(1_800_000_300)),
  ("repository", .string("octo-org/app")),
  ("repository_owner", .string("octo-org")),
])

/// Answers a CI token, then STS, then IAM Credentials; records everything.
func googleStub(sts: HTTPResponse? = nil, iam: HTTPResponse? = nil, ciToken: String = unsignedJWT(gcpClaims))
  -> StubTransport
{
  StubTransport { request in
    if request.url.hasPrefix("https://gh.test/") { return HTTPResponse(status: 200, text: #"{"value":"\#(ciToken)"}"#) }
    if request.url.hasPrefix("https://sts.googleapis.com/") {
      return sts
        ?? HTTPResponse(
          status: 200,
          text:
            #"{"access_token":"federated-tok","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":299}"#
        )
    }
    if request.url.hasPrefix("https://iamcredentials.googleapis.com/") {
      return iam ?? HTTPResponse(status: 200, text: #"{"accessToken":"sa-tok","expireTime":"2027-01-15T08:40:00Z"}"#)
    }
    return HTTPResponse(status: 404, text: "unexpected \(request.url)")
  }
}

let gcpTarget = fixtureTarget(
  GoogleArtifactRegistry.self, "https://europe-west1-python.pkg.dev/my-proj/my-repo/simple/")

func githubEnv(_ extra: [String: String] = [:]) -> [String: String] {
  [
    "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://gh.test/idtoken?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-token",
  ]
  .merging(extra) { $1 }
}

func googleRegistry(_ flags: [String: String], env: [String: String] = githubEnv(), identity: IdentitySpec = .auto)
  throws -> GoogleArtifactRegistry
{
  try GoogleArtifactRegistry.make(settings: Settings(flags: flags, environment: Environment(env)), identity: identity)
}

/// Runs `body` and returns the message of the error it throws (or fails the test).
func thrownMessage(_ body: () throws -> Void) -> String {
  do {
    try body()
    Issue.record("expected an error")
    return ""
  } catch {
    return asUserFacing(error).message
  }
}

func thrownStatus(_ body: () throws -> Void) -> IndexKit.ExitStatus? {
  do {
    try body()
    return nil
  } catch {
    return asUserFacing(error).exitStatus
  }
}

@Suite struct GoogleURLTests {
  @Test(arguments: [
    (
      "https://us-python.pkg.dev/proj/repo/simple/", "https://us-python.pkg.dev/proj/repo/simple/",
      "https://us-python.pkg.dev/proj/repo/", "repo"
    ),
    (
      "https://europe-west1-python.pkg.dev/proj/repo/", "https://europe-west1-python.pkg.dev/proj/repo/simple/",
      "https://europe-west1-python.pkg.dev/proj/repo/", "repo"
    ),
    (
      "https://us-python.pkg.dev/proj/repo", "https://us-python.pkg.dev/proj/repo/simple/",
      "https://us-python.pkg.dev/proj/repo/", "repo"
    ),
    (
      "https://us-python.pkg.dev/proj/repo/simple/requests/", "https://us-python.pkg.dev/proj/repo/simple/",
      "https://us-python.pkg.dev/proj/repo/", "repo"
    ),
  ])
  func derivesInstallAndUploadURLs(given: String, simple: String, upload: String, name: String) throws {
    let url = try WebURL(given, what: "u")
    #expect(Registries.recognise(url) is GoogleArtifactRegistry.Type)
    let target = try GoogleArtifactRegistry.target(for: url)
    #expect(target.simpleURL.description == simple)
    #expect(target.uploadURL?.description == upload)
    #expect(target.name == name)
  }

  @Test(arguments: ["https://us-python.pkg.dev/proj/", "https://us-python.pkg.dev/proj/repo/packages/x"])
  func refusesOtherPaths(given: String) throws {
    #expect(throws: ConfigError.self) { try GoogleArtifactRegistry.target(for: try WebURL(given, what: "u")) }
  }

  @Test func otherHostsAreNotGoogle() throws {
    #expect(!GoogleArtifactRegistry.matchesHost(try WebURL("https://us-docker.pkg.dev/p/r/", what: "u")))
    #expect(!GoogleArtifactRegistry.matchesHost(try WebURL("https://python.pkg.dev.example.com/p/r/", what: "u")))
  }

  @Test(arguments: [
    ("https://sts.googleapis.com/v1/token", true), ("https://sts.europe-west1.rep.googleapis.com/v1/token", true),
    ("https://googleapis.com/x", true), ("http://sts.googleapis.com/v1/token", false),
    ("https://sts.googleapis.com:8443/v1/token", false), ("https://sts.googleapis.com.evil.test/v1/token", false),
    ("https://evilgoogleapis.com/token", false), ("https://127.0.0.1:9/v1/token", false),
  ])
  func googleAPIHosts(url: String, google: Bool) throws {
    #expect(GoogleHosts.isGoogleAPI(try WebURL(url, what: "u")) == google)
  }
}

@Suite struct WorkloadIdentityProviderTests {
  @Test(arguments: [providerName, "//iam.googleapis.com/" + providerName, "https://iam.googleapis.com/" + providerName])
  func parsesTheResourceName(text: String) throws {
    let provider = try WorkloadIdentityProvider(parsing: text, what: "--p")
    #expect(provider.stsAudience == "//iam.googleapis.com/" + providerName)
    #expect(provider.defaultTokenAudience == "https://iam.googleapis.com/" + providerName)
    #expect(provider.poolResource == "projects/123456789/locations/global/workloadIdentityPools/ci-pool")
  }

  @Test func aPoolIsNotAProvider() {
    let message = thrownMessage {
      _ = try WorkloadIdentityProvider(
        parsing: "projects/123/locations/global/workloadIdentityPools/ci-pool", what: "--p")
    }
    #expect(message.contains("names the pool 'ci-pool', not a provider"))
    #expect(message.contains("projects/123/locations/global/workloadIdentityPools/ci-pool/providers/PROVIDER"))
  }

  @Test func aProjectIDIsNotANumber() {
    let message = thrownMessage {
      _ = try WorkloadIdentityProvider(
        parsing: "projects/my-proj/locations/global/workloadIdentityPools/p/providers/x", what: "--p")
    }
    #expect(message.contains("names the project by its ID 'my-proj'"))
    #expect(message.contains("gcloud projects describe my-proj --format='value(projectNumber)'"))
  }

  @Test(arguments: [
    "ci-pool", "projects/1/locations/global/workloadIdentityPools/p/providers/", "projects/1/pools/p/providers/x",
  ])
  func otherShapesAreRefused(text: String) {
    #expect(
      thrownMessage { _ = try WorkloadIdentityProvider(parsing: text, what: "--p") }.contains(
        "expected projects/PROJECT_NUMBER/"))
  }
}

@Suite struct GoogleFederationTests {
  @Test func exchangesTheCITokenWithoutImpersonation() throws {
    let stub = googleStub()
    let registry = try googleRegistry(["gcp-workload-identity-provider": providerName])
    let credential = try registry.credential(for: gcpTarget, in: testContext(stub, env: githubEnv()))
    #expect(credential.username == "oauth2accesstoken")
    #expect(credential.password.revealed == "federated-tok")
    #expect(credential.expiresAt == 1_800_000_299)
    let requests = stub.requests
    #expect(requests.count == 2)
    #expect(
      requests[0].url == "https://gh.test/idtoken?api-version=2.0&audience=https%3A%2F%2Fiam.googleapis.com%2F"
        + PercentEncoding.encode(providerName))
    #expect(requests[1].method == .post)
    #expect(requests[1].url == "https://sts.googleapis.com/v1/token")
    #expect(requests[1].header("Authorization") == nil)
    #expect(requests[1].header("Content-Type") == "application/x-www-form-urlencoded")
    #expect(
      form(requests[1].body) == [
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": "//iam.googleapis.com/" + providerName,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": unsignedJWT(gcpClaims),
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
      ])
  }

  @Test func impersonatesWithTheFederatedToken() throws {
    let stub = googleStub()
    let registry = try googleRegistry([
      "gcp-workload-identity-provider": providerName, "gcp-service-account": "pusher@my-proj.iam.gserviceaccount.com",
      "gcp-audience": "custom-aud",
    ])
    let credential = try registry.credential(for: gcpTarget, in: testContext(stub, env: githubEnv()))
    #expect(credential.password.revealed == "sa-tok")
    #expect(credential.expiresAt == RFC3339.parse("2027-01-15T08:40:00Z"))
    let requests = stub.requests
    #expect(requests.count == 3)
    // STS and IAM Credentials are connected to while the CI token is fetched
    #expect(
      stub.prepared == [
        .init(url: "https://sts.googleapis.com/v1/token", afterRequests: 0),
        .init(
          url:
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/pusher%40my-proj.iam.gserviceaccount.com:generateAccessToken",
          afterRequests: 0),
      ])
    #expect(requests[0].url.hasSuffix("&audience=custom-aud"))
    #expect(
      requests[2].url
        == "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/pusher%40my-proj.iam.gserviceaccount.com:generateAccessToken"
    )
    #expect(requests[2].header("Authorization") == "Bearer federated-tok")
    #expect(requests[2].header("Content-Type") == "application/json")
    let body = try JSON(parsing: requests[2].body, document: "b")
    #expect(
      body
        == .object([
          ("scope", .array([.string("https://www.googleapis.com/auth/cloud-platform")])),
          ("lifetime", .string("3600s")),
        ]))
  }

  @Test func endpointOverridesAreHonouredAndMustBeSecure() throws {
    let registry = try googleRegistry([
      "gcp-workload-identity-provider": providerName, "gcp-service-account": "sa@p.iam.gserviceaccount.com",
      "gcp-sts-endpoint": "http://127.0.0.1:9/v1/token", "gcp-iam-credentials-endpoint": "http://127.0.0.1:8/base/",
    ])
    let link = try #require(registry.credentials.link as? GoogleFederationLink)
    #expect(link.federation.sts.endpoint.description == "http://127.0.0.1:9/v1/token")
    #expect(
      link.impersonation?.endpoint.description
        == "http://127.0.0.1:8/base/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:generateAccessToken")
    let message = thrownMessage {
      _ = try googleRegistry([
        "gcp-workload-identity-provider": providerName, "gcp-sts-endpoint": "http://sts.example.test/",
      ])
    }
    #expect(message.contains("is not https"))
  }

  @Test func needsAProviderOrACredentialsFile() {
    let message = thrownMessage { _ = try googleRegistry([:]) }
    #expect(message.contains("--gcp-workload-identity-provider"))
    #expect(message.contains("GOOGLE_APPLICATION_CREDENTIALS"))
  }

  @Test func serviceAccountMustBeAnEmail() {
    let message = thrownMessage {
      _ = try googleRegistry([
        "gcp-workload-identity-provider": providerName, "gcp-service-account": "projects/-/serviceAccounts/x",
      ])
    }
    #expect(message.contains("is not a service account email"))
  }
}
