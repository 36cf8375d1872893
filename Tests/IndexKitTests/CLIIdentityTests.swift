import Testing

@testable import IndexKit

@Suite struct BuildkiteIdentityTests {
  @Test func asksTheAgentForTheAudience() throws {
    let token = unsignedJWT([("iss", .string("https://agent.buildkite.com"))])
    let runner = FakeProcessRunner(printing: token + "\n")
    let context = identityContext(
      ["BUILDKITE": "true", "BUILDKITE_AGENT_ACCESS_TOKEN": "agent-secret"], runner: runner)
    #expect(try BuildkiteIdentity().idToken(audience: "sts.amazonaws.com", in: context).revealed == token)
    let run = try #require(runner.runs.first)
    #expect(run.arguments == ["buildkite-agent", "oidc", "request-token", "--audience", "sts.amazonaws.com"])
    #expect(run.environment["BUILDKITE_AGENT_ACCESS_TOKEN"] == "agent-secret")
    #expect(run.timeout == 60)
  }

  @Test func everyCallRunsTheAgentAgain() throws {
    let runner = FakeProcessRunner(printing: githubToken())
    let context = identityContext([:], runner: runner)
    _ = try BuildkiteIdentity().idToken(audience: "a", in: context)
    _ = try BuildkiteIdentity().idToken(audience: "b", in: context)
    #expect(runner.runs.map { $0.arguments.last } == ["a", "b"])
  }

  @Test func defaultAudienceOmitsTheFlag() throws {
    let runner = FakeProcessRunner(printing: githubToken())
    _ = try BuildkiteIdentity().idToken(audience: "", in: identityContext([:], runner: runner))
    #expect(runner.runs.first?.arguments == ["buildkite-agent", "oidc", "request-token"])
  }

  @Test func failureShowsStatusAndStderrButNoTokens() {
    let leaked = githubToken(sub: "leak")
    let runner = FakeProcessRunner { _, _ in
      ProcessOutput(status: 1, stdout: Array(leaked.utf8), stderr: Array("fatal: 403 Forbidden for \(leaked)\n".utf8))
    }
    let message = errorMessage {
      try BuildkiteIdentity().idToken(audience: "a", in: identityContext([:], runner: runner))
    }
    #expect(message?.contains("exit status 1") == true)
    #expect(message?.contains("403 Forbidden for [token]") == true)
    #expect(message?.contains(leaked) == false)
    #expect(message?.contains("c2lnbmF0dXJlLXNlZ21lbnQ") == false)
  }

  @Test func onlyJWTShapedWordsAreRedacted() {
    let token = githubToken()
    let text = "POST https://login.microsoftonline.com/t failed for \(token); see pipelines.example-corp.com"
    #expect(
      ProcessToken.redactingTokens(text)
        == "POST https://login.microsoftonline.com/t failed for [token]; see pipelines.example-corp.com")
  }

  @Test func missingAgentSaysSo() {
    let runner = FakeProcessRunner { (args, _) throws(ProcessError) in throw .couldNotStart(command: args[0], errno: 2)
    }
    let message = errorMessage {
      try BuildkiteIdentity().idToken(audience: "a", in: identityContext([:], runner: runner))
    }
    #expect(message?.contains("'buildkite-agent' was not found on PATH") == true)
  }

  @Test func outputThatIsNotAJWTIsRefusedWithoutEchoingIt() {
    let runner = FakeProcessRunner(printing: "s3cr3t-but-not-a-jwt")
    let message = errorMessage {
      try BuildkiteIdentity().idToken(audience: "a", in: identityContext([:], runner: runner))
    }
    #expect(message?.contains("not a JWT") == true)
    #expect(message?.contains("s3cr3t") == false)
  }
}

@Suite struct CircleCIIdentityTests {
  @Test func presetTokenServesItsOwnAudience() throws {
    let preset = unsignedJWT([("aud", .string("org-uuid"))])
    let runner = FakeProcessRunner(printing: "unused")
    let context = identityContext(["CIRCLECI": "true", "CIRCLE_OIDC_TOKEN_V2": preset], runner: runner)
    #expect(try CircleCIIdentity().idToken(audience: "org-uuid", in: context).revealed == preset)
    #expect(try CircleCIIdentity().idToken(audience: "", in: context).revealed == preset)
    #expect(runner.runs.isEmpty)
  }

  @Test func otherAudiencesAreMintedByTheCLI() throws {
    let preset = unsignedJWT([("aud", .string("org-uuid"))])
    let minted = unsignedJWT([("aud", .string("pypi"))])
    let runner = FakeProcessRunner(printing: minted)
    let context = identityContext(["CIRCLECI": "true", "CIRCLE_OIDC_TOKEN_V2": preset], runner: runner)
    #expect(try CircleCIIdentity().idToken(audience: "pypi", in: context).revealed == minted)
    #expect(runner.runs.first?.arguments == ["circleci", "run", "oidc", "get", "--claims", #"{"aud":"pypi"}"#])
  }

  @Test func audienceIsJSONEscaped() throws {
    let runner = FakeProcessRunner(printing: githubToken())
    _ = try CircleCIIdentity().idToken(audience: #"a"b\c"#, in: identityContext([:], runner: runner))
    #expect(runner.runs.first?.arguments.last == #"{"aud":"a\"b\\c"}"#)
  }

  @Test func missingPresetWithoutAudienceExplains() {
    let message = errorMessage {
      try CircleCIIdentity().idToken(audience: "", in: identityContext(["CIRCLECI": "true"]))
    }
    #expect(message?.contains("CIRCLE_OIDC_TOKEN_V2") == true)
  }
}

@Suite struct CommandIdentityTests {
  @Test func runsTheCommandWithTheAudienceAndReadsStdout() throws {
    let token = githubToken()
    let context = identityContext(["TOKEN_VALUE": token, "PATH": "/usr/bin:/bin"], runner: SpawnProcessRunner())
    let command = CommandIdentity(command: #"test "$INDEXKEY_AUDIENCE" = pypi && printf '%s\n' "$TOKEN_VALUE""#)
    #expect(try command.idToken(audience: "pypi", in: context).revealed == token)
    #expect(errorMessage { try command.idToken(audience: "other", in: context) }?.contains("exit status 1") == true)
  }

  @Test func aCommandThatHangsIsStopped() {
    let context = identityContext(
      ["INDEXKEY_COMMAND_TIMEOUT": "0.3", "PATH": "/usr/bin:/bin"], runner: SpawnProcessRunner())
    let started = monotonicSeconds()
    let message = errorMessage { try CommandIdentity(command: "sleep 5").idToken(audience: "a", in: context) }
    #expect(message?.contains("did not finish within") == true)
    #expect(monotonicSeconds() - started < 3)
  }

  @Test func badTimeoutIsAConfigurationError() {
    let context = identityContext(["INDEXKEY_COMMAND_TIMEOUT": "soon"])
    #expect(errorStatus { try CommandIdentity(command: "true").idToken(audience: "a", in: context) } == .usage)
  }
}
