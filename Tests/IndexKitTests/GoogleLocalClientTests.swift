import Glibc
import Testing

@testable import IndexKit

/// The Google clients of laptops and runtimes: the refresh-token grant, impersonated and
/// workforce files, the gcloud configuration and CLI, the metadata server's token.
@Suite struct GoogleLocalClientTests {
  let now: UnixTime = 1_800_000_010
  let userJSON: JSON = .object([
    ("type", .string("authorized_user")), ("client_id", .string("cid.apps.googleusercontent.com")),
    ("client_secret", .string("client-secret")), ("refresh_token", .string("1//refresh")),
    ("quota_project_id", .string("q")),
  ])

  func oauth() throws -> WebURL { try WebURL("https://oauth2.googleapis.com/token", what: "t") }

  @Test func refreshGrantSendsTheFilesClient() throws {
    let stub = StubTransport { _ in
      HTTPResponse(status: 200, text: #"{"access_token":"ya29.user","expires_in":3599,"token_type":"Bearer"}"#)
    }
    let user = try GoogleAuthorizedUser(json: userJSON, path: "/h/adc.json", origin: "the gcloud ADC file")
    let token = try user.accessToken(endpoint: try oauth(), in: identityContext([:], transport: stub, now: now))
    #expect(token.value.revealed == "ya29.user" && token.expiresAt == now + 3599)
    let request = try #require(stub.requests.first)
    #expect(request.url == "https://oauth2.googleapis.com/token" && request.header("Authorization") == nil)
    #expect(
      form(request.body) == [
        "grant_type": "refresh_token", "refresh_token": "1//refresh", "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "client-secret",
      ])
  }

  @Test func revokedRefreshTokenSaysToSignInAgain() throws {
    let stub = StubTransport { _ in
      HTTPResponse(
        status: 400, text: #"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#)
    }
    let user = try GoogleAuthorizedUser(json: userJSON, path: "/h/adc.json", origin: "the gcloud ADC file")
    let thrown = #expect(throws: IdentityError.self) {
      try user.accessToken(endpoint: try oauth(), in: identityContext([:], transport: stub, now: now))
    }
    #expect(thrown?.message.contains("Run `gcloud auth application-default login` again.") == true)
    #expect(thrown?.message.contains("1//refresh") == false && thrown?.message.contains("client-secret") == false)
    let missing = errorMessage {
      try GoogleAuthorizedUser(json: .object([("client_id", .string("c"))]), path: "/h/adc.json", origin: "o")
    }
    #expect(
      missing?.contains("has no \"client_secret\" field") == true
        && missing?.contains("gcloud auth application-default login") == true)
  }

  @Test func impersonatedFileRedeemsItsSourceThenImpersonates() throws {
    let file: JSON = .object([
      ("type", .string("impersonated_service_account")),
      (
        "service_account_impersonation_url",
        .string(
          "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"
        )
      ),
      ("source_credentials", userJSON), ("delegates", .array([])),
    ])
    let stub = StubTransport { request in
      request.url.contains("oauth2")
        ? HTTPResponse(status: 200, text: #"{"access_token":"ya29.user","expires_in":3599}"#)
        : HTTPResponse(status: 200, text: #"{"accessToken":"ya29.sa","expireTime":"2027-01-15T09:00:00Z"}"#)
    }
    let parsed = try GoogleImpersonatedFile(
      json: file, contents: Secret(file.serialized()), path: "/h/adc.json", origin: "o", oauthOverride: nil,
      iamOverride: nil)
    let token = try parsed.accessToken(in: identityContext([:], transport: stub, now: now))
    #expect(token.value.revealed == "ya29.sa")
    #expect(stub.requests.count == 2 && stub.requests[1].header("Authorization") == "Bearer ya29.user")
    // a file may not send a token off Google by itself; only the flag may
    var elsewhere = file
    if case .object(var fields) = file {
      fields[1] = (
        "service_account_impersonation_url",
        .string("https://evil.example/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken")
      )
      elsewhere = .object(fields)
    }
    let refused = errorMessage {
      try GoogleImpersonatedFile(
        json: elsewhere, contents: Secret(""), path: "/h/adc.json", origin: "o", oauthOverride: nil, iamOverride: nil)
    }
    #expect(refused?.contains("is not on googleapis.com") == true)
    let moved = try GoogleImpersonatedFile(
      json: elsewhere, contents: Secret(""), path: "/h/adc.json", origin: "o", oauthOverride: nil,
      iamOverride: try WebURL("http://127.0.0.1:9", what: "t"))
    #expect(
      moved.impersonation.endpoint.description
        == "http://127.0.0.1:9/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:generateAccessToken")
  }

  @Test func workforceRefreshSendsTheClientInABasicHeader() throws {
    let file: JSON = .object([
      ("type", .string("external_account_authorized_user")),
      ("audience", .string("//iam.googleapis.com/locations/global/workforcePools/p/providers/x")),
      ("client_id", .string("wf-client")), ("client_secret", .string("wf-secret")),
      ("refresh_token", .string("wf-refresh")),
      ("token_url", .string("https://sts.googleapis.com/v1/oauthtoken")),
    ])
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"access_token":"ya29.wf","expires_in":3600}"#) }
    let user = try GoogleExternalAuthorizedUser(json: file, path: "/h/adc.json", origin: "o", stsOverride: nil)
    #expect(try user.accessToken(in: identityContext([:], transport: stub, now: now)).value.revealed == "ya29.wf")
    let request = try #require(stub.requests.first)
    #expect(request.header("Authorization") == "Basic " + Base64.encode(Array("wf-client:wf-secret".utf8)))
    #expect(form(request.body) == ["grant_type": "refresh_token", "refresh_token": "wf-refresh"])
  }

  @Test func gcloudConfigFindsTheActiveAccount() throws {
    try withTemporaryDirectory { dir in
      _ = mkdir("\(dir)/configurations", 0o755)
      writeFile("\(dir)/active_config", "work\n")
      writeFile("\(dir)/configurations/config_work", "[core]\naccount = dev@example.com\nproject = p\n")
      writeFile("\(dir)/configurations/config_home", "[core]\naccount = me@example.com\n")
      let env = ["CLOUDSDK_CONFIG": dir]
      #expect(
        GcloudConfig.load(environment: Environment(env), home: "/h")
          == GcloudConfig(directory: dir, configuration: "work", account: "dev@example.com"))
      var other = env
      other["CLOUDSDK_ACTIVE_CONFIG_NAME"] = "home"
      #expect(GcloudConfig.load(environment: Environment(other), home: "/h").account == "me@example.com")
      other["CLOUDSDK_CORE_ACCOUNT"] = "forced@example.com"
      #expect(GcloudConfig.load(environment: Environment(other), home: "/h").account == "forced@example.com")
      #expect(
        GcloudConfig.load(environment: Environment([:]), home: dir).adcPath
          == "\(dir)/.config/gcloud/application_default_credentials.json")
    }
  }

  @Test func gcloudCLIPrintsOneTokenTrustedForFiveMinutes() throws {
    let runner = FakeProcessRunner(printing: "ya29.cli\n")
    let token = try GcloudCLI().accessToken(in: identityContext(["CLOUDSDK_CONFIG": "/c"], runner: runner, now: now))
    #expect(token.value.revealed == "ya29.cli" && token.expiresAt == now + 300)
    #expect(runner.runs.first?.arguments == ["gcloud", "auth", "print-access-token"])
    #expect(runner.runs.first?.environment["CLOUDSDK_CONFIG"] == "/c" && runner.runs.first?.timeout == 30)
    let none = FakeProcessRunner { _, _ in
      ProcessOutput(
        status: 1, stdout: [],
        stderr: Array(
          "ERROR: (gcloud.auth.print-access-token) You do not currently have an active account selected.\nPlease run:\n\n  $ gcloud auth login\n"
            .utf8))
    }
    #expect(
      errorMessage { try GcloudCLI().accessToken(in: identityContext([:], runner: none, now: now)) }
        == "The gcloud CLI has no active account; run `gcloud auth login` (or `gcloud config set account ACCOUNT`).")
  }

  @Test func metadataTokenNeedsTheCloudPlatformScope() throws {
    let scopes = "https://www.googleapis.com/auth/cloud-platform\nhttps://www.googleapis.com/auth/userinfo.email\n"
    let stub = StubTransport { request in
      request.url.hasSuffix("/scopes")
        ? HTTPResponse(status: 200, text: scopes)
        : HTTPResponse(status: 200, text: #"{"access_token":"ya29.md","expires_in":3000,"token_type":"Bearer"}"#)
    }
    let token = try GoogleMetadataToken(environment: Environment(["GCE_METADATA_HOST": "127.0.0.1:9"])).accessToken(
      in: identityContext([:], transport: stub, now: now))
    #expect(token.value.revealed == "ya29.md" && token.expiresAt == now + 3000)
    #expect(
      stub.requests.map(\.url) == [
        "http://127.0.0.1:9/computeMetadata/v1/instance/service-accounts/default/scopes",
        "http://127.0.0.1:9/computeMetadata/v1/instance/service-accounts/default/token",
      ])
    #expect(stub.requests.allSatisfy { $0.header("Metadata-Flavor") == "Google" && $0.timeout == 3 })
    let narrow = StubTransport { _ in
      HTTPResponse(status: 200, text: "https://www.googleapis.com/auth/devstorage.read_only\n")
    }
    let message = errorMessage {
      try GoogleMetadataToken(host: "127.0.0.1:9").accessToken(in: identityContext([:], transport: narrow, now: now))
    }
    #expect(
      message?.contains("without https://www.googleapis.com/auth/cloud-platform") == true
        && message?.contains("--scopes=cloud-platform") == true)
    #expect(narrow.requests.count == 1)
  }
}
