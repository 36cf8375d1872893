import IndexKit
import Testing

@Suite struct ClaimsReportTests {
  let token = githubToken(
    sub: "repo:octo-org/app:environment:prod",
    extra: [("environment", .string("prod")), ("event_name", .string("push")), ("run_id", .string("42"))])

  @Test func textShowsClaimsTimesAndTrustClaimsButNotTheToken() throws {
    let report = try ClaimsReport(
      token: Secret(token), source: "GitHub Actions OIDC", audience: "pypi", now: 1_800_000_060)
    let text = report.text
    #expect(text.contains("Token from GitHub Actions OIDC, requested for the audience 'pypi'"))
    #expect(hasRow(text, "sub", "repo:octo-org/app:environment:prod"))
    #expect(hasRow(text, "exp", "2027-01-15T08:05:00Z (in 4 min)"))
    #expect(hasRow(text, "iat", "2027-01-15T08:00:00Z (1 min ago)"))
    #expect(hasRow(text, "lifetime", "5 min, 4 min left"))
    #expect(text.contains("Claims that trust rules use (GitHub Actions):"))
    #expect(hasRow(text, "environment", "prod"))
    #expect(hasRow(text, "job_workflow_ref", "octo-org/app/.github/workflows/release.yml@refs/heads/main"))
    #expect(text.contains("Other claims:"))
    #expect(hasRow(text, "run_id", "42"))
    #expect(text.contains("Header: alg RS256, kid test-key, typ JWT"))
    for part in token.split(separator: ".") { #expect(!text.contains(part)) }
  }

  @Test func jsonHasEveryClaimAndTheTimes() throws {
    let report = try ClaimsReport(token: Secret(token), source: "GitHub Actions OIDC", audience: "", now: 1_800_000_400)
    let json = report.json
    #expect(json["audience_requested"] == .null)
    #expect(json["ci"] == .string("github"))
    #expect(json["claims"]?["sub"] == .string("repo:octo-org/app:environment:prod"))
    #expect(json["claims"]?["run_id"] == .string("42"))
    #expect(json["expires_in_seconds"] == .integer(-100))
    #expect(json["lifetime_seconds"] == .integer(300))
    #expect(json["trust_claims"]?.arrayValue?.contains(.string("environment")) == true)
    let serialized = json.serialized()
    #expect(!serialized.contains(token.split(separator: ".")[2]))
    #expect(report.text.contains("expired 1 min 40 s ago"))
  }

  @Test func controlCharactersInClaimsAreEscaped() throws {
    let odd = unsignedJWT([("sub", .string("a\nb\u{1b}[31m"))])
    let text = try ClaimsReport(token: Secret(odd), source: "x", audience: "", now: 0).text
    #expect(text.contains(#"a\u{a}b\u{1b}[31m"#))
  }

  @Test func fetchUsesTheDetectedSource() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"value":"\#(githubToken())"}"#) }
    let env = [
      "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://r.example/t?x=1",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "rt",
    ]
    let context = identityContext(env, transport: stub)
    let report = try ClaimsReport.fetch(identity: nil, serviceConnection: nil, audience: "aud-1", in: context)
    #expect(report.source == "GitHub Actions OIDC")
    #expect(stub.requests.first?.url == "https://r.example/t?x=1&audience=aud-1")
  }
}

@Suite struct SubjectHintsTests {
  @Test(arguments: [
    ("repo:o/r:environment:prod", "GitHub environment"),
    ("repo:o/r:pull_request", "pull_request events"),
    ("repo:o/r:ref:refs/tags/v1", "tag build"),
    ("repo:o@1/r@2:ref:refs/heads/main", "immutable subject format"),
    ("repo:O/R:ref:refs/heads/main", "case-sensitive"),
    ("project_path:g/p:ref_type:tag:ref:v1", "tag pipeline"),
    ("p://org/proj/pipeline", "--azure-service-connection-id"),
    ("system:serviceaccount:ns:sa", "namespace 'ns' and the service account 'sa'"),
  ])
  func namesTheCommonCause(sub: String, hint: String) {
    let iss = sub.hasPrefix("repo:") ? "https://token.actions.githubusercontent.com" : "https://issuer.example"
    let claims = JWTClaims(token: Secret(unsignedJWT([("iss", .string(iss)), ("sub", .string(sub))])))
    #expect(SubjectHints.hints(for: claims).contains(hint))
  }

  @Test func reusableWorkflowIsNamed() {
    let claims = JWTClaims(
      token: Secret(
        githubToken(extra: [("job_workflow_ref", .string("o/shared/.github/workflows/p.yml@refs/heads/main"))])))
    #expect(
      SubjectHints.hints(for: claims).contains("reusable workflow 'o/shared/.github/workflows/p.yml@refs/heads/main'"))
  }
}

@Suite struct TrapsTests {
  @Test(
    arguments: [
      ("//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/x", nil),
      ("projects/123/locations/global/workloadIdentityPools/p/providers/x", nil),
      (
        "projects/123/locations/global/workloadIdentityPools/p",
        "--p 'projects/123/locations/global/workloadIdentityPools/p' names the pool 'p', not a provider"
      ),
      ("projects/123/locations/global/workloadIdentityPools/p/", "names the pool 'p', not a provider"),
      ("projects/my-proj/locations/global/workloadIdentityPools/p/providers/x", "project by its ID 'my-proj'"),
      ("projects/123/locations/us/workloadIdentityPools/p/providers/x", "always in 'global'"),
      ("my-provider", "is not a workload identity provider name"),
    ] as [(String, String?)])
  func googleProviderNames(value: String, problem: String?) {
    let found = WorkloadIdentityProvider.problem(value, what: "--p")
    if let problem {
      #expect(found?.contains(problem) == true)
    } else {
      #expect(found == nil)
    }
  }

  /// A trap check in the environment `env`, with the CI detected from it.
  func check(_ trap: (Environment, CIEnvironment) -> [DoctorFinding], _ env: [String: String]) -> [DoctorFinding] {
    trap(Environment(env), CIEnvironment.detect(Environment(env)))
  }

  @Test func githubPermissionAndForks() throws {
    let missing = check(Traps.github, ["GITHUB_ACTIONS": "true"])
    #expect(missing.first?.severity == .problem)
    #expect(missing.first?.message.contains("permissions: id-token: write") == true)
    let dir = try ScratchDirectory()
    try dir.write(
      "event.json",
      #"{"pull_request":{"head":{"repo":{"full_name":"someone/app"}}},"repository":{"full_name":"octo-org/app"}}"#)
    let fork = check(
      Traps.github,
      ["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": dir.path + "/event.json"])
    #expect(fork.first?.message.contains("pull request from the fork someone/app") == true)
    let granted = check(
      Traps.github,
      [
        "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "u", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t",
        "GITHUB_SERVER_URL": "https://ghe.example.com",
      ])
    #expect(granted.map(\.severity) == [.ok, .warning])
    #expect(granted.last?.message.contains("'https://ghe.example.com/_services/token'") == true)
    #expect(
      check(Traps.github, ["GITLAB_CI": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "u"]).isEmpty, "only in GitHub Actions")
  }

  @Test func gitlabWithoutIdTokens() {
    let findings = check({ Traps.gitlab($0, ci: $1, audiences: ["api://AzureADTokenExchange"]) }, ["GITLAB_CI": "true"])
    #expect(findings.first?.severity == .problem)
    #expect(
      findings.first?.message.contains(
        #"id_tokens: { API___AZUREADTOKENEXCHANGE_ID_TOKEN: { aud: "api://AzureADTokenExchange" } }"#) == true)
    let none = check({ Traps.gitlab($0, ci: $1, audiences: []) }, ["GITLAB_CI": "true"])
    #expect(none.first?.severity == .warning)
  }

  @Test func azurePipelinesAccessTokenMapping() {
    let findings = check(Traps.azurePipelines, ["TF_BUILD": "True", "SYSTEM_OIDCREQUESTURI": "https://x"])
    #expect(findings.first?.message.contains("SYSTEM_ACCESSTOKEN: $(System.AccessToken)") == true)
  }

  @Test func googleProviderInFlagsVariablesAndCredentialFiles() throws {
    let dir = try ScratchDirectory()
    try dir.write(
      "cred.json",
      #"{"type":"external_account","audience":"//iam.googleapis.com/projects/my-proj/locations/global/workloadIdentityPools/p/providers/x","private_key":"never-shown"}"#
    )
    let findings = Traps.google(
      Environment(["GOOGLE_APPLICATION_CREDENTIALS": dir.path + "/cred.json"]),
      settings: Settings(
        flags: ["gcp-workload-identity-provider": "projects/1/locations/global/workloadIdentityPools/p"],
        environment: Environment()))
    #expect(findings.count == 2)
    #expect(findings[0].message.hasPrefix("--gcp-workload-identity-provider '"))
    #expect(findings[0].message.contains("names the pool"))
    #expect(findings[1].message.contains("project by its ID 'my-proj'"))
    #expect(!findings.map(\.message).joined().contains("never-shown"))
  }
}

@Suite struct DoctorTests {
  let env = [
    "GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://r.example/t?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token-canary", "AZURE_CLIENT_ID": "client-1",
    "AZURE_TENANT_ID": "tenant-1",
  ]
  let feed = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"

  func examine(
    _ urls: [String], env: [String: String], writes: [String] = [], identity: String? = nil, fetch: Bool = true
  )
    -> (DoctorReport, StubTransport)
  {
    let stub = StubTransport { request in
      let aud = request.url.split(separator: "audience=").last.map(String.init) ?? ""
      return HTTPResponse(status: 200, text: #"{"value":"\#(githubToken(aud: aud.replacingPercents))"}"#)
    }
    var options = LoginOptions()
    options.urls = urls
    options.writes = writes
    options.identity = identity
    options.pypirc = "/tmp/doctor-never-written/.pypirc"
    return (Doctor.examine(options, fetchTokens: fetch, in: identityContext(env, transport: stub)), stub)
  }

  @Test func describesDetectionExchangeSubjectAndOutputs() {
    let (report, stub) = examine([feed], env: env, writes: ["pypirc"])
    #expect(report.identity.detected == "GitHub Actions")
    #expect(report.identity.evidence == "GITHUB_ACTIONS=true")
    #expect(report.variablesSet.contains("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
    #expect(report.variablesMissing.contains("AZURE_CLIENT_SECRET"))
    let index = report.indexes[0]
    #expect(index.registry == "Azure Artifacts ('feed')")
    #expect(index.audience == "api://AzureADTokenExchange")
    #expect(index.token?.subject == "repo:octo-org/app:ref:refs/heads/main")
    #expect(index.steps.first?.contains("POST https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token") == true)
    #expect(index.username == "EntraToken")
    #expect(report.outputs.first?.destination == "/tmp/doctor-never-written/.pypirc")
    #expect(report.exitStatus == .ok)
    #expect(stub.requests.count == 1)
    #expect(stub.requests.allSatisfy { !$0.url.contains("login.microsoftonline.com") })
    let text = report.text
    #expect(hasRow(text, "subject", "repo:octo-org/app:ref:refs/heads/main"))
    #expect(text.contains("ok      The job may request GitHub OIDC tokens"))
    #expect(!text.contains("request-token-canary"))
    #expect(!report.json.serialized().contains("request-token-canary"))
    #expect(!text.contains("c2lnbmF0dXJlLXNlZ21lbnQ"))
  }

  @Test func offlineFetchesNoToken() {
    let (report, stub) = examine([feed], env: env, fetch: false)
    #expect(stub.requests.isEmpty)
    #expect(report.indexes[0].token == nil)
    #expect(report.indexes[0].identity == "GitHub Actions OIDC")
    #expect(report.indexes[0].audience == "api://AzureADTokenExchange")
    #expect(report.exitStatus == .ok)
  }

  @Test func clientSecretMeansNoCIToken() {
    var withSecret = env
    withSecret["AZURE_CLIENT_SECRET"] = "secret-canary"
    let (report, stub) = examine([feed], env: withSecret)
    #expect(report.indexes[0].audience == nil)
    #expect(report.indexes[0].steps.first?.contains("client secret from AZURE_CLIENT_SECRET") == true)
    #expect(stub.requests.isEmpty)
    #expect(!report.text.contains("secret-canary"))
  }

  @Test func problemsSetTheExitStatus() {
    let (report, _) = examine(
      [feed, "https://example.com/simple/"], env: ["GITHUB_ACTIONS": "true", "AZURE_CLIENT_ID": "c"])
    #expect(report.indexes[0].error?.contains("AZURE_TENANT_ID") == true)
    #expect(report.indexes[1].error?.contains("does not recognise the index") == true)
    #expect(report.findings.first?.severity == .problem)
    #expect(report.findings.contains { $0.exitStatus == .noIdentity && $0.message.contains("id-token: write") })
    #expect(report.exitStatus == .usage)
    #expect(report.json["exit_status"] == .integer(2))
  }

  @Test func staticTokenWithAnotherAudienceIsAWarning() {
    let token = unsignedJWT([
      ("iss", .string("https://bitbucket.org/x/pipelines-config/identity/oidc")),
      ("aud", .string("ari:cloud:bitbucket::workspace/w")), ("exp", .integer(1_800_000_600)),
    ])
    let (report, _) = examine(
      [feed],
      env: [
        "BITBUCKET_BUILD_NUMBER": "3", "BITBUCKET_STEP_OIDC_TOKEN": token, "AZURE_CLIENT_ID": "c",
        "AZURE_TENANT_ID": "t",
      ])
    #expect(report.identity.detected == "Bitbucket Pipelines")
    #expect(
      report.findings.contains {
        $0.severity == .warning && $0.message.contains("carries the audience 'ari:cloud:bitbucket::workspace/w'")
      })
    #expect(report.exitStatus == .ok)
  }

  @Test func withoutURLsReportsDetectionAndTraps() {
    let (report, stub) = examine([], env: ["GITLAB_CI": "true"])
    #expect(report.identity.detected == "GitLab CI")
    #expect(report.indexes.isEmpty)
    #expect(report.findings.contains { $0.message.contains("declares no `id_tokens:`") })
    #expect(stub.requests.isEmpty)
  }
}

/// True when `text` has a line `  NAME<spaces>VALUE` (the claims and doctor tables).
func hasRow(_ text: String, _ name: String, _ value: String) -> Bool {
  text.split(separator: "\n").contains { line in
    guard line.hasPrefix("  \(name) "), line.hasSuffix(value) else { return false }
    let middle = line.dropFirst(name.count + 2).dropLast(value.count)
    return !middle.isEmpty && middle.allSatisfy { $0 == " " }
  }
}

extension String {
  /// `%3A` → `:` and friends (enough for the audiences in these tests).
  fileprivate var replacingPercents: String {
    replacing("%3A", with: ":").replacing("%2F", with: "/")
  }
}
