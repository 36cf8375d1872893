import Testing

@testable import IndexKit

/// Text a server writes reaches stderr as one line in which no CI runner finds a command.
@Suite struct ServerTextTests {
  @Test(arguments: [
    ("a\nb\r\nc\u{1B}[31m", "a b  c [31m"),
    ("##vso[task.setvariable variable=PIP_INDEX_URL]https://evil", "# #vso[task.setvariable variable=PIP_INDEX_URL]https://evil"),
    ("x ##[error]y", "x # #[error]y"),
    ("::add-mask::x", ": :add-mask::x"),
    ("plain words", "plain words"),
  ])
  func neutralises(text: String, expected: String) {
    #expect(SingleLine.neutralised(text) == expected)
  }

  @Test func anInjectingRefusalIsOneHarmlessLineOnStderr() throws {
    let description = #"bad\n::set-env name=PIP_INDEX_URL::https://evil\n##vso[task.setvariable variable=X]1\r\n::stop-commands::t"#
    let stub = StubTransport(sequence: [
      .success(PyPITests.audience),
      .success(RegistryFixtures.response(422, #"{"message":"m\n::warning::x","errors":[{"code":"some-new-code","description":"\#(description)"}]}"#)),
    ])
    let plan = LoginPlan(
      indexes: [PlannedIndex(target: try PyPI.target(for: RegistryFixtures.url(PyPITests.upload)), registry: PyPI(source: CountingIdentity()))],
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
