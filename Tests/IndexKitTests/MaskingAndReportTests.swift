import Glibc
import Testing

@testable import IndexKit

@Suite struct MaskingTests {
  /// Password `a/b"c`: percent-encoded `a%2Fb%22c`, JSON-escaped `a/b\"c`, and the
  /// Basic-auth header's base64 of `EntraToken:a/b"c`.
  let credential = SinkFixtures.credential(password: #"a/b"c"#)
  let base64 = "RW50cmFUb2tlbjphL2IiYw=="

  @Test func everyFormIsAMaskedSecret() {
    #expect(credential.secretForms == [#"a/b"c"#, "a%2Fb%22c", #"a/b\"c"#, base64])
    #expect(credential.basicAuthorization.revealed == "Basic \(base64)")
    #expect(credential.basicAuthorization.secretParts == [base64])
  }

  @Test func gitHubMasksEveryFormOnStderrBeforeTheFileExists() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let file = "\(dir)/env"
      let seenBeforeWrite = Locked<[String]>([])
      let console = Console(
        out: { _ in }, err: { line in if !FileIO.exists(file) { seenBeforeWrite.withLock { $0.append(line) } } })
      let context = Context(
        transport: StubTransport { _ in HTTPResponse(status: 500) },
        environment: Environment(["GITHUB_ACTIONS": "true"]), console: console)
      let outputs = try GitHubEnvSink(path: file, options: ClientOptions(clients: [.pip, .twine])).plan(
        [credential], in: context)
      try OutputWriter.apply(outputs, credentials: [credential], dryRun: false, in: context)
      #expect(
        seenBeforeWrite.withLock { $0 }
          == [
            "::add-mask::a/b\"c\n", "::add-mask::a%252Fb%2522c\n", "::add-mask::a/b\\\"c\n", "::add-mask::\(base64)\n",
          ])
      #expect(readFile(file)?.contains("TWINE_PASSWORD=a/b\"c\n") == true)
    }
  }

  @Test func azureRegistersSecretsWithSetSecretOnStderr() throws {
    let console = CapturingConsole()
    let context = SinkFixtures.context(["TF_BUILD": "True"], console: console)
    let percent = SinkFixtures.credential(password: "x%y")
    let outputs = try AzurePipelinesSink(options: ClientOptions(clients: [.pip])).plan([percent], in: context)
    try OutputWriter.apply(outputs, credentials: [percent], dryRun: false, in: context)
    #expect(
      console.stderr == """
        ##vso[task.setsecret]x%AZP25y
        ##vso[task.setsecret]x%AZP2525y
        ##vso[task.setsecret]\(Base64.encode(Array("EntraToken:x%y".utf8)))

        """)
    #expect(
      console.stdout
        == "##vso[task.setvariable variable=PIP_INDEX_URL;issecret=true]https://EntraToken:x%AZP2525y@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
    )
  }

  @Test func gitLabPrintsNothingSecret() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let console = CapturingConsole()
      let context = SinkFixtures.context(["GITLAB_CI": "true", "TMPDIR": dir], console: console)
      #expect(CIMasker.detect(context.environment) == .gitlab)
      let outputs = try GitLabEnvSink().plan([credential], in: context)
      try OutputWriter.apply(outputs, credentials: [credential], dryRun: false, in: context)
      #expect(console.stderr.isEmpty && console.stdout.isEmpty)
    }
  }

  @Test func detection() {
    #expect(CIMasker.detect(Environment(["GITHUB_ACTIONS": "true", "TF_BUILD": "True"])) == .github)
    #expect(CIMasker.detect(Environment(["TF_BUILD": "True"])) == .azure)
    #expect(CIMasker.detect(Environment(["TF_BUILD": ""])) == .none)
  }
}

@Suite struct ReportTests {
  func report(showSecrets: Bool) -> SecretText {
    let ok = SinkFixtures.credential(password: #"p"w"#)
    let failed = SinkFixtures.credential("https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", name: "other")
    let output = PlannedOutput(
      sink: "pypirc", action: .replaceFile("/h/.pypirc"), content: "x", items: ["[feed]"], warnings: ["careful"])
    let report = LoginReport(
      results: [
        (ok.index, "Azure Artifacts", .success(ok)),
        (failed.index, "Azure Artifacts", .failure(ReportedError(message: "Refused.", exitStatus: .refused))),
      ], outputs: [output], outputError: nil, dryRun: false)
    return report.json(showSecrets: showSecrets, now: 1_800_000_000)
  }

  @Test func jsonListsEveryIndexAndWhatWasWritten() {
    let text = report(showSecrets: false)
    #expect(
      text.revealed
        == #"{"indexes":[{"name":"feed","url":"https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/","upload_url":"https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/","registry":"azure-artifacts","registry_name":"Azure Artifacts","status":"ok","username":"EntraToken","expires_at":"2027-01-15T08:59:59Z","expires_in":3599},{"name":"other","url":"https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/","upload_url":"https://pkgs.dev.azure.com/org/_packaging/other/pypi/upload/","registry":"azure-artifacts","registry_name":"Azure Artifacts","status":"error","error":"Refused.","exit_code":4}],"outputs":[{"sink":"pypirc","destination":"/h/.pypirc","wrote":["[feed]"]}],"warnings":["careful"],"dry_run":false,"exit_code":4}"#
    )
    #expect(text.secretParts.isEmpty)
  }

  @Test func jsonForAFailureBeforeAnyExchange() {
    #expect(
      LoginReport.json(failure: ReportedError(message: "Bad \"flag\".", exitStatus: .usage))
        == #"{"indexes":[],"outputs":[],"warnings":[],"error":"Bad \"flag\".","exit_code":2}"#)
  }

  @Test func passwordsOnlyWithShowSecretsAndAsSecretParts() throws {
    let text = report(showSecrets: true)
    #expect(text.revealed.contains(#""expires_in":3599,"password":"p\"w"}"#))
    #expect(text.secretParts == [#"p\"w"#])
    #expect(text.redacted.contains(#""password":"***"}"#))
    let parsed = try JSON(parsing: Array(text.revealed.utf8), document: "report")
    #expect(parsed["indexes"]?.arrayValue?.first?["password"]?.stringValue == #"p"w"#)
  }
}

@Suite struct OutputPlanningTests {
  let url = "https://pkgs.dev.azure.com/org/_packaging/Feed_One/pypi/simple/"
  let url2 = "https://pkgs.dev.azure.com/other/_packaging/feed-one/pypi/simple/"
  let env = ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s", "HOME": "/h"]

  func plan(
    _ urls: [String], writes: [String] = [], env extra: [String: String] = [:],
    configure: (inout LoginOptions) -> Void = { _ in }
  )
    throws -> LoginPlan
  {
    var options = LoginOptions()
    options.urls = urls
    options.writes = writes
    configure(&options)
    return try Planner.plan(options, environment: Environment(env.merging(extra) { $1 }))
  }

  func refusal(_ body: () throws -> LoginPlan) -> String {
    do {
      _ = try body()
      return "no error"
    } catch let error as ConfigError {
      return error.message
    } catch {
      return "\(error)"
    }
  }

  @Test func namesAreDerivedOrGivenOnePerURL() throws {
    #expect(try plan([url]).indexes.map(\.target.name) == ["feed-one"])
    #expect(try plan([url, url2]) { $0.names = ["main,backup"] }.indexes.map(\.target.name) == ["main", "backup"])
    #expect(refusal { try plan([url, url2]) }.contains("Two indexes would share the name 'feed-one'"))
    #expect(refusal { try plan([url, url2]) { $0.names = ["a.b,a_b"] } }.contains("UV_INDEX_A_B_"))
    #expect(refusal { try plan([url, url2]) { $0.names = ["main"] } }.contains("--name gives 1 name for 2 index URLs"))
    #expect(refusal { try plan([url]) { $0.names = ["bad name"] } }.contains("is not a usable index name"))
  }

  @Test func outputRefusals() {
    #expect(refusal { try plan([url], writes: ["gitlab-dotenv"]) } == GitLabEnvSink.dotenvRefusal)
    #expect(refusal { try plan([url], writes: ["azure-pipelines"]) } == AzurePipelinesSink.outsideAzure)
    #expect(refusal { try plan([url], writes: ["shell,fish"]) }.contains("more than one output that prints on stdout"))
    #expect(
      refusal { try plan([url], writes: ["shell"]) { $0.json = true } }.contains("--json prints the report on stdout"))
    #expect(refusal { try plan([url]) { $0.showSecrets = true } }.contains("give --json too"))
    #expect(
      refusal {
        try plan([url]) {
          $0.json = true
          $0.showSecrets = true
          $0.dryRun = true
        }
      }.contains("--dry-run"))
    #expect(refusal { try plan([url]) { $0.clients = "npm" } }.contains("not a known client"))
  }

  @Test func azureSinkInsideAzurePipelines() throws {
    #expect(
      try plan([url], writes: ["azure-pipelines"], env: ["TF_BUILD": "True"]).sinks.map(\.name) == ["azure-pipelines"])
  }

  @Test func netrcTakesTheCredentialsOutOfPipURLs() throws {
    let sinks = try plan([url], writes: ["netrc=/tmp/job/netrc,pip-conf=/tmp/job/pip.conf,shell"]) {
      $0.clients = "pip"
    }.sinks
    let credential = SinkFixtures.credential(url)
    let context = SinkFixtures.context()
    let pipConf = try sinks[1].plan([credential], in: context)[0].content.revealed
    let shell = try sinks[2].plan([credential], in: context)[0].content.revealed
    #expect(pipConf == "[global]\nindex-url = \(url)\n")
    #expect(shell == "export PIP_INDEX_URL='\(url)'\nexport NETRC='/tmp/job/netrc'\n")
    #expect(
      try sinks[0].plan([credential], in: context)[0].content.revealed
        == "machine pkgs.dev.azure.com login EntraToken password tok/en+1%\n")
  }
}
