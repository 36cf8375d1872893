import Glibc
import Testing

@testable import IndexKit

/// Exact bytes of every variable-style sink, for one credential whose password needs
/// quoting everywhere: `a'b\c%d;]` (pip and uv only, to keep the lines readable).
@Suite struct VariableSinkTests {
  let options = ClientOptions(clients: [.pip, .uv])
  let credential = SinkFixtures.credential(password: #"a'b\c%d;]"#)
  let url = "https://EntraToken:a%27b%5Cc%25d%3B%5D@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"
  let index = "feed=https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"
  let upload = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/"

  func content(_ sink: any Sink, env: [String: String] = [:]) throws -> PlannedOutput {
    let outputs = try sink.plan([credential], in: SinkFixtures.context(env))
    #expect(outputs.count == 1)
    return outputs[0]
  }

  @Test func githubEnv() throws {
    let output = try content(GitHubEnvSink(path: "/gh/env", options: options))
    #expect(output.action == .appendFile("/gh/env"))
    #expect(
      output.content.revealed == """
        PIP_INDEX_URL=\(url)
        UV_DEFAULT_INDEX=\(index)
        UV_INDEX_FEED_USERNAME=EntraToken
        UV_INDEX_FEED_PASSWORD=a'b\\c%d;]
        UV_PUBLISH_URL=\(upload)
        UV_PUBLISH_USERNAME=EntraToken
        UV_PUBLISH_PASSWORD=a'b\\c%d;]

        """)
    #expect(output.items.first == "PIP_INDEX_URL" && output.items.count == 7)
  }

  @Test func githubOutputUsesTheSameSyntaxAndWarnsAboutJobOutputs() throws {
    let output = try content(
      GitHubOutputSink(options: ClientOptions(clients: [.twine])), env: ["GITHUB_OUTPUT": "/gh/out"])
    #expect(output.action == .appendFile("/gh/out"))
    #expect(
      output.content.revealed
        == "TWINE_REPOSITORY_URL=\(upload)\nTWINE_USERNAME=EntraToken\nTWINE_PASSWORD=a'b\\c%d;]\n")
    #expect(output.warnings == [GitHubOutputSink.jobOutputWarning])
    #expect(throws: SinkError.self) { try GitHubOutputSink().plan([credential], in: SinkFixtures.context()) }
  }

  @Test func githubHeredocForMultiLineValuesWithAFreshDelimiter() throws {
    let multi = SinkFixtures.credential(password: "l1\nl2")
    let sink = GitHubEnvSink(path: "/e", options: ClientOptions(clients: [.twine]))
    let a = try sink.plan([multi], in: SinkFixtures.context())[0].content.revealed
    let b = try sink.plan([multi], in: SinkFixtures.context())[0].content.revealed
    let lines = a.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[2].hasPrefix("TWINE_PASSWORD<<ghadelimiter_"))
    let delimiter = String(lines[2].dropFirst("TWINE_PASSWORD<<".count))
    #expect(delimiter.count == "ghadelimiter_".count + 32)
    #expect(Array(lines[3...]) == ["l1", "l2", delimiter, ""])
    #expect(a != b)
  }

  @Test func githubRefusesReservedNames() throws {
    var options = ClientOptions(clients: [.pip])
    options.netrc = NetrcHandOff(path: "/x", isDefault: false)
    #expect(
      try GitHubEnvSink(path: "/e", options: options).plan([credential], in: SinkFixtures.context())[0].items == [
        "PIP_INDEX_URL", "NETRC",
      ])
  }

  @Test func posixShell() throws {
    let output = try content(ShellSink(options: options))
    #expect(output.action == .stdout)
    #expect(
      output.content.revealed == """
        export PIP_INDEX_URL='\(url)'
        export UV_DEFAULT_INDEX='\(index)'
        export UV_INDEX_FEED_USERNAME='EntraToken'
        export UV_INDEX_FEED_PASSWORD='a'\\''b\\c%d;]'
        export UV_PUBLISH_URL='\(upload)'
        export UV_PUBLISH_USERNAME='EntraToken'
        export UV_PUBLISH_PASSWORD='a'\\''b\\c%d;]'

        """)
    #expect(
      output.content.secretParts == [
        url.dropFirst("https://EntraToken:".count).prefix { $0 != "@" }.description, #"a'\''b\c%d;]"#,
      ])
  }

  @Test func fish() throws {
    let output = try content(FishSink(options: ClientOptions(clients: [.twine])))
    #expect(
      output.content.revealed
        == "set -gx TWINE_REPOSITORY_URL '\(upload)'\nset -gx TWINE_USERNAME 'EntraToken'\nset -gx TWINE_PASSWORD 'a\\'b\\\\c%d;]'\n"
    )
  }

  @Test func powershell() throws {
    let output = try content(PowerShellSink(options: ClientOptions(clients: [.twine])))
    #expect(
      output.content.revealed
        == "$env:TWINE_REPOSITORY_URL = '\(upload)'\n$env:TWINE_USERNAME = 'EntraToken'\n$env:TWINE_PASSWORD = 'a''b\\c%d;]'\n"
    )
    #expect(PowerShellSink.quote("x\u{2018}y\u{201B}z").revealed == "'x\u{2018}\u{2018}y\u{201B}\u{201B}z'")
  }

  @Test func azurePipelinesMarksSecretsAndEscapes() throws {
    let output = try content(AzurePipelinesSink(options: options))
    #expect(output.action == .stdout)
    #expect(
      output.content.revealed == """
        ##vso[task.setvariable variable=PIP_INDEX_URL;issecret=true]https://EntraToken:a%AZP2527b%AZP255Cc%AZP2525d%AZP253B%AZP255D@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/
        ##vso[task.setvariable variable=UV_DEFAULT_INDEX]\(index)
        ##vso[task.setvariable variable=UV_INDEX_FEED_USERNAME]EntraToken
        ##vso[task.setvariable variable=UV_INDEX_FEED_PASSWORD;issecret=true]a'b\\c%AZP25d;]
        ##vso[task.setvariable variable=UV_PUBLISH_URL]\(upload)
        ##vso[task.setvariable variable=UV_PUBLISH_USERNAME]EntraToken
        ##vso[task.setvariable variable=UV_PUBLISH_PASSWORD;issecret=true]a'b\\c%AZP25d;]

        """)
    #expect(output.warnings.count == 1)
    #expect(output.warnings[0].contains("      UV_INDEX_FEED_PASSWORD: $(UV_INDEX_FEED_PASSWORD)\n"))
    #expect(!output.warnings[0].contains("UV_DEFAULT_INDEX"))
    #expect(AzureLogging.escapeProperty("a;b]c%\r\n") == "a%3Bb%5Dc%AZP25%0D%0A")
  }

  @Test func gitlabEnvFileIsPrivateAndSourceable() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let env = ["TMPDIR": dir, "CI_JOB_ID": "77", "GITLAB_CI": "true", "CI_PROJECT_DIR": "/builds/g/p"]
      let console = CapturingConsole()
      let context = SinkFixtures.context(env, console: console)
      let (text, outputs) = try SinkFixtures.write(
        GitLabEnvSink(options: ClientOptions(clients: [.twine])), [credential], context: context)
      #expect(outputs[0].destination == "\(dir)/indexkey-77.env")
      #expect(
        text
          == "export TWINE_REPOSITORY_URL='\(upload)'\nexport TWINE_USERNAME='EntraToken'\nexport TWINE_PASSWORD='a'\\''b\\c%d;]'\n"
      )
      #expect(fileMode("\(dir)/indexkey-77.env") == 0o600)
      #expect(console.stderr.isEmpty && console.stdout.isEmpty)
      #expect(outputs[0].warnings.count == 1)
      let inside = try GitLabEnvSink(path: "/builds/g/p/creds.env").plan([credential], in: context)
      #expect(inside[0].warnings.count == 2)
    }
  }

  @Test func valuesWithNULAreRefusedEverywhere() {
    let bad = SinkFixtures.credential(password: "a\0b")
    let sinks: [any Sink] = [
      ShellSink(), FishSink(), PowerShellSink(), GitHubEnvSink(path: "/e"), GitHubOutputSink(path: "/o"),
      AzurePipelinesSink(),
      GitLabEnvSink(path: "/tmp/x.env"),
    ]
    for sink in sinks {
      #expect(throws: SinkError.self, "\(sink.name)") { try sink.plan([bad], in: SinkFixtures.context()) }
    }
  }
}

@Suite struct QuotingTests {
  /// A quote followed by a combining mark is one Swift character but still a quote to
  /// the shell; CR LF is one character but two bytes to escape.
  @Test func quotingWorksOnScalarsNotCharacters() {
    #expect(ShellSink.quote("a'\u{301}b").revealed == "'a'\\''\u{301}b'")
    #expect(FishSink.quote("a'\u{301}\\").revealed == "'a\\'\u{301}\\\\'")
    #expect(CIMasker.escapeGitHub("a\r\nb%") == "a%0D%0Ab%25")
    #expect(AzureLogging.escapeData("a\r\nb%") == "a%0D%0Ab%AZP25")
  }
}
