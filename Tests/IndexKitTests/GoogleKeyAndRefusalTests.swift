import Testing

@testable import IndexKit

@Suite struct GoogleServiceAccountKeyTests {
  let keyPath = CryptoFixture.path("crypto/google-service-account.json")
  var env: [String: String] { ["GOOGLE_APPLICATION_CREDENTIALS": keyPath] }

  @Test func jwtBearerGrantShape() throws {
    let stub = StubTransport { _ in
      HTTPResponse(status: 200, text: #"{"access_token":"key-tok","expires_in":3599,"token_type":"Bearer"}"#)
    }
    let registry = try googleRegistry([:], env: env)
    let credential = try registry.credential(for: gcpTarget, in: testContext(stub, env: env))
    #expect(credential.username == "oauth2accesstoken")
    #expect(credential.password.revealed == "key-tok")
    #expect(credential.expiresAt == 1_800_003_599)
    let request = try #require(stub.requests.first)
    #expect(request.url == "https://oauth2.googleapis.com/token")
    let fields = form(request.body)
    #expect(fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
    let assertion = try #require(fields["assertion"])
    let parts = assertion.split(separator: ".").map(String.init)
    #expect(parts.count == 3)
    let header = try JSON(parsing: try #require(Base64.decode(parts[0])), document: "h")
    #expect(
      header
        == .object([
          ("alg", .string("RS256")), ("typ", .string("JWT")),
          ("kid", .string("0123456789abcdef0123456789abcdef01234567")),
        ]))
    let claims = try #require(JWTClaims(token: Secret(assertion)))
    #expect(claims.issuer == "fixture@indexkey-fixture.iam.gserviceaccount.com")
    #expect(claims.audiences == ["https://oauth2.googleapis.com/token"])
    #expect(claims.text("scope") == "https://www.googleapis.com/auth/cloud-platform")
    #expect(claims.issuedAt == 1_800_000_000)
    #expect(claims.expiresAt == 1_800_003_600)
    #expect(Base64.decode(parts[2])?.count == 256)
  }

  @Test func keyThenImpersonationNamesTheKeyAccountWhenRefused() throws {
    let stub = StubTransport { request in
      if request.url.hasPrefix("https://oauth2.googleapis.com/") {
        return HTTPResponse(status: 200, text: #"{"access_token":"key-tok","expires_in":3599}"#)
      }
      return HTTPResponse(
        status: 403,
        text:
          #"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED"}}"#
      )
    }
    let registry = try googleRegistry(["gcp-service-account": "target@p.iam.gserviceaccount.com"], env: env)
    let message = thrownMessage { _ = try registry.credential(for: gcpTarget, in: testContext(stub, env: env)) }
    #expect(stub.requests[1].header("Authorization") == "Bearer key-tok")
    #expect(message.contains("roles/iam.serviceAccountTokenCreator"))
    #expect(message.contains("--member=serviceAccount:fixture@indexkey-fixture.iam.gserviceaccount.com"))
  }

  @Test func keyAsPasswordWarnsAndMakesNoRequest() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let console = CapturingConsole()
    let registry = try googleRegistry(["gcp-key-as-password": "true"], env: env)
    let credential = try registry.credential(for: gcpTarget, in: testContext(stub, env: env, console: console))
    #expect(stub.requests.isEmpty)
    #expect(credential.username == "_json_key_base64")
    #expect(credential.expiresAt == nil)
    #expect(Base64.decode(credential.password.revealed) == CryptoFixture.bytes("crypto/google-service-account.json"))
    #expect(credential.warnings.count == 1)
    #expect(credential.warnings.first?.hasPrefix("--gcp-key-as-password writes the service account key") == true)
    #expect(credential.warnings.first?.contains("never expires") == true)
    #expect(!credential.warnings.joined().contains("PRIVATE KEY"))
    #expect(console.stderr.isEmpty, "a registry never prints")
  }

  @Test func keyAsPasswordNeedsAKeyFile() {
    let message = thrownMessage {
      _ = try googleRegistry(["gcp-key-as-password": "true", "gcp-workload-identity-provider": providerName])
    }
    #expect(message.contains("--gcp-key-as-password needs a service account key file"))
  }

  @Test func anOldKeysAccountsGoogleComTokenURIIsUsed() throws {
    try withTemporaryDirectory { dir in
      let text = CryptoFixture.text("crypto/google-service-account.json").replacing(
        "https://oauth2.googleapis.com/token", with: "https://accounts.google.com/o/oauth2/token")
      let path = writeCredentials(dir, text)
      let key = try GoogleServiceAccountKey(
        json: try JSON(parsing: Array(text.utf8), document: "key"), contents: Secret(text), path: path)
      #expect(try key.tokenEndpoint(override: nil).description == "https://accounts.google.com/o/oauth2/token")
      _ = try googleRegistry([:], env: ["GOOGLE_APPLICATION_CREDENTIALS": path])
      let lookalike = writeCredentials(
        dir, text.replacing("https://accounts.google.com/", with: "https://accounts.google.com.example.test/"))
      #expect(
        thrownMessage { _ = try googleRegistry([:], env: ["GOOGLE_APPLICATION_CREDENTIALS": lookalike]) }.contains(
          "not a Google OAuth host"))
    }
  }

  @Test func aNonGoogleTokenURIIsRefusedUnlessOverridden() throws {
    try withTemporaryDirectory { dir in
      let text = CryptoFixture.text("crypto/google-service-account.json").replacing(
        "https://oauth2.googleapis.com/token", with: "https://oauth.example.test/token")
      let path = writeCredentials(dir, text)
      let message = thrownMessage { _ = try googleRegistry([:], env: ["GOOGLE_APPLICATION_CREDENTIALS": path]) }
      #expect(message.contains("has token_uri 'https://oauth.example.test/token', which is not a Google OAuth host"))
      #expect(message.contains("--gcp-oauth-endpoint"))
      #expect(throws: Never.self) {
        _ = try googleRegistry(
          ["gcp-oauth-endpoint": "http://127.0.0.1:4/token"], env: ["GOOGLE_APPLICATION_CREDENTIALS": path])
      }
    }
  }

  @Test(arguments: [
    ("Invalid JWT Signature.", "The key was deleted, disabled or never belonged to this account"),
    (
      "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      "this machine's clock is probably wrong"
    ),
  ])
  func keyGrantRefusals(description: String, expected: String) throws {
    let stub = StubTransport { _ in
      HTTPResponse(status: 400, text: #"{"error":"invalid_grant","error_description":"\#(description)"}"#)
    }
    let registry = try googleRegistry([:], env: env)
    let message = thrownMessage { _ = try registry.credential(for: gcpTarget, in: testContext(stub, env: env)) }
    #expect(
      message.hasPrefix(
        "Google's OAuth endpoint refused the service account key 0123456789abcdef0123456789abcdef01234567 of fixture@indexkey-fixture.iam.gserviceaccount.com"
      ))
    #expect(message.contains("invalid_grant (\(description))"))
    #expect(message.contains(expected))
    #expect(thrownStatus { _ = try registry.credential(for: gcpTarget, in: testContext(stub, env: env)) } == .refused)
  }
}

@Suite struct GoogleRefusalTests {
  func refusal(sts: HTTPResponse? = nil, iam: HTTPResponse? = nil) throws -> (String, IndexKit.ExitStatus?) {
    var flags = ["gcp-workload-identity-provider": providerName]
    if iam != nil { flags["gcp-service-account"] = "pusher@my-proj.iam.gserviceaccount.com" }
    let registry = try googleRegistry(flags)
    let run = {
      _ = try registry.credential(for: gcpTarget, in: testContext(googleStub(sts: sts, iam: iam), env: githubEnv()))
    }
    return (thrownMessage(run), thrownStatus(run))
  }

  func sts(_ error: String, _ description: String, status: Int = 400) -> HTTPResponse {
    HTTPResponse(status: status, text: #"{"error":"\#(error)","error_description":"\#(description)"}"#)
  }

  @Test func invalidGrantAudience() throws {
    let (message, status) = try refusal(
      sts: sts(
        "invalid_grant", "The audience in ID Token [https://github.com/octo-org] does not match the expected audience.")
    )
    #expect(status == .refused)
    #expect(
      message.hasPrefix(
        "Google STS refused to exchange the CI token for provider '//iam.googleapis.com/\(providerName)' (--gcp-workload-identity-provider): invalid_grant (The audience in ID Token"
      ))
    #expect(message.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
    #expect(message.contains("aud 'https://iam.googleapis.com/\(providerName)'"))
    #expect(message.contains("by default that is 'https://iam.googleapis.com/\(providerName)'"))
    #expect(!message.contains("issuer URI"))
  }

  @Test func invalidGrantIssuerAndExpiry() throws {
    let (issuer, _) = try refusal(
      sts: sts(
        "invalid_grant",
        "The issuer in ID Token https://token.actions.githubusercontent.com does not match the expected ones: https://gitlab.com."
      ))
    #expect(
      issuer.contains(
        "the provider's issuer URI must be exactly the token's iss 'https://token.actions.githubusercontent.com'"))
    let (expired, _) = try refusal(sts: sts("invalid_grant", "ID Token has expired."))
    #expect(expired.contains("exp 2027-01-15T08:05:00Z"))
    #expect(expired.contains("CI tokens live about 5 minutes"))
  }

  @Test func invalidTarget() throws {
    let (message, status) = try refusal(
      sts: sts(
        "invalid_target",
        "The target service indicated by the \\\"audience\\\" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn't exist."
      ))
    #expect(status == .refused)
    #expect(message.contains("does not exist, is disabled, or was deleted"))
    #expect(
      message.contains(
        "gcloud iam workload-identity-pools providers describe github --workload-identity-pool=ci-pool --location=global --project=123456789"
      ))
    #expect(message.contains("project number (not the ID) and the provider (not the pool)"))
  }

  @Test func invalidRequestAudience() throws {
    let (message, _) = try refusal(
      sts: sts(
        "invalid_request",
        "Invalid value for \\\"audience\\\". This value should be the full resource name of the Identity Provider."))
    #expect(message.contains("The audience is not a provider's full resource name."))
  }

  @Test func unauthorizedClientShowsTheClaimsForTheCondition() throws {
    let (message, status) = try refusal(
      sts: sts("unauthorized_client", "The given credential is rejected by the attribute condition."))
    #expect(status == .refused)
    #expect(message.contains("attribute condition rejected the token"))
    #expect(message.contains("repository 'octo-org/app', repository_owner 'octo-org'"))
    #expect(message.contains("assertion.repository_owner == 'octo-org'"))
  }

  @Test func stsServerFailureIsUnavailable() throws {
    let (message, status) = try refusal(sts: HTTPResponse(status: 503, text: "<html>"))
    #expect(status == .network)
    #expect(message.contains("answered HTTP 503 after retries"))
  }

  @Test func serverFailuresNameTheStatusWhateverTheBody() throws {
    let (sts, stsStatus) = try refusal(
      sts: HTTPResponse(status: 503, text: #"{"error":"backend_error","error_description":"x"}"#))
    #expect(stsStatus == .network)
    #expect(
      sts
        == "The Google STS endpoint https://sts.googleapis.com/v1/token answered HTTP 503 (backend_error) after retries; Google may be having trouble, try again later."
    )
    let (iam, iamStatus) = try refusal(
      iam: HTTPResponse(status: 500, text: #"{"error":{"code":500,"message":"m","status":"INTERNAL"}}"#))
    #expect(iamStatus == .network)
    #expect(iam.contains("answered HTTP 500 (INTERNAL) after retries"))
  }

  @Test func impersonationPermissionDeniedGivesTheBinding() throws {
    let (message, status) = try refusal(
      iam: HTTPResponse(
        status: 403,
        text:
          #"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED"}}"#
      ))
    #expect(status == .refused)
    #expect(
      message.hasPrefix(
        "IAM Credentials refused to issue a token for the service account pusher@my-proj.iam.gserviceaccount.com: PERMISSION_DENIED (Permission 'iam.serviceAccounts.getAccessToken' denied"
      ))
    #expect(message.contains("lacks roles/iam.workloadIdentityUser"))
    #expect(
      message.contains(
        "--member=principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/attribute.repository/octo-org/app"
      ))
    #expect(message.contains("sub 'repo:octo-org/app:ref:refs/heads/main'"))
  }

  @Test func impersonationWithoutRepositoryClaimUsesTheSubject() throws {
    let claims: JSON = .object([
      ("iss", .string("https://gitlab.example.test")), ("sub", .string("project_path:g/p:ref_type:branch:ref:main")),
      ("aud", .string("x")),
    ])
    let registry = try googleRegistry([
      "gcp-workload-identity-provider": providerName, "gcp-service-account": "sa@p.iam.gserviceaccount.com",
    ])
    let stub = googleStub(
      iam: HTTPResponse(status: 403, text: #"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#),
      ciToken: unsignedJWT(claims))
    let message = thrownMessage { _ = try registry.credential(for: gcpTarget, in: testContext(stub, env: githubEnv())) }
    #expect(
      message.contains(
        "--member=principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/project_path:g/p:ref_type:branch:ref:main"
      ))
  }

  @Test(arguments: [
    (
      403, "PERMISSION_DENIED",
      "IAM Service Account Credentials API has not been used in project 123456789 before or it is disabled.",
      "gcloud services enable iamcredentials.googleapis.com"
    ),
    (
      404, "NOT_FOUND", "Not found; Gaia id not found for email sa@p.iam.gserviceaccount.com",
      "The service account does not exist"
    ),
    (
      400, "INVALID_ARGUMENT", "The lifetime must be at most 3600s.",
      "constraints/iam.allowServiceAccountCredentialLifetimeExtension"
    ),
  ])
  func otherImpersonationRefusals(code: Int, status: String, text: String, expected: String) throws {
    let (message, exit) = try refusal(
      iam: HTTPResponse(status: code, text: #"{"error":{"code":\#(code),"message":"\#(text)","status":"\#(status)"}}"#))
    #expect(message.contains(expected), "\(message)")
    #expect(exit == .refused)
  }

  @Test func garbageAnswersAreUnavailable() throws {
    let (message, status) = try refusal(sts: HTTPResponse(status: 200, text: "<!DOCTYPE html>"))
    #expect(status == .network)
    #expect(message.contains("Google STS response is not valid JSON"))
    let (expiry, _) = try refusal(iam: HTTPResponse(status: 200, text: #"{"accessToken":"t","expireTime":"tomorrow"}"#))
    #expect(expiry.contains("\"expireTime\" 'tomorrow', which is not an RFC 3339 time"))
  }

  @Test func noTokenEverAppearsInAMessage() throws {
    let (message, _) = try refusal(
      iam: HTTPResponse(status: 403, text: #"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#))
    #expect(!message.contains("federated-tok"))
    #expect(!message.contains(unsignedJWT(gcpClaims)))
    #expect(!message.contains("c2lnbmF0dXJl"))
  }
}
