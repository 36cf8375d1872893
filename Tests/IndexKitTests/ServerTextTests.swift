import Testing

@testable import IndexKit

/// Text a server writes reaches stderr as one line in which no CI runner finds a command.
@Suite struct ServerTextTests {
  @Test(arguments: [
    ("a\nb\r\nc\u{1B}[31m", "a b  c [31m"),
    (
      "##vso[task.setvariable variable=PIP_INDEX_URL]https://evil",
      "# #vso[task.setvariable variable=PIP_INDEX_URL]https://evil"
    ),
    ("x ##[error]y", "x # #[error]y"),
    ("::add-mask::x", ": :add-mask::x"),
    ("plain words", "plain words"),
  ])
  func neutralises(text: String, expected: String) {
    #expect(SingleLine.neutralised(text) == expected)
  }

  @Test func anInjectingRefusalIsOneHarmlessLineOnStderr() throws {
    let description =
      #"bad\n::set-env name=PIP_INDEX_URL::https://evil\n##vso[task.setvariable variable=X]1\r\n::stop-commands::t"#
    let stub = StubTransport(sequence: [
      .success(PyPITests.audience),
      .success(
        RegistryFixtures.response(
          422, #"{"message":"m\n::warning::x","errors":[{"code":"some-new-code","description":"\#(description)"}]}"#)),
    ])
    let plan = LoginPlan(
      indexes: [
        PlannedIndex(
          target: try PyPI.target(for: RegistryFixtures.url(PyPITests.upload)),
          registry: PyPI(source: CountingIdentity()))
      ],
      sinks: [], dryRun: false)
    let console = CapturingConsole()
    let report = login(plan, in: RegistryFixtures.context(stub))
    report.render(to: console.console, now: 0)
    #expect(report.exitStatus == .refused)
    let lines = console.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(console.stderr)")
    #expect(lines.allSatisfy { $0.hasPrefix("indexkey: ") })
    #expect(!console.stderr.contains("##vso["))
    #expect(!console.stderr.contains("\r"))
  }
}

@Suite struct MaskOrderTests {
  @Test(arguments: [true, false])
  func masksGoOnStdoutOnlyWhenStdoutIsTheLog(isLog: Bool) throws {
    let env = ["GITHUB_ACTIONS": "true", "INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "pw-1"]
    var options = LoginOptions()
    options.urls = ["https://index.example.test/simple/"]
    options.registry = "basic"
    let plan = try Planner.plan(options, environment: Environment(env))
    let console = CapturingConsole(stdoutIsLog: isLog)
    let report = login(
      LoginPlan(indexes: plan.indexes, sinks: [PasswordSink()], dryRun: false),
      in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env, console: console))
    #expect(report.exitStatus == .ok)
    #expect(console.stderr.hasPrefix("::add-mask::pw-1\n"))
    #expect(console.stdout.hasSuffix("pw-1\n"))
    #expect(console.stdout.hasPrefix("::add-mask::pw-1\n") == isLog)
    #expect(console.stdout == (isLog ? console.stderr : "") + "pw-1\n")
  }

  @Test func outsideACIRunnerStdoutIsNeverTheLog() {
    #expect(!CILog.stdoutIsLog())
  }
}
