import Glibc
import Testing

@testable import IndexKit

func credential(
  _ url: String = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/", password: String = "tok/en+1%"
) -> Credential {
  let target = fixtureTarget(AzureArtifacts.self, url)
  return Credential(
    index: target, registry: AzureArtifacts.name, username: "EntraToken", password: Secret(password), expiresAt: nil)
}

/// Only pip's variables, for tests about the format rather than the variable set.
let pipOnly = ClientOptions(clients: [.pip])

@Suite struct GitHubEnvSinkTests {
  @Test func writesPercentEncodedPipIndexURL() throws {
    let outputs = try GitHubEnvSink(path: "/gh/env", options: pipOnly).plan(
      [credential()], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
    #expect(outputs.count == 1)
    #expect(outputs[0].action == .appendFile("/gh/env"))
    #expect(
      outputs[0].content.revealed
        == "PIP_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
    )
    #expect(
      outputs[0].content.redacted
        == "PIP_INDEX_URL=https://EntraToken:***@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n")
    #expect(outputs[0].content.secretParts == ["tok%2Fen%2B1%25"])
  }

  @Test func severalIndexesBecomeIndexAndExtraIndex() throws {
    let creds = [
      credential(), credential("https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", password: "b"),
    ]
    let text = try GitHubEnvSink(path: "/e", options: pipOnly).plan(
      creds, in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))[0].content.revealed
    #expect(
      text == """
        PIP_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/
        PIP_EXTRA_INDEX_URL=https://EntraToken:b@pkgs.dev.azure.com/org/_packaging/other/pypi/simple/

        """)
  }

  @Test func needsTheGitHubEnvFile() {
    #expect(throws: SinkError.self) {
      try GitHubEnvSink().plan([credential()], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
    }
  }

  @Test func masksEveryFormBeforeWritingAndAppends() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let file = "\(dir)/github_env"
      writeFile(file, "EARLIER=1\n")
      let console = CapturingConsole()
      let context = testContext(
        StubTransport { _ in HTTPResponse(status: 500) }, env: ["GITHUB_ACTIONS": "true", "GITHUB_ENV": file],
        console: console)
      let creds = [credential(password: "line1\nline%2")]
      let outputs = try GitHubEnvSink(options: pipOnly).plan(creds, in: context)
      try OutputWriter.apply(outputs, credentials: creds, dryRun: false, in: context)
      // The raw value (escaped for the command), each of its lines, the percent-encoded,
      // JSON-escaped and Basic-auth (base64 of "EntraToken:line1\nline%2") forms.
      #expect(
        console.stderr
          == "::add-mask::line1%0Aline%252\n::add-mask::line1\n::add-mask::line%252\n::add-mask::line1%250Aline%25252\n"
          + "::add-mask::line1\\nline%252\n::add-mask::RW50cmFUb2tlbjpsaW5lMQpsaW5lJTI=\n")
      #expect(
        readFile(file)
          == "EARLIER=1\nPIP_INDEX_URL=https://EntraToken:line1%0Aline%252@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
      )
    }
  }
}

@Suite struct ShellSinkTests {
  @Test func singleQuotesAndEscapesQuotes() throws {
    let outputs = try ShellSink(options: pipOnly).plan(
      [credential(password: "it's")], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
    #expect(outputs[0].action == .stdout)
    #expect(
      outputs[0].content.revealed
        == "export PIP_INDEX_URL='https://EntraToken:it%27s@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/'\n"
    )
    #expect(ShellSink.quote("it's $HOME").revealed == #"'it'\''s $HOME'"#)
  }
}

@Suite struct PypircSinkTests {
  func plan(_ existing: String?, _ creds: [Credential] = [credential()]) throws -> String {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/.pypirc"
      if let existing { writeFile(path, existing) }
      let outputs = try PypircSink(path: path).plan(
        creds, in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
      try OutputWriter.apply(
        outputs, credentials: creds, dryRun: false, in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
      #expect(fileMode(path) == 0o600)
      return readFile(path) ?? ""
    }
  }

  @Test func createsANewFile() throws {
    #expect(
      try plan(nil) == """
        [distutils]
        index-servers =
            feed

        [feed]
        repository = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/
        username = EntraToken
        password = tok/en+1%

        """)
  }

  @Test func keepsEveryOtherByte() throws {
    let existing =
      "# my config\r\n[distutils]\r\nindex-servers =\r\n    pypi\r\n    private\r\n\r\n[pypi]\r\nusername = __token__\r\n; keep me\r\n\r\n[private]\r\nrepository = https://x/\r\npassword = p%x"
    #expect(
      try plan(existing)
        == "# my config\r\n[distutils]\r\nindex-servers =\r\n    pypi\r\n    private\r\n    feed\r\n\r\n[pypi]\r\nusername = __token__\r\n; keep me\r\n\r\n[private]\r\nrepository = https://x/\r\npassword = p%x\r\n\r\n[feed]\r\nrepository = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/\r\nusername = EntraToken\r\npassword = tok/en+1%\r\n"
    )
  }

  @Test func replacesAnExistingSectionInPlace() throws {
    let existing =
      "[distutils]\nindex-servers = feed other\n\n[feed]\nrepository = old\nusername = old\npassword = old\n\n# other index\n[other]\nrepository = https://o/\n"
    #expect(
      try plan(existing)
        == "[distutils]\nindex-servers = feed other\n\n[feed]\nrepository = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/\nusername = EntraToken\npassword = tok/en+1%\n\n# other index\n[other]\nrepository = https://o/\n"
    )
  }

  @Test func addsDistutilsKeepingTheDefaultsWhenTheFileHadNone() throws {
    let existing = "[pypi]\nusername = __token__\n"
    #expect(
      try plan(existing)
        == "[distutils]\nindex-servers =\n    pypi\n    testpypi\n    feed\n\n[pypi]\nusername = __token__\n\n[feed]\nrepository = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/\nusername = EntraToken\npassword = tok/en+1%\n"
    )
  }

  @Test func refusesASymlinkAndLeavesTheTargetAlone() throws {
    try withTemporaryDirectory { (dir: String) throws in
      writeFile("\(dir)/target", "untouched")
      symlink("\(dir)/target", "\(dir)/.pypirc")
      let error = #expect(throws: SinkError.self) {
        try PypircSink(path: "\(dir)/.pypirc").plan(
          [credential()], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
      }
      #expect(error?.message.contains("symbolic link") == true)
      #expect(readFile("\(dir)/target") == "untouched")
    }
  }

  @Test func refusesLineBreaksInSecrets() {
    #expect(throws: SinkError.self) {
      try withTemporaryDirectory { (dir: String) throws in
        try PypircSink(path: "\(dir)/.pypirc").plan(
          [credential(password: "a\nb")], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
      }
    }
  }

  @Test func refusesALineBreakInTheRepositoryURL() throws {
    try withTemporaryDirectory { (dir: String) throws in
      var injected = credential()
      injected.index.uploadURL?.path = "/x/\n[server-login]\nusername = x\n"
      let error = #expect(throws: SinkError.self) {
        try PypircSink(path: "\(dir)/.pypirc").plan(
          [injected], in: testContext(StubTransport { _ in HTTPResponse(status: 500) }))
      }
      #expect(error?.message.contains("the repository for [feed]") == true)
    }
  }

  @Test(arguments: ["github-env", "pypirc", "pip-conf", "shell", "netrc=NETRC"])
  func everySinkRefusesAControlCharacterInAnyField(write: String) throws {
    try withTemporaryDirectory { (dir: String) throws in
      var injected = credential()
      injected.index.simpleURL.path = "/x/\r\nproxy = evil/"
      let env = ["HOME": dir, "GITHUB_ACTIONS": "true", "GITHUB_ENV": "\(dir)/env"]
      let sinks = try SinkCatalog.sinks(
        sinkOptions([write.replacing("NETRC", with: "\(dir)/netrc")]), environment: Environment(env),
        ci: .detect(Environment(env)))
      let console = CapturingConsole()
      let report = login(
        LoginPlan(
          indexes: [PlannedIndex(target: injected.index, registry: StaticIndex(username: "u", password: Secret("p")))],
          sinks: sinks, dryRun: false),
        in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env, console: console))
      #expect(report.outputError?.message.contains("control character") == true)
      #expect(try listDirectory(dir).isEmpty)
      #expect(console.stdout.isEmpty)
    }
  }

  @Test func dryRunWritesNothingAndHidesSecrets() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let console = CapturingConsole()
      let context = testContext(StubTransport { _ in HTTPResponse(status: 500) }, console: console)
      let outputs = try PypircSink(path: "\(dir)/.pypirc").plan([credential()], in: context)
      try OutputWriter.apply(outputs, credentials: [credential()], dryRun: true, in: context)
      #expect(!FileIO.exists("\(dir)/.pypirc"))
      #expect(console.stderr.contains("password = ***"))
      #expect(!console.stderr.contains("tok/en"))
    }
  }
}

@Suite struct LoginFlowTests {
  @Test func exchangesThenWritesAndReports() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let envFile = "\(dir)/env"
      let stub = StubTransport { _ in HTTPResponse(status: 200, text: #"{"access_token":"AT","expires_in":3600}"#) }
      let console = CapturingConsole()
      let env = [
        "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s", "GITHUB_ACTIONS": "true",
        "GITHUB_ENV": envFile, "HOME": dir,
      ]
      var options = LoginOptions()
      options.urls = ["https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"]
      options.writes = ["github-env,pypirc"]
      let plan = try Planner.plan(options, environment: Environment(env))
      let report = login(plan, in: testContext(stub, env: env, console: console))
      #expect(report.exitStatus == .ok)
      let simple = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"
      let upload = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/upload/"
      #expect(
        readFile(envFile) == """
          PIP_INDEX_URL=https://EntraToken:AT@pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/
          UV_DEFAULT_INDEX=feed=\(simple)
          UV_INDEX_FEED_USERNAME=EntraToken
          UV_INDEX_FEED_PASSWORD=AT
          UV_PUBLISH_URL=\(upload)
          UV_PUBLISH_USERNAME=EntraToken
          UV_PUBLISH_PASSWORD=AT
          TWINE_REPOSITORY=feed
          POETRY_HTTP_BASIC_FEED_USERNAME=EntraToken
          POETRY_HTTP_BASIC_FEED_PASSWORD=AT
          POETRY_REPOSITORIES_FEED_URL=\(upload)
          PDM_PYPI_URL=\(simple)
          PDM_PYPI_USERNAME=EntraToken
          PDM_PYPI_PASSWORD=AT
          PDM_PUBLISH_REPO=\(upload)
          PDM_PUBLISH_USERNAME=EntraToken
          PDM_PUBLISH_PASSWORD=AT
          HATCH_INDEX_REPO=\(upload)
          HATCH_INDEX_USER=EntraToken
          HATCH_INDEX_AUTH=AT

          """)
      #expect(readFile("\(dir)/.pypirc")?.contains("password = AT\n") == true)
      #expect(console.stderr.hasPrefix("::add-mask::AT\n"))
    }
  }

  @Test func aFailedExchangeWritesNothingAndSetsTheExitCode() throws {
    let stub = StubTransport { _ in EntraClientTests.entraError(7_000_215) }
    let env = ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"]
    var options = LoginOptions()
    options.urls = ["https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"]
    options.writes = ["shell"]
    let console = CapturingConsole()
    let report = login(
      try Planner.plan(options, environment: Environment(env)), in: testContext(stub, env: env, console: console))
    #expect(report.exitStatus == .refused)
    #expect(console.stdout.isEmpty)
  }

  @Test(arguments: [
    (["https://example.com/simple/"], [String](), "does not recognise"),
    (["http://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/"], [], "not https"),
    (["https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/"], ["bogus"], "not a known output"),
    (["https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/"], ["shell=/tmp/x"], "takes no path"),
    ([String](), [], "at least one index URL"),
  ])
  func planningErrorsAreConfigErrors(urls: [String], writes: [String], expected: String) {
    var options = LoginOptions()
    options.urls = urls
    options.writes = writes
    let error = #expect(throws: ConfigError.self) {
      try Planner.plan(
        options, environment: Environment(["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"]))
    }
    #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
  }

  @Test func defaultSinkIsGitHubEnvOnlyInsideActions() throws {
    #expect(
      try SinkCatalog.sinks(
        LoginOptions(), environment: Environment(["GITHUB_ACTIONS": "true", "GITHUB_ENV": "/x"]),
        ci: .detect(Environment(["GITHUB_ACTIONS": "true", "GITHUB_ENV": "/x"]))
      ).map(\.name) == ["github-env"])
    #expect(try SinkCatalog.sinks(LoginOptions(), environment: Environment([:]), ci: .detect(Environment([:]))).isEmpty)
  }
}

@Suite struct IdentityTests {
  @Test func missingGitHubVariablesExplainThePermission() {
    let error = #expect(throws: IdentityError.self) {
      try AmbientIdentity().resolve(Environment(["GITHUB_ACTIONS": "true"]))
    }
    #expect(error?.exitStatus == .noIdentity)
    #expect(error?.message.contains("id-token: write") == true)
    #expect(error?.message.contains("forks") == true)
  }

  @Test func nothingDetectedSaysWhatToGive() {
    let error = #expect(throws: IdentityError.self) { try AmbientIdentity().resolve(Environment([:])) }
    #expect(error?.message.contains("--identity file:PATH") == true)
  }

  @Test func fileAndEnvSourcesReadFreshValues() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let jwt = unsignedJWT(githubClaims)
      writeFile("\(dir)/token", jwt + "\n")
      let context = testContext(
        StubTransport { _ in HTTPResponse(status: 500) },
        env: ["TOK": jwt, "AZURE_FEDERATED_TOKEN_FILE": "\(dir)/token"])
      #expect(
        try FileIdentity(path: "\(dir)/token", origin: "test").idToken(audience: "a", in: context).revealed == jwt)
      #expect(try EnvIdentity(variable: "TOK").idToken(audience: "a", in: context).revealed == jwt)
      #expect(try AmbientIdentity().idToken(audience: "a", in: context).revealed == jwt)
      writeFile("\(dir)/token", "not a token")
      #expect(throws: IdentityError.self) {
        try FileIdentity(path: "\(dir)/token", origin: "test").idToken(audience: "a", in: context)
      }
      #expect(throws: IdentityError.self) {
        try FileIdentity(path: "\(dir)/missing", origin: "test").idToken(audience: "a", in: context)
      }
      #expect(throws: IdentityError.self) { try EnvIdentity(variable: "NOPE").idToken(audience: "a", in: context) }
    }
  }

  @Test func gitHubRefusalIsExplained() throws {
    let stub = StubTransport { _ in HTTPResponse(status: 401, text: #"{"message":"Bad credentials"}"#) }
    let github = GitHubActionsIdentity(
      requestURL: try WebURL("https://gh.test/t?api-version=2.0", what: "u"), requestToken: Secret("r"))
    let error = #expect(throws: IdentityError.self) { try github.idToken(audience: "x", in: testContext(stub)) }
    #expect(error?.message.contains("HTTP 401 (Bad credentials)") == true)
  }

  @Test(arguments: ["file:", "env:", "bogus", "github:x", "env:A-B"])
  func badSpecsAreRefused(text: String) {
    #expect(throws: ConfigError.self) { try IdentitySpec(parsing: text).source(environment: Environment([:])) }
  }
}
