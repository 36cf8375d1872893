import Testing

@testable import IndexKit

/// A process runner that answers from a closure and records what it was asked to run.
final class StubProcessRunner: ProcessRunner {
  let calls = Locked<[(arguments: [String], environment: Environment, timeout: Double)]>([])
  let answer: @Sendable ([String], Environment) throws(ProcessError) -> ProcessOutput

  init(_ answer: @escaping @Sendable ([String], Environment) throws(ProcessError) -> ProcessOutput) {
    self.answer = answer
  }

  func run(_ arguments: [String], environment: Environment, timeout: Double) throws(ProcessError) -> ProcessOutput {
    calls.withLock { $0.append((arguments, environment, timeout)) }
    return try answer(arguments, environment)
  }
}

/// An external_account document with `credential_source` and optional extra members.
func externalAccountJSON(source: String, extra: String = "") -> String {
  """
  {"type": "external_account",
   "audience": "//iam.googleapis.com/\(providerName)",
   "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
   "token_url": "https://sts.googleapis.com/v1/token",
   \(extra)
   "credential_source": \(source)}
  """
}

func writeCredentials(_ dir: String, _ text: String) -> String {
  let path = dir + "/credentials.json"
  writeFile(path, text)
  return path
}

@Suite struct ExternalAccountParsingTests {
  func parse(_ text: String, env: [String: String] = [:]) throws -> ExternalAccount {
    try ExternalAccount(
      json: try JSON(parsing: Array(text.utf8), document: "d"), path: "/etc/gcp.json", environment: Environment(env))
  }

  @Test func readsAGcloudFileWithImpersonation() throws {
    let account = try parse(
      externalAccountJSON(
        source: #"{"file": "/var/run/token", "format": {"type": "json", "subject_token_field_name": "value"}}"#,
        extra:
          #""service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken", "service_account_impersonation": {"token_lifetime_seconds": 1800},"#
      ))
    #expect(account.audience == "//iam.googleapis.com/" + providerName)
    #expect(account.impersonatedAccount == "sa@p.iam.gserviceaccount.com")
    #expect(account.tokenLifetime == 1800)
    guard case .file(let path, let format) = account.source else {
      Issue.record("not a file source")
      return
    }
    #expect(path == "/var/run/token")
    #expect(format == .json(field: "value"))
    #expect(try account.stsEndpoint(override: nil).description == "https://sts.googleapis.com/v1/token")
  }

  @Test(arguments: [
    (
      #"{"audience": "a", "token_url": "https://sts.googleapis.com/v1/token", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}"#,
      #"has no "credential_source" field"#
    ),
    (
      externalAccountJSON(source: #"{"file": "/t"}"#).replacingFirst(
        #""audience": "//iam.googleapis.com/\#(providerName)","#, with: ""), #"has no "audience" field"#
    ),
    (
      externalAccountJSON(source: #"{"file": "/t"}"#).replacingFirst(
        #""token_url": "https://sts.googleapis.com/v1/token","#, with: ""), #"has no "token_url" field"#
    ),
    (externalAccountJSON(source: #"{"file": 42}"#), #"has "credential_source.file" as a number, expected a string"#),
    (externalAccountJSON(source: #"{"file": "/t", "format": {"type": "json"}}"#), "without subject_token_field_name"),
    (externalAccountJSON(source: #"{"file": "/t", "format": {"type": "yaml"}}"#), "format.type 'yaml'"),
    (
      externalAccountJSON(source: #"{"environment_id": "aws1", "region_url": "http://169.254.169.254"}"#),
      "environment_id 'aws1'"
    ),
    (
      externalAccountJSON(source: #"{"certificate": {"use_default_certificate_config": true}}"#),
      "credential_source.certificate"
    ),
    (externalAccountJSON(source: #"{"nothing": 1}"#), #"none of "file", "url" or "executable" (it has: nothing)"#),
    (externalAccountJSON(source: #""/path""#), "has credential_source as a string, expected an object"),
    (
      externalAccountJSON(source: #"{"url": "http://metadata.example.test/token"}"#),
      #"unusable "credential_source.url""#
    ),
    (
      externalAccountJSON(source: #"{"executable": {"command": "get-token --x"}}"#),
      "must start with the program's absolute path"
    ),
    (
      externalAccountJSON(source: #"{"executable": {"command": "/bin/t", "timeout_millis": 1000}}"#),
      "timeout_millis 1000"
    ),
    (
      externalAccountJSON(
        source: #"{"file": "/t"}"#, extra: #""service_account_impersonation": {"token_lifetime_seconds": 99999},"#),
      "token_lifetime_seconds 99999"
    ),
    (
      externalAccountJSON(source: #"{"file": "/t"}"#).replacingFirst("token-type:jwt", with: "token-type:aws4_request"),
      "subject_token_type 'urn:ietf:params:oauth:token-type:aws4_request'"
    ),
  ])
  func badFilesNameTheFileAndTheField(text: String, expected: String) {
    let message = thrownMessage { _ = try parse(text, env: ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"]) }
    #expect(message.hasPrefix("The external_account file /etc/gcp.json "))
    #expect(message.contains(expected), "\(message)")
  }

  @Test func executablesNeedTheirOptIn() {
    let text = externalAccountJSON(source: #"{"executable": {"command": "/bin/get-token"}}"#)
    let message = thrownMessage { _ = try parse(text) }
    #expect(message.contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"))
    #expect(throws: Never.self) { _ = try parse(text, env: ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"]) }
  }

  @Test func aNonGoogleTokenURLNeedsAnExplicitOverride() throws {
    let account = try parse(
      externalAccountJSON(source: #"{"file": "/t"}"#).replacingFirst(
        "https://sts.googleapis.com/v1/token", with: "https://collector.example.test/v1/token"))
    let message = thrownMessage { _ = try account.stsEndpoint(override: nil) }
    #expect(message.contains("has token_url 'https://collector.example.test/v1/token', which is not a Google API host"))
    #expect(message.contains("--gcp-sts-endpoint"))
    let override = try WebURL("http://127.0.0.1:5/v1/token", what: "o")
    #expect(try account.stsEndpoint(override: override) == override)
  }

  @Test func aNonGoogleImpersonationURLNeedsAnExplicitOverride() throws {
    let account = try parse(
      externalAccountJSON(
        source: #"{"file": "/t"}"#,
        extra:
          #""service_account_impersonation_url": "https://iam.example.test/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken","#
      ))
    let message = thrownMessage { _ = try account.impersonationEndpoint(override: nil) }
    #expect(message.contains("service_account_impersonation_url 'https://iam.example.test/"))
    #expect(message.contains("--gcp-iam-credentials-endpoint"))
    let url = try account.impersonationEndpoint(override: try WebURL("http://127.0.0.1:7", what: "o"))
    #expect(
      url?.description
        == "http://127.0.0.1:7/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:generateAccessToken")
  }

  @Test func theRegistryRefusesAFileThatPointsElsewhere() throws {
    try withTemporaryDirectory { dir in
      let path = writeCredentials(
        dir,
        externalAccountJSON(source: #"{"file": "/t"}"#).replacingFirst(
          "https://sts.googleapis.com", with: "https://sts.googleapis.com.evil.test"))
      let env = ["GOOGLE_APPLICATION_CREDENTIALS": path]
      let message = thrownMessage { _ = try googleRegistry([:], env: env) }
      #expect(message.contains("The external_account file \(path) has token_url"))
      #expect(thrownStatus { _ = try googleRegistry([:], env: env) } == .usage)
      #expect(throws: Never.self) {
        _ = try googleRegistry(["gcp-sts-endpoint": "https://sts.private.test/v1/token"], env: env)
      }
    }
  }

  @Test(arguments: [
    (
      #"{"type": "authorized_user", "client_id": "x"}"#,
      #"has no "client_secret" field. Sign in again with `gcloud auth application-default login`"#
    ),
    (#"{"type": "gdch_service_account"}"#, "has type 'gdch_service_account'"),
    (#"{"client_email": "x"}"#, #"has no "type" field"#),
    ("not json", "is not valid JSON"),
    (
      #"{"type": "service_account", "client_email": "a@b", "private_key_id": "k", "private_key": "nope"}"#,
      "is not a PEM private key"
    ),
    (#"{"type": "service_account", "private_key_id": "k", "private_key": "x"}"#, #"has no "client_email" field"#),
  ])
  func otherCredentialFilesAreRefusedClearly(text: String, expected: String) throws {
    try withTemporaryDirectory { dir in
      let path = writeCredentials(dir, text)
      let message = thrownMessage { _ = try googleRegistry([:], env: ["GOOGLE_APPLICATION_CREDENTIALS": path]) }
      #expect(message.contains(path))
      #expect(message.contains(expected), "\(message)")
    }
  }

  @Test func aMissingFileIsNamed() {
    let message = thrownMessage {
      _ = try googleRegistry([:], env: ["GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/creds.json"])
    }
    #expect(message.contains("GOOGLE_APPLICATION_CREDENTIALS"))
    #expect(message.contains("/nonexistent/creds.json"))
  }
}

@Suite struct ExternalAccountSourceTests {
  let ciToken = unsignedJWT(gcpClaims)

  func run(
    _ json: String, env: [String: String] = [:], runner: StubProcessRunner? = nil, stub: StubTransport = googleStub()
  ) throws
    -> (Credential, StubTransport)
  {
    try withTemporaryDirectory { dir in
      let path = writeCredentials(dir, json.replacingOccurrences("DIR", with: dir))
      let environment = env.merging(["GOOGLE_APPLICATION_CREDENTIALS": path]) { $1 }
      let registry = try googleRegistry([:], env: environment)
      var context = testContext(stub, env: environment)
      if let runner { context.processRunner = runner }
      return (try registry.credential(for: gcpTarget, in: context), stub)
    }
  }

  @Test func fileSourceInTextFormat() throws {
    let (credential, stub) = try withTemporaryDirectory { dir in
      writeFile(dir + "/token", ciToken + "\n")
      return try run(externalAccountJSON(source: #"{"file": "\#(dir)/token"}"#))
    }
    #expect(credential.password.revealed == "federated-tok")
    #expect(form(stub.requests[0].body)["subject_token"] == ciToken)
    #expect(form(stub.requests[0].body)["audience"] == "//iam.googleapis.com/" + providerName)
  }

  @Test func fileSourceInJSONFormatThenImpersonation() throws {
    let (credential, stub) = try withTemporaryDirectory { dir in
      writeFile(dir + "/token.json", #"{"value": "\#(ciToken)"}"#)
      return try run(
        externalAccountJSON(
          source: #"{"file": "\#(dir)/token.json", "format": {"type": "json", "subject_token_field_name": "value"}}"#,
          extra:
            #""service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken", "service_account_impersonation": {"token_lifetime_seconds": 1200},"#
        ))
    }
    #expect(credential.password.revealed == "sa-tok")
    #expect(stub.requests.count == 2)
    #expect(form(stub.requests[0].body)["subject_token"] == ciToken)
    let body = try JSON(parsing: stub.requests[1].body, document: "b")
    #expect(body["lifetime"] == .string("1200s"))
  }

  @Test func fileSourceProblemsAreIdentityErrors() throws {
    let missing = externalAccountJSON(source: #"{"file": "/nonexistent/token"}"#)
    #expect(thrownStatus { _ = try run(missing) } == .noIdentity)
    #expect(thrownMessage { _ = try run(missing) }.contains("credential_source.file"))
    let (message, status) = try withTemporaryDirectory { dir in
      writeFile(dir + "/t.json", #"{"other": 1}"#)
      let json = externalAccountJSON(
        source: #"{"file": "\#(dir)/t.json", "format": {"type": "json", "subject_token_field_name": "value"}}"#)
      return (thrownMessage { _ = try run(json) }, thrownStatus { _ = try run(json) })
    }
    #expect(message.contains(#"has no "value" field"#))
    #expect(status == .noIdentity)
  }

  @Test func urlSourceSendsTheFileHeaders() throws {
    let json = externalAccountJSON(
      source:
        #"{"url": "https://gh.test/idtoken?api-version=2.0&audience=x", "headers": {"Authorization": "Bearer req-token"}, "format": {"type": "json", "subject_token_field_name": "value"}}"#
    )
    let (credential, stub) = try run(json)
    #expect(credential.password.revealed == "federated-tok")
    #expect(stub.requests[0].url == "https://gh.test/idtoken?api-version=2.0&audience=x")
    #expect(stub.requests[0].header("Authorization") == "Bearer req-token")
    #expect(form(stub.requests[1].body)["subject_token"] == ciToken)
  }

  @Test func anAzureSourcedFileAsksTheLinkLocalMetadataServerOverPlainHTTP() throws {
    let imds = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=api://app"
    let json = externalAccountJSON(
      source:
        #"{"url": "\#(imds)", "headers": {"Metadata": "True"}, "format": {"type": "json", "subject_token_field_name": "access_token"}}"#
    )
    let ciToken = self.ciToken
    let google = googleStub()
    let stub = StubTransport { (request: HTTPRequest) throws(HTTPError) -> HTTPResponse in
      if request.url.hasPrefix("http://169.254.169.254/") {
        return HTTPResponse(status: 200, text: #"{"access_token":"\#(ciToken)","token_type":"Bearer"}"#)
      }
      return try google.send(request)
    }
    let (credential, _) = try run(json, stub: stub)
    #expect(credential.password.revealed == "federated-tok")
    #expect(stub.requests[0].url == imds)
    #expect(stub.requests[0].header("Metadata") == "True")
  }

  @Test(arguments: [
    "http://169.254.169.254.example.test/token", "http://169.254.169.253/token", "http://metadata.example.test/token",
  ])
  func plainHTTPElsewhereIsRefused(url: String) {
    #expect(
      thrownMessage { _ = try run(externalAccountJSON(source: #"{"url": "\#(url)"}"#)) }.contains(
        #"unusable "credential_source.url""#))
  }

  @Test func urlSourceRefusalExplains() throws {
    let json = externalAccountJSON(
      source: #"{"url": "https://gh.test/idtoken", "headers": {"Authorization": "Bearer old"}}"#)
    let stub = StubTransport { _ in HTTPResponse(status: 401, text: "{}") }
    let message = thrownMessage { _ = try run(json, stub: stub) }
    #expect(message.contains("answered HTTP 401"))
    #expect(!message.contains("old"))
    #expect(
      thrownStatus { _ = try run(json, stub: StubTransport { _ in HTTPResponse(status: 401, text: "{}") }) }
        == .noIdentity)
  }

  @Test func executableSourceGetsItsEnvironmentAndTimeout() throws {
    let token = ciToken
    let runner = StubProcessRunner { _, _ in
      ProcessOutput(
        status: 0,
        stdout: Array(
          #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"\#(token)","expiration_time":1800000300}"#
            .utf8), stderr: [])
    }
    let json = externalAccountJSON(
      source: #"{"executable": {"command": "/opt/get-token --audience x", "timeout_millis": 7000}}"#,
      extra:
        #""service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken","#
    )
    let (credential, stub) = try run(
      json, env: ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1", "KEEP": "me"], runner: runner)
    #expect(credential.password.revealed == "sa-tok")
    #expect(form(stub.requests[0].body)["subject_token"] == token)
    let call = try #require(runner.calls.withLock { $0.first })
    #expect(call.arguments == ["/opt/get-token", "--audience", "x"])
    #expect(call.timeout == 7)
    #expect(call.environment["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"] == "//iam.googleapis.com/" + providerName)
    #expect(call.environment["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] == "urn:ietf:params:oauth:token-type:jwt")
    #expect(call.environment["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] == "sa@p.iam.gserviceaccount.com")
    #expect(call.environment["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"] == "0")
    #expect(call.environment["KEEP"] == "me")
  }

  @Test func executableOutputFileIsUsedWhileValidAndRefreshedOtherwise() throws {
    let token = ciToken
    let runner = StubProcessRunner { _, env in
      let out = env["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] ?? ""
      writeFile(
        out,
        #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":"\#(token)","expiration_time":1800000600}"#
      )
      return ProcessOutput(status: 0, stdout: [], stderr: [])
    }
    try withTemporaryDirectory { dir in
      let cached = dir + "/cache.json"
      writeFile(
        cached,
        #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"cached-token","expiration_time":1800000100}"#
      )
      let json = externalAccountJSON(
        source: #"{"executable": {"command": "/opt/get-token", "output_file": "\#(cached)"}}"#)
      let env = ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"]
      let (_, first) = try run(json, env: env, runner: runner)
      #expect(form(first.requests[0].body)["subject_token"] == "cached-token")
      #expect(runner.calls.withLock { $0.count } == 0)
      writeFile(
        cached,
        #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"stale","expiration_time":1700000000}"#
      )
      let (_, second) = try run(json, env: env, runner: runner)
      #expect(form(second.requests[0].body)["subject_token"] == token)
      #expect(runner.calls.withLock { $0.count } == 1)
    }
  }

  @Test(arguments: [
    (
      #"{"version":1,"success":false,"code":"401","message":"caller not authorized"}"#, 0,
      "reports failure: 401: caller not authorized"
    ),
    (#"{"version":2,"success":true}"#, 0, "has version 2"),
    (
      #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"t","expiration_time":1700000000}"#,
      0, "expired at 2023-11-14T22:13:20Z"
    ),
    (#"{"version":1,"success":true,"token_type":"urn:x","id_token":"t"}"#, 0, "token_type 'urn:x'"),
    ("not json", 0, "is not valid JSON"),
    ("", 3, "exited with status 3: boom"),
  ])
  func executableFailuresAreExplained(stdout: String, status: Int32, expected: String) throws {
    let runner = StubProcessRunner { _, _ in
      ProcessOutput(status: status, stdout: Array(stdout.utf8), stderr: Array("boom\nmore".utf8))
    }
    let json = externalAccountJSON(source: #"{"executable": {"command": "/opt/get-token"}}"#)
    let env = ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"]
    let message = thrownMessage { _ = try run(json, env: env, runner: runner) }
    #expect(message.contains(expected), "\(message)")
    #expect(thrownStatus { _ = try run(json, env: env, runner: runner) } == .noIdentity)
  }

  @Test func executableTimeoutIsAnIdentityError() throws {
    let runner = StubProcessRunner { (args, _) throws(ProcessError) in throw .timedOut(command: args[0], seconds: 30) }
    let json = externalAccountJSON(source: #"{"executable": {"command": "/opt/slow"}}"#)
    let message = thrownMessage {
      _ = try run(json, env: ["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"], runner: runner)
    }
    #expect(message.contains("'/opt/slow' did not finish within 30 s"))
  }

  @Test func identityFlagConflictsWithAnExternalAccountFile() throws {
    try withTemporaryDirectory { dir in
      let path = writeCredentials(dir, externalAccountJSON(source: #"{"file": "/t"}"#))
      let message = thrownMessage {
        _ = try googleRegistry(
          [:], env: ["GOOGLE_APPLICATION_CREDENTIALS": path], identity: IdentitySpec(kind: "github", argument: nil))
      }
      #expect(message.contains("--identity cannot be combined with the external_account file"))
    }
  }
}

extension String {
  func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = firstRange(of: target) else { return self }
    var out = self
    out.replaceSubrange(range, with: replacement)
    return out
  }

  func replacingOccurrences(_ target: String, with replacement: String) -> String {
    replacing(target, with: replacement)
  }
}
