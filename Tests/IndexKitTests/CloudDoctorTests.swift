import Testing

@testable import IndexKit

/// `indexkey doctor` for Google and AWS indexes: the exchange in words, nothing sent but the CI token.
@Suite struct CloudDoctorTests {
  func examine(_ url: String, flags: [String: String], env: [String: String] = githubEnv(), registry: String? = nil)
    -> (DoctorReport, StubTransport)
  {
    let stub = StubTransport { request in
      HTTPResponse(status: 200, text: #"{"value":"\#(githubToken(aud: "x"))"}"#)
    }
    var options = LoginOptions()
    options.urls = [url]
    options.settings = Settings(flags: flags, environment: Environment()).given
    options.registry = registry
    return (Doctor.examine(options, fetchTokens: true, in: identityContext(env, transport: stub)), stub)
  }

  @Test func googleFederationWithImpersonation() {
    let (report, stub) = examine(
      "https://us-python.pkg.dev/proj/repo/simple/",
      flags: ["gcp-workload-identity-provider": providerName, "gcp-service-account": "sa@p.iam.gserviceaccount.com"])
    let index = report.indexes[0]
    #expect(index.registry == "Google Artifact Registry ('repo')")
    #expect(index.audience == "https://iam.googleapis.com/" + providerName)
    #expect(index.username == "oauth2accesstoken")
    #expect(
      index.steps == [
        "POST https://sts.googleapis.com/v1/token (Google STS token exchange for //iam.googleapis.com/\(providerName), --gcp-workload-identity-provider)",
        "POST https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa%40p.iam.gserviceaccount.com:generateAccessToken (generateAccessToken for sa@p.iam.gserviceaccount.com, 3600 s)",
      ])
    #expect(index.token?.subject == "repo:octo-org/app:ref:refs/heads/main")
    #expect(stub.requests.count == 1)
    #expect(stub.requests.allSatisfy { $0.url.hasPrefix("https://gh.test/") })
  }

  @Test func googleKeyAsPasswordIsAWarning() {
    let (report, stub) = examine(
      "https://us-python.pkg.dev/proj/repo/simple/", flags: ["gcp-key-as-password": "true"],
      env: ["GOOGLE_APPLICATION_CREDENTIALS": CryptoFixture.path("crypto/google-service-account.json")])
    #expect(report.indexes[0].username == "_json_key_base64")
    #expect(report.findings.contains { $0.severity == .warning && $0.message.contains("never expires") })
    #expect(stub.requests.isEmpty)
    #expect(!report.text.contains("PRIVATE KEY"))
  }

  @Test func awsWebIdentity() {
    let (report, stub) = examine(
      "https://my-domain-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/my-repo/simple/",
      flags: ["aws-role-arn": roleARN])
    let index = report.indexes[0]
    #expect(index.audience == "sts.amazonaws.com")
    #expect(index.username == "aws")
    #expect(
      index.steps == [
        "POST https://sts.eu-west-1.amazonaws.com/ (AssumeRoleWithWebIdentity for \(roleARN), session indexkey, 900 s; unsigned)",
        "POST https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?domain=my-domain&domain-owner=444455556666&duration=3600 (SigV4, service codeartifact, region eu-west-1) signed with the role session",
      ])
    #expect(stub.requests.count == 1)
  }

  @Test func awsStaticKeysNeedNoCIToken() {
    let env = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-canary"]
    let (report, stub) = examine(
      "https://d-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/", flags: [:], env: env)
    #expect(report.indexes[0].audience == nil)
    #expect(
      report.indexes[0].steps.first?.contains(
        "signed with the access key AKIAEXAMPLE (AWS_ACCESS_KEY_ID); no CI token is used") == true)
    #expect(stub.requests.isEmpty)
    #expect(!report.text.contains("secret-canary"))
  }

  @Test func awsWithoutDomainIsAProblem() {
    let (report, _) = examine(
      "http://127.0.0.1:9/pypi/r/simple/", flags: ["aws-role-arn": roleARN], registry: "aws-codeartifact")
    #expect(report.findings.contains { $0.severity == .problem && $0.message.contains("--aws-domain") })
  }

  /// Doctor reads login's own plan: what login would refuse, doctor reports with login's sentence.
  @Test func awsRegionAndRoleARNComeFromThePlan() {
    let (noRegion, _) = examine(
      "https://pypi-proxy.corp.example/pypi/r/simple/",
      flags: ["aws-role-arn": roleARN, "aws-domain": "d", "aws-domain-owner": "444455556666"],
      registry: "aws-codeartifact")
    #expect(
      noRegion.findings.contains {
        $0.severity == .problem && $0.message.contains("does not say its region; set AWS_REGION")
      })
    var env = githubEnv()
    env["AWS_REGION"] = "us-east-1"
    let (withRegion, _) = examine(
      "https://pypi-proxy.corp.example/pypi/r/simple/",
      flags: ["aws-role-arn": roleARN, "aws-domain": "d", "aws-domain-owner": "444455556666"], env: env,
      registry: "aws-codeartifact")
    #expect(!withRegion.findings.contains { $0.severity == .problem })
    env["AWS_ROLE_ARN"] = "ci-publish"
    let (badARN, _) = examine(
      "https://d-444455556666.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/", flags: [:], env: env)
    #expect(badARN.indexes[0].error?.contains("The role 'ci-publish' is not an IAM role ARN") == true)
    #expect(badARN.exitStatus == .usage)
  }
}
