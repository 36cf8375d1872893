import Glibc
import Testing

@testable import IndexKit

/// The AWS clients of laptops and runtimes against a stub transport: request shapes,
/// answers, and the sentence each failure becomes.
@Suite struct AWSLocalClientTests {
  let now: UnixTime = 1_800_000_010
  let source = AWSSession(
    credentials: AWSCredentials(accessKeyID: "AKIASOURCE", secretAccessKey: Secret("source-secret")), expiresAt: nil,
    principal: "the access key AKIASOURCE")

  func assumeRoleAnswer(expiry: String = "2027-01-15T09:00:00Z") -> HTTPResponse {
    HTTPResponse(
      status: 200,
      text: """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
        <AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken>
        <Expiration>\(expiry)</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>
        """)
  }

  @Test func assumeRoleIsSignedWithTheSourceKeysForSTS() throws {
    let stub = StubTransport { _ in assumeRoleAnswer() }
    let call = AWSRoleAssumption(
      roleARN: "arn:aws:iam::111122223333:role/r", sessionName: "s", externalID: "ext", duration: 900, profile: "p")
    let client = AWSAssumeRole(
      endpoint: try WebURL("https://sts.eu-west-1.amazonaws.com/", what: "t"), region: "eu-west-1")
    let session = try client.assume(call, with: source, in: identityContext([:], transport: stub, now: now))
    #expect(session.credentials.accessKeyID == "ASIAROLE" && session.credentials.sessionToken?.revealed == "role-token")
    let request = try #require(stub.requests.first)
    #expect(
      request.header("Authorization")?.hasPrefix(
        "AWS4-HMAC-SHA256 Credential=AKIASOURCE/20270115/eu-west-1/sts/aws4_request") == true)
    #expect(
      form(request.body) == [
        "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": "arn:aws:iam::111122223333:role/r",
        "RoleSessionName": "s",
        "DurationSeconds": "900", "ExternalId": "ext",
      ])
    #expect(!String(decoding: request.body, as: UTF8.self).contains("source-secret"))
  }

  @Test func assumeRoleRefusalNamesThePrincipalAndTheRole() {
    let stub = StubTransport { _ in
      HTTPResponse(
        status: 403,
        text:
          "<ErrorResponse><Error><Code>AccessDenied</Code><Message>User: x is not authorized</Message></Error></ErrorResponse>"
      )
    }
    let call = AWSRoleAssumption(roleARN: "arn:aws:iam::1:role/r", sessionName: "s", profile: "dev")
    let message = errorMessage {
      try AWSAssumeRole(endpoint: try WebURL("https://sts.eu-west-1.amazonaws.com/", what: "t"), region: "eu-west-1")
        .assume(call, with: source, in: identityContext([:], transport: stub, now: now))
    }
    #expect(
      message?.contains(
        "refused to let the access key AKIASOURCE assume arn:aws:iam::1:role/r (profile dev): AccessDenied") == true)
  }

  func ssoProfile(_ home: String) -> AWSSSOProfile {
    AWSSSOProfile(
      profile: "dev", startURL: "https://x.awsapps.com/start", region: "eu-west-1", accountID: "111122223333",
      roleName: "Developer",
      session: "corp", cacheFile: AWSSSOProfile.cacheFile(session: "corp", startURL: "", home: home))
  }

  @Test func ssoReadsTheCachedTokenAndAsksThePortal() throws {
    try withTemporaryDirectory { home in
      let profile = ssoProfile(home)
      _ = system("mkdir -p '\(home)/.aws/sso/cache'")
      writeFile(
        profile.cacheFile,
        #"{"startUrl":"https://x.awsapps.com/start","region":"eu-west-1","accessToken":"sso-access","expiresAt":"2027-01-15T09:00:00Z"}"#
      )
      let stub = StubTransport { _ in
        HTTPResponse(
          status: 200,
          text:
            #"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s","sessionToken":"t","expiration":1800003600000}}"#
        )
      }
      let portal = try WebURL("https://portal.sso.eu-west-1.amazonaws.com", what: "t")
      let session = try AWSSSO(profile: profile, endpoint: portal).roleCredentials(
        in: identityContext([:], transport: stub, now: now))
      #expect(session.credentials.accessKeyID == "ASIASSO" && session.expiresAt == 1_800_003_600)
      let request = try #require(stub.requests.first)
      #expect(
        request.url
          == "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=111122223333&role_name=Developer"
      )
      #expect(request.header("x-amz-sso_bearer_token") == "sso-access")
    }
  }

  @Test func ssoWithoutAValidSignInSaysToLogIn() throws {
    try withTemporaryDirectory { home in
      let profile = ssoProfile(home)
      let portal = try WebURL("https://portal.sso.eu-west-1.amazonaws.com", what: "t")
      let unused = StubTransport { _ in HTTPResponse(status: 599, text: "unused") }
      let missing = errorMessage {
        try AWSSSO(profile: profile, endpoint: portal).roleCredentials(
          in: identityContext([:], transport: unused, now: now))
      }
      #expect(
        missing?.contains("no cached sign-in") == true && missing?.contains("run `aws sso login --profile dev`") == true
      )
      _ = system("mkdir -p '\(home)/.aws/sso/cache'")
      writeFile(profile.cacheFile, #"{"accessToken":"sso-access","expiresAt":"2027-01-15T08:00:30Z"}"#)  // 20 s left
      let expired = errorMessage {
        try AWSSSO(profile: profile, endpoint: portal).roleCredentials(
          in: identityContext([:], transport: unused, now: now))
      }
      #expect(expired?.contains("expired at 2027-01-15T08:00:30Z; run `aws sso login --profile dev`") == true)
      #expect(unused.requests.isEmpty)
      writeFile(profile.cacheFile, #"{"accessToken":"sso-access","expiresAt":"2027-01-15T10:00:00Z"}"#)
      let revoked = StubTransport { _ in
        HTTPResponse(
          status: 401, headers: [HTTPHeader("x-amzn-ErrorType", "UnauthorizedException")],
          text: #"{"message":"Session token not found or invalid"}"#)
      }
      let thrown = #expect(throws: IdentityError.self) {
        try AWSSSO(profile: profile, endpoint: portal).roleCredentials(
          in: identityContext([:], transport: revoked, now: now))
      }
      #expect(thrown?.message.hasSuffix("run `aws sso login --profile dev`.") == true)
      #expect(thrown?.message.contains("sso-access") == false)
    }
  }

  @Test func containerCredentialsSendTheTokenFromItsFile() throws {
    try withTemporaryDirectory { dir in
      writeFile("\(dir)/token", "pod-token\n")
      let env = Environment([
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "\(dir)/token", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored",
      ])
      let container = try #require(try AWSContainerCredentials.from(env))
      let stub = StubTransport { _ in
        HTTPResponse(
          status: 200,
          text:
            #"{"AccessKeyId":"ASIAPOD","SecretAccessKey":"s","Token":"t","Expiration":"2027-01-15T09:00:00Z","RoleArn":"arn:aws:iam::1:role/pod"}"#
        )
      }
      let session = try container.fetch(in: identityContext([:], transport: stub, now: now))
      #expect(
        session.credentials.sessionToken?.revealed == "t" && session.principal.contains("arn:aws:iam::1:role/pod"))
      let request = try #require(stub.requests.first)
      #expect(
        request.url == "http://169.254.170.23/v1/credentials" && request.header("Authorization") == "pod-token"
          && request.timeout == 2)
    }
    let relative = try #require(
      try AWSContainerCredentials.from(Environment(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])))
    #expect(relative.url.description == "http://169.254.170.2/v2/credentials/abc" && relative.authorization == .none)
    #expect(try AWSContainerCredentials.from(Environment([:])) == nil)
    let elsewhere = errorMessage {
      try AWSContainerCredentials.from(Environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://10.0.0.5/creds"]))
        as Any
    }
    #expect(elsewhere?.contains("neither loopback nor the ECS or EKS credential agent") == true)
  }

  @Test func imdsIsVersionTwoOnly() throws {
    let stub = StubTransport { request in
      switch (request.method, request.url) {
      case (.put, "http://127.0.0.1:9/latest/api/token"): HTTPResponse(status: 200, text: "imds-session")
      case (.get, "http://127.0.0.1:9/latest/meta-data/iam/security-credentials/"):
        HTTPResponse(status: 200, text: "web-role\n")
      case (.get, "http://127.0.0.1:9/latest/meta-data/iam/security-credentials/web-role"):
        HTTPResponse(
          status: 200,
          text:
            #"{"Code":"Success","AccessKeyId":"ASIAEC2","SecretAccessKey":"s","Token":"t","Expiration":"2027-01-15T14:00:00Z"}"#
        )
      default: HTTPResponse(status: 404, text: "")
      }
    }
    let imds = try AWSInstanceMetadata.from(
      Environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9", "AWS_METADATA_SERVICE_TIMEOUT": "0.5"]))
    let session = try imds.fetch(in: identityContext([:], transport: stub, now: now))
    #expect(session.credentials.accessKeyID == "ASIAEC2" && session.principal.contains("web-role"))
    #expect(stub.requests.map(\.method) == [.put, .get, .get])
    #expect(stub.requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
    #expect(stub.requests[1...].allSatisfy { $0.header("X-aws-ec2-metadata-token") == "imds-session" })
    #expect(stub.requests.allSatisfy { $0.timeout == 0.5 && !$0.retryable })
    let v1Only = StubTransport { _ in HTTPResponse(status: 403, text: "") }
    let message = errorMessage { try imds.fetch(in: identityContext([:], transport: v1Only, now: now)) }
    #expect(message?.contains("indexkey uses IMDSv2 only") == true && v1Only.requests.count == 1)
    let none = StubTransport { request in
      request.method == .put ? HTTPResponse(status: 200, text: "x") : HTTPResponse(status: 404, text: "")
    }
    #expect(
      errorMessage { try imds.fetch(in: identityContext([:], transport: none, now: now)) }?.contains(
        "no instance profile") == true)
  }

  @Test func ec2EvidenceComesFromDMIOrXen() {
    #expect(AWSInstanceMetadata.machineEvidence { $0.hasSuffix("sys_vendor") ? "Amazon EC2" : nil } != nil)
    #expect(
      AWSInstanceMetadata.machineEvidence {
        $0 == "/sys/hypervisor/uuid" ? "ec2e1916-9099-7caf-fd21-012345abcdef" : nil
      } != nil)
    #expect(AWSInstanceMetadata.machineEvidence { $0.hasSuffix("sys_vendor") ? "LENOVO" : nil } == nil)
  }

  @Test func credentialProcessOutputIsVersionOneJSON() throws {
    let runner = FakeProcessRunner(
      printing:
        #"{"Version":1,"AccessKeyId":"ASIAPROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2027-01-15T09:00:00Z"}"#
    )
    let session = try AWSCredentialProcess(command: "/opt/helper 'a b'", profile: "p").run(
      in: identityContext([:], runner: runner, now: now))
    #expect(session.credentials.accessKeyID == "ASIAPROC" && session.expiresAt == 1_800_003_600)
    #expect(runner.runs.first?.arguments == ["/opt/helper", "a b"])
    let v2 = FakeProcessRunner(printing: #"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}"#)
    #expect(
      errorMessage {
        try AWSCredentialProcess(command: "x", profile: "p").run(in: identityContext([:], runner: v2, now: now))
      }?.contains("\"Version\": 1") == true)
    let stale = FakeProcessRunner(
      printing: #"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2027-01-15T08:00:00Z"}"#)
    #expect(throws: ExpiredCredential.self) {
      try AWSCredentialProcess(command: "x", profile: "p").run(in: identityContext([:], runner: stale, now: now))
    }
    let failing = FakeProcessRunner { _, _ in
      ProcessOutput(status: 3, stdout: Array("secret-out".utf8), stderr: Array("token expired\n".utf8))
    }
    let message = errorMessage {
      try AWSCredentialProcess(command: "x", profile: "p").run(in: identityContext([:], runner: failing, now: now))
    }
    #expect(message == "the credential_process of the AWS profile 'p' failed with exit status 3: token expired.")
  }
}
