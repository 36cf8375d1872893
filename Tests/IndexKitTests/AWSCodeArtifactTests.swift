import Testing

@testable import IndexKit

let awsClaims: JSON = .object([
  ("iss", .string("https://token.actions.githubusercontent.com")),
  ("sub", .string("repo:octo-org/app:environment:release")),
  ("aud", .string("sts.amazonaws.com")),
  ("exp", .integer(1_800_000_300)),
  ("repository", .string("octo-org/app")),
])
let roleARN = "arn:aws:iam::111122223333:role/indexkey-publisher"
let caURL = "https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/simple/"
let caTarget = fixtureTarget(AWSCodeArtifact.self, caURL)

func stsSuccessXML(expiration: String = "2027-01-15T08:15:00Z") -> String {
  """
  <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <AssumeRoleWithWebIdentityResult>
      <SubjectFromWebIdentityToken>repo:octo-org/app:environment:release</SubjectFromWebIdentityToken>
      <Audience>sts.amazonaws.com</Audience>
      <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/indexkey-publisher/indexkey</Arn><AssumedRoleId>AROA:indexkey</AssumedRoleId></AssumedRoleUser>
      <Credentials>
        <AccessKeyId>ASIAEXAMPLEKEY</AccessKeyId>
        <SecretAccessKey>session/secret+key</SecretAccessKey>
        <SessionToken>session-token-value</SessionToken>
        <Expiration>\(expiration)</Expiration>
      </Credentials>
      <Provider>arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com</Provider>
    </AssumeRoleWithWebIdentityResult>
    <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
  </AssumeRoleWithWebIdentityResponse>
  """
}

func stsErrorXML(_ code: String, _ message: String) -> String {
  """
  <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
    <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
    <RequestId>1a2b3c</RequestId>
  </ErrorResponse>
  """
}

func awsStub(sts: HTTPResponse? = nil, codeArtifact: HTTPResponse? = nil, ciToken: String = unsignedJWT(awsClaims))
  -> StubTransport
{
  StubTransport { request in
    if request.url.hasPrefix("https://gh.test/") { return HTTPResponse(status: 200, text: #"{"value":"\#(ciToken)"}"#) }
    if request.url.hasPrefix("https://sts.") { return sts ?? HTTPResponse(status: 200, text: stsSuccessXML()) }
    if request.url.hasPrefix("https://codeartifact.") {
      return codeArtifact
        ?? HTTPResponse(status: 200, text: #"{"authorizationToken":"ca-token/+=","expiration":1800003600}"#)
    }
    return HTTPResponse(status: 404, text: "unexpected \(request.url)")
  }
}

func awsRegistry(
  _ flags: [String: String] = ["aws-role-arn": roleARN], env: [String: String] = githubEnv(),
  identity: IdentitySpec = .auto
) throws -> AWSCodeArtifact {
  try AWSCodeArtifact.make(settings: Settings(flags: flags, environment: Environment(env)), identity: identity)
}

@Suite struct CodeArtifactURLTests {

  @Test(arguments: [
    ("legacy", "eu-west-1", "https://sts.amazonaws.com/"), ("LEGACY", "us-east-1", "https://sts.amazonaws.com/"),
    ("legacy", "af-south-1", "https://sts.af-south-1.amazonaws.com/"),
    ("regional", "eu-west-1", "https://sts.eu-west-1.amazonaws.com/"),
  ])
  func legacySTSEndpointsSendTheCallToTheGlobalHostAsTheSDKsDo(setting: String, region: String, expected: String) throws
  {
    let stub = awsStub()
    var env = githubEnv()
    env["AWS_STS_REGIONAL_ENDPOINTS"] = setting
    env["AWS_REGION"] = region
    _ = try awsRegistry(env: env).credential(for: caTarget, in: testContext(stub, env: env))
    #expect(stub.requests[1].url == expected)
  }

  @Test(arguments: [
    ("my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com", "my-domain", "444455556666", "eu-west-1"),
    ("a-b-c-123456789012.d.codeartifact.us-east-1.amazonaws.com", "a-b-c", "123456789012", "us-east-1"),
    ("d-000000000000.d.codeartifact.cn-north-1.amazonaws.com.cn", "d", "000000000000", "cn-north-1"),
  ])
  func parsesTheHost(host: String, domain: String, owner: String, region: String) {
    let parsed = CodeArtifactRepository.parse(host: host)
    #expect(parsed?.domain == domain)
    #expect(parsed?.owner == owner)
    #expect(parsed?.region == region)
  }

  @Test(arguments: [
    "my-domain-44445555666.d.codeartifact.eu-west-1.amazonaws.com",
    "-444455556666.d.codeartifact.eu-west-1.amazonaws.com",
    "my-domain-444455556666.codeartifact.eu-west-1.amazonaws.com",
    "my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com.evil.test",
    "my-domain444455556666.d.codeartifact.eu-west-1.amazonaws.com",
    "my-domain-4444555566a6.d.codeartifact.eu-west-1.amazonaws.com",
  ])
  func otherHostsAreNotCodeArtifact(host: String) {
    #expect(CodeArtifactRepository.parse(host: host) == nil)
  }

  @Test(arguments: [
    (caURL, "my-repo"),
    ("https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/", "my-repo"),
    ("https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/simple/requests/", "my-repo"),
  ])
  func derivesInstallAndUploadURLs(given: String, name: String) throws {
    let url = try WebURL(given, what: "u")
    #expect(Registries.recognise(url) is AWSCodeArtifact.Type)
    let target = try AWSCodeArtifact.target(for: url)
    #expect(
      target.simpleURL.description
        == "https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/simple/")
    #expect(
      target.uploadURL?.description
        == "https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/")
    #expect(target.name == name)
  }

  @Test(arguments: [
    "https://d-444455556666.d.codeartifact.eu-west-1.amazonaws.com/npm/r/",
    "https://d-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/",
  ])
  func refusesOtherPaths(given: String) {
    #expect(throws: ConfigError.self) { try AWSCodeArtifact.target(for: try WebURL(given, what: "u")) }
  }

  @Test func aLoopbackIndexTakesDomainOwnerAndRegionFromSettings() throws {
    let target = try AWSCodeArtifact.target(for: try WebURL("http://127.0.0.1:9000/pypi/r/simple/", what: "u"))
    let missing = try awsRegistry(["aws-role-arn": roleARN])
    #expect(thrownMessage { _ = try missing.repository(for: target) }.contains("--aws-domain"))
    let noRegion = try awsRegistry(["aws-role-arn": roleARN, "aws-domain": "d", "aws-domain-owner": "444455556666"])
    #expect(thrownMessage { _ = try noRegion.repository(for: target) }.contains("AWS_REGION"))
    let full = try awsRegistry(
      ["aws-role-arn": roleARN, "aws-domain": "d", "aws-domain-owner": "444455556666"],
      env: githubEnv(["AWS_REGION": "ap-south-1"]))
    #expect(
      try full.repository(for: target)
        == CodeArtifactRepository(domain: "d", owner: "444455556666", region: "ap-south-1", repository: "r"))
  }
}

@Suite struct AWSConfigurationTests {
  @Test func staticKeysWinOverAnAmbientRoleButNotAnExplicitOne() throws {
    let env = githubEnv(["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ROLE_ARN": roleARN])
    let keys = try #require(try awsRegistry([:], env: env).credentials.link as? AWSEnvironmentLink).keys
    #expect(keys.accessKeyID == "AKIAEXAMPLE")
    #expect(keys.sessionToken == nil)
    let identity = try #require(
      try awsRegistry(["aws-role-arn": roleARN], env: env).credentials.link as? AWSWebIdentityLink)
    #expect(identity.roleARN == roleARN)
    #expect(identity.sessionName == "indexkey")
  }

  @Test func theWebIdentityTokenFileIsTheDefaultSource() throws {
    let env = [
      "AWS_ROLE_ARN": roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks/token",
      "AWS_ROLE_SESSION_NAME": "pod@ns",
    ]
    let identity = try #require(try awsRegistry([:], env: env).credentials.link as? AWSWebIdentityLink)
    #expect((identity.source as? FileIdentity)?.path == "/var/run/secrets/eks/token")
    #expect(identity.sessionName == "pod@ns")
  }

  @Test(arguments: [
    (["aws-role-arn": "arn:aws:iam::1111:role/x"], [String: String](), "is not an IAM role ARN"),
    (["aws-role-arn": "arn:aws:iam::111122223333:user/x"], [:], "is not an IAM role ARN"),
    (
      ["aws-role-arn": roleARN, "aws-role-session-name": "has space"], [:], "role session name 'has space' is not valid"
    ),
    (["aws-role-arn": roleARN, "duration": "600"], [:], "--duration '600' is not valid"),
    (["aws-role-arn": roleARN, "duration": "50000"], [:], "--duration '50000' is not valid"),
    (["aws-role-arn": roleARN, "aws-domain-owner": "12345"], [:], "not an AWS account id"),
    (["aws-role-arn": roleARN, "aws-region": "EU West"], [:], "not a region name"),
    (["aws-role-arn": roleARN, "aws-sts-endpoint": "http://sts.example.test"], [:], "is not https"),
    ([:], ["AWS_ACCESS_KEY_ID": "AKIA"], "AWS_SECRET_ACCESS_KEY is not"),
    (
      [:], [:],
      "AWS CodeArtifact found no credentials. Looked at: environment: AWS_ACCESS_KEY_ID is not set; assume-role: "
    ),
  ])
  func badSettingsAreConfigErrors(flags: [String: String], env: [String: String], expected: String) {
    let message = thrownMessage { _ = try awsRegistry(flags, env: env) }
    #expect(message.contains(expected), "\(message)")
    #expect(thrownStatus { _ = try awsRegistry(flags, env: env) } == .usage)
  }

  @Test func endpointsFromTheSDKVariables() throws {
    let env = githubEnv(["AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2/"])
    let registry = try awsRegistry(["aws-role-arn": roleARN], env: env)
    #expect((registry.credentials.link as? AWSWebIdentityLink)?.stsEndpoint?.description == "http://127.0.0.1:2/")
    #expect(registry.codeArtifactEndpoint?.description == "http://127.0.0.1:1/")
  }
}

@Suite struct AWSExchangeTests {
  @Test func webIdentityThenSignedTokenRequest() throws {
    let stub = awsStub()
    let registry = try awsRegistry()
    let credential = try registry.credential(for: caTarget, in: testContext(stub, env: githubEnv()))
    #expect(credential.username == "aws")
    #expect(credential.password.revealed == "ca-token/+=")
    #expect(credential.expiresAt == 1_800_003_600)
    let requests = stub.requests
    #expect(requests.count == 3)
    // both AWS hosts are connected to while the CI token is fetched
    #expect(
      stub.prepared.map(\.url) == [
        "https://codeartifact.eu-west-1.amazonaws.com/", "https://sts.eu-west-1.amazonaws.com/",
      ])
    #expect(stub.prepared.map(\.afterRequests) == [0, 0])
    #expect(requests[0].url.hasSuffix("&audience=sts.amazonaws.com"))
    #expect(requests[1].url == "https://sts.eu-west-1.amazonaws.com/")
    #expect(requests[1].header("Authorization") == nil)
    #expect(
      form(requests[1].body) == [
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": roleARN,
        "RoleSessionName": "indexkey",
        "WebIdentityToken": unsignedJWT(awsClaims), "DurationSeconds": "900",
      ])
    let signed = requests[2]
    #expect(signed.method == .post)
    #expect(
      signed.url
        == "https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?domain=my-domain&domain-owner=444455556666&duration=3600"
    )
    #expect(signed.body.isEmpty)
    #expect(signed.header("X-Amz-Security-Token") == "session-token-value")
    #expect(signed.header("X-Amz-Date") == "20270115T080000Z")
    #expect(signed.header("Host") == "codeartifact.eu-west-1.amazonaws.com")
    let authorization = try #require(signed.header("Authorization"))
    #expect(
      authorization.hasPrefix(
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY/20270115/eu-west-1/codeartifact/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="
      ))
    // The signature is the one SigV4 computes for these keys; a different secret gives another.
    let expected = try SigV4(
      credentials: AWSCredentials(
        accessKeyID: "ASIAEXAMPLEKEY", secretAccessKey: Secret("session/secret+key"),
        sessionToken: Secret("session-token-value")),
      region: "eu-west-1", service: "codeartifact"
    ).sign(HTTPRequest(method: .post, url: signed.url, purpose: "p"), at: 1_800_000_000).signature
    #expect(authorization.hasSuffix("Signature=" + expected))
  }

  @Test func staticKeysSignDirectlyWithTheirSessionToken() throws {
    let env = [
      "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "static-session",
    ]
    let stub = awsStub(
      codeArtifact: HTTPResponse(status: 200, text: #"{"authorizationToken":"t","expiration":"2027-01-15T09:00:00Z"}"#))
    let registry = try awsRegistry(["duration": "900"], env: env)
    let credential = try registry.credential(for: caTarget, in: testContext(stub, env: env))
    #expect(stub.requests.count == 1)
    #expect(stub.requests[0].url.hasSuffix("&duration=900"))
    #expect(stub.requests[0].header("X-Amz-Security-Token") == "static-session")
    #expect(
      stub.requests[0].header("Authorization")?.contains(
        "Credential=AKIAEXAMPLE/20270115/eu-west-1/codeartifact/aws4_request") == true)
    #expect(credential.expiresAt == RFC3339.parse("2027-01-15T09:00:00Z"))
  }

  @Test func durationZeroLetsTheSessionDecide() throws {
    let stub = awsStub(codeArtifact: HTTPResponse(status: 200, text: #"{"authorizationToken":"t"}"#))
    let registry = try awsRegistry(["aws-role-arn": roleARN, "duration": "0", "aws-region": "us-west-2"])
    let credential = try registry.credential(for: caTarget, in: testContext(stub, env: githubEnv()))
    #expect(form(stub.requests[1].body)["DurationSeconds"] == nil)
    #expect(stub.requests[1].url == "https://sts.us-west-2.amazonaws.com/")
    #expect(stub.requests[2].url.hasSuffix("&duration=0"))
    #expect(stub.requests[2].url.hasPrefix("https://codeartifact.eu-west-1.amazonaws.com/"))
    #expect(credential.expiresAt == RFC3339.parse("2027-01-15T08:15:00Z"))
  }

  @Test func stsAnswersAreReadAsXML() throws {
    let (credentials, expiry) = try AWSSTS.credentials(from: Array(stsSuccessXML().utf8))
    #expect(credentials.accessKeyID == "ASIAEXAMPLEKEY")
    #expect(credentials.secretAccessKey.revealed == "session/secret+key")
    #expect(credentials.sessionToken?.revealed == "session-token-value")
    #expect(expiry == RFC3339.parse("2027-01-15T08:15:00Z"))
    // Text that merely looks like the elements does not count.
    let fake = "<Other><!-- <AccessKeyId>X</AccessKeyId> --><AccessKeyId>Y</AccessKeyId></Other>"
    #expect(throws: XMLError.self) { _ = try AWSSTS.credentials(from: Array(fake.utf8)) }
    let error = #expect(throws: XMLError.self) {
      _ = try AWSSTS.credentials(from: Array(stsSuccessXML(expiration: "soon").utf8))
    }
    #expect(error?.description.contains("<Expiration> 'soon'") == true)
  }
}

@Suite struct AWSRefusalTests {
  func refusal(sts: HTTPResponse? = nil, codeArtifact: HTTPResponse? = nil) throws -> (String, IndexKit.ExitStatus?) {
    let registry = try awsRegistry()
    let run = {
      _ = try registry.credential(
        for: caTarget, in: testContext(awsStub(sts: sts, codeArtifact: codeArtifact), env: githubEnv()))
    }
    return (thrownMessage(run), thrownStatus(run))
  }

  @Test func accessDeniedPrintsTheTrustPolicyCondition() throws {
    let (message, status) = try refusal(
      sts: HTTPResponse(
        status: 403, text: stsErrorXML("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")))
    #expect(status == .refused)
    #expect(
      message.hasPrefix(
        "AWS STS refused to let the CI token assume \(roleARN): AccessDenied (Not authorized to perform sts:AssumeRoleWithWebIdentity)."
      ))
    #expect(message.contains("sub 'repo:octo-org/app:environment:release', aud 'sts.amazonaws.com'"))
    #expect(
      message.contains(#""Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com""#))
    #expect(
      message.contains(
        #""StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:octo-org/app:environment:release"}"#
      ))
    #expect(message.contains("subject names the environment"))
  }

  @Test(arguments: [
    (
      "InvalidIdentityToken",
      "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com", 400,
      "aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com",
      IndexKit.ExitStatus.refused
    ),
    (
      "InvalidIdentityToken", "Incorrect token audience", 400,
      "aud 'sts.amazonaws.com' is not in the IAM OIDC provider's audiences", .refused
    ),
    (
      "ExpiredTokenException",
      "Token expired: current date/time 1800000400 must be before the expiration date/time 1800000300", 400,
      "expired before it reached AWS (exp 2027-01-15T08:05:00Z)", .refused
    ),
    (
      "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider", 400,
      "usually temporary", .network
    ),
    (
      "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400,
      "MaxSessionDuration", .refused
    ),
    ("RegionDisabledException", "STS is not activated in this region", 403, "IAM → Account settings", .refused),
  ])
  func stsRefusals(code: String, text: String, status: Int, expected: String, exit: IndexKit.ExitStatus) throws {
    let (message, got) = try refusal(sts: HTTPResponse(status: status, text: stsErrorXML(code, text)))
    #expect(message.contains("\(code) (\(text))"))
    #expect(message.contains(expected), "\(message)")
    #expect(got == exit)
  }

  @Test(arguments: [
    ("AccessDeniedException", 403, "sts:GetServiceBearerToken"),
    ("ResourceNotFoundException", 404, "No domain 'my-domain' owned by 444455556666 exists in eu-west-1"),
    ("ExpiredTokenException", 400, "session token has expired"),
    ("InvalidSignatureException", 403, "check AWS_SECRET_ACCESS_KEY"),
    ("ValidationException", 400, "Check --duration"),
  ])
  func codeArtifactRefusals(type: String, status: Int, expected: String) throws {
    let response = HTTPResponse(
      status: status,
      headers: [HTTPHeader("x-amzn-ErrorType", "\(type):http://internal.amazon.com/coral/com.amazon.coral.service/")],
      text: #"{"message":"details here"}"#)
    let (message, exit) = try refusal(codeArtifact: response)
    #expect(
      message.hasPrefix(
        "CodeArtifact refused GetAuthorizationToken for domain 'my-domain' (owner 444455556666, region eu-west-1) to the role \(roleARN) (session indexkey): \(type) (details here)."
      ))
    #expect(message.contains(expected), "\(message)")
    #expect(exit == .refused)
  }

  @Test func codeArtifactErrorTypeFromTheBody() throws {
    let (message, _) = try refusal(
      codeArtifact: HTTPResponse(
        status: 403, text: #"{"__type":"com.amazonaws.codeartifact#AccessDeniedException","Message":"no"}"#))
    #expect(message.contains(": AccessDeniedException (no)."))
  }

  @Test func unusableAnswersAreUnavailable() throws {
    let (sts, stsStatus) = try refusal(sts: HTTPResponse(status: 200, text: "<html><body>proxy</body></html>"))
    #expect(sts.contains("root element <html>"))
    #expect(stsStatus == .network)
    let (server, serverStatus) = try refusal(codeArtifact: HTTPResponse(status: 500, text: ""))
    #expect(server.contains("answered HTTP 500 after retries"))
    #expect(serverStatus == .network)
  }

  @Test func serverFailuresNameTheStatusWhateverTheBody() throws {
    let (sts, stsStatus) = try refusal(
      sts: HTTPResponse(status: 503, text: stsErrorXML("ServiceUnavailable", "try later")))
    #expect(stsStatus == .network)
    #expect(
      sts
        == "The AWS STS endpoint https://sts.eu-west-1.amazonaws.com/ answered HTTP 503 (ServiceUnavailable) after retries; AWS may be having trouble, try again later."
    )
    let throttled = HTTPResponse(
      status: 429, headers: [HTTPHeader("x-amzn-ErrorType", "ThrottlingException")],
      text: #"{"message":"Rate exceeded"}"#)
    let (ca, caStatus) = try refusal(codeArtifact: throttled)
    #expect(caStatus == .network)
    #expect(ca.contains("answered HTTP 429 (ThrottlingException) after retries"))
  }

  @Test func noSecretEverAppearsInAMessage() throws {
    let (message, _) = try refusal(
      codeArtifact: HTTPResponse(
        status: 403, headers: [HTTPHeader("x-amzn-ErrorType", "AccessDeniedException")], text: "{}"))
    for secret in ["session/secret+key", "session-token-value", unsignedJWT(awsClaims), "c2lnbmF0dXJl"] {
      #expect(!message.contains(secret))
    }
  }
}
