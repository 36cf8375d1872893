import IndexKit
import Testing

@Suite struct AmbientIdentityTests {
  @Test(arguments: [
    (["GITHUB_ACTIONS": "true"], "github", "GITHUB_ACTIONS=true"),
    (["GITLAB_CI": "true"], "gitlab", "GITLAB_CI=true"),
    (["BUILDKITE": "true"], "buildkite", "BUILDKITE=true"),
    (["CIRCLECI": "true"], "circleci", "CIRCLECI=true"),
    (["BITBUCKET_BUILD_NUMBER": "7"], "bitbucket", "BITBUCKET_BUILD_NUMBER is set"),
    (["TF_BUILD": "True"], "azure-pipelines", "TF_BUILD=True"),
    (["AZURE_FEDERATED_TOKEN_FILE": "/t"], "azure-token-file", "AZURE_FEDERATED_TOKEN_FILE is set"),
    (["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"], "aws-token-file", "AWS_WEB_IDENTITY_TOKEN_FILE is set"),
    (["GCE_METADATA_HOST": "127.0.0.1:1"], "gcp-metadata", "GCE_METADATA_HOST is set"),
    (["K_SERVICE": "svc"], "gcp-metadata", "K_SERVICE is set (Cloud Run)"),
    (["GITLAB_CI": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"], "gitlab", "GITLAB_CI=true"),
  ])
  func recognisesEachCI(environment: [String: String], name: String, evidence: String) throws {
    let found = try #require(
      AmbientIdentity.recognise(Environment(environment.merging(["NO_GCE_CHECK": "true"]) { a, _ in a })))
    #expect(found.detector.name == name)
    #expect(found.evidence == evidence)
  }

  @Test func nothingRecognisedListsEveryWay() {
    let context = identityContext(["NO_GCE_CHECK": "true"])
    let message = errorMessage { try AmbientIdentity().idToken(audience: "a", in: context) }
    for name in [
      "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "BITBUCKET_BUILD_NUMBER", "TF_BUILD", "command:CMD",
    ] {
      #expect(message?.contains(name) == true)
    }
    #expect(errorStatus { try AmbientIdentity().idToken(audience: "a", in: context) } == .noIdentity)
  }

  @Test func namedCIIsUsedWithoutItsMarker() throws {
    let token = unsignedJWT([("aud", .string("pypi"))])
    let spec = try IdentitySpec(parsing: "gitlab")
    let source = try spec.source(environment: Environment())
    #expect(try source.idToken(audience: "pypi", in: identityContext(["PYPI_ID_TOKEN": token])).revealed == token)
  }

  @Test func everyDetectorHasAnIdentityKind() throws {
    for detector in AmbientIdentity.detectors {
      #expect(throws: Never.self) { try IdentitySpec(parsing: detector.name) }
    }
  }

  @Test func tokenFilesAreReadAgainOnEveryCall() throws {
    let dir = try ScratchDirectory()
    let path = dir.path + "/token"
    let first = githubToken(sub: "one")
    let second = githubToken(sub: "two")
    for variable in ["AZURE_FEDERATED_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE"] {
      let context = identityContext([variable: path, "NO_GCE_CHECK": "1"])
      try dir.write("token", first + "\n")
      #expect(try AmbientIdentity().idToken(audience: "x", in: context).revealed == first)
      try dir.write("token", second)
      #expect(try AmbientIdentity().idToken(audience: "x", in: context).revealed == second)
    }
  }

  @Test func missingTokenFileNamesTheVariable() {
    let context = identityContext(["AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token"])
    #expect(
      errorMessage { try AmbientIdentity().idToken(audience: "x", in: context) }?.contains(
        "AWS_WEB_IDENTITY_TOKEN_FILE") == true)
  }

  @Test func bitbucketStepToken() throws {
    let token = githubToken()
    #expect(
      try BitbucketIdentity().idToken(audience: "x", in: identityContext(["BITBUCKET_STEP_OIDC_TOKEN": token])).revealed
        == token)
    let message = errorMessage {
      try BitbucketIdentity().idToken(audience: "pypi", in: identityContext(["BITBUCKET_BUILD_NUMBER": "1"]))
    }
    #expect(message?.contains("Add `oidc: true` to the step") == true)
    #expect(message?.contains(#"oidc: { audiences: ["pypi"] }"#) == true)
  }
}

@Suite struct IdentitySpecTests {
  @Test(
    arguments: [
      ("auto", "auto", nil), ("github", "github", nil), ("file:/a:b", "file", "/a:b"), ("env:TOKEN", "env", "TOKEN"),
      ("command:cat /t | tr -d x", "command", "cat /t | tr -d x"), ("azure-pipelines", "azure-pipelines", nil),
      ("azure-pipelines:abc-123", "azure-pipelines", "abc-123"), ("gcp-metadata", "gcp-metadata", nil),
    ] as [(String, String, String?)])
  func parsesKinds(text: String, kind: String, argument: String?) throws {
    let spec = try IdentitySpec(parsing: text)
    #expect(spec.kind == kind)
    #expect(spec.argument == argument)
  }

  @Test(arguments: ["github:x", "file", "file:", "command", "nope", "azure-pipelines:"])
  func refusesMalformedValues(text: String) {
    #expect(throws: ConfigError.self) { try IdentitySpec(parsing: text) }
  }

  @Test func serviceConnectionFlagSelectsAzurePipelines() throws {
    let settings: String? = "sc-1"
    #expect(
      try IdentitySpec.planned(nil, serviceConnection: settings)
        == IdentitySpec(kind: "azure-pipelines", argument: "sc-1"))
    #expect(
      try IdentitySpec.planned("azure-pipelines", serviceConnection: settings)
        == IdentitySpec(kind: "azure-pipelines", argument: "sc-1"))
    #expect(throws: ConfigError.self) { try IdentitySpec.planned("github", serviceConnection: settings) }
    #expect(throws: ConfigError.self) { try IdentitySpec.planned("azure-pipelines:other", serviceConnection: settings) }
    #expect(try IdentitySpec.planned("github", serviceConnection: nil) == IdentitySpec(kind: "github", argument: nil))
  }

  @Test func azurePipelinesArgumentReachesTheRequest() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"oidcToken":"\#(githubToken())"}"#) }
    let env = ["SYSTEM_OIDCREQUESTURI": "https://dev.azure.com/o/p/oidctoken", "SYSTEM_ACCESSTOKEN": "t"]
    let source = try IdentitySpec(parsing: "azure-pipelines:sc-9").source(environment: Environment(env))
    _ = try source.idToken(audience: "api://AzureADTokenExchange", in: identityContext(env, transport: stub))
    #expect(stub.requests.first?.url.hasSuffix("api-version=7.1&serviceConnectionId=sc-9") == true)
  }
}
