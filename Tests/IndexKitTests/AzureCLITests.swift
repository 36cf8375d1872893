import Glibc
import Testing

@testable import IndexKit

@Suite struct AzureCLITests {
  let token = unsignedJWT(.object([("exp", .integer(1_800_003_600))]))

  func json(_ members: [(String, JSON)]) -> String { JSON.object(members).serialized() }

  func failing(_ stderr: String, status: Int32 = 1) -> FakeProcessRunner {
    FakeProcessRunner { _, _ in ProcessOutput(status: status, stdout: [], stderr: Array(stderr.utf8)) }
  }

  @Test func runsGetAccessTokenForAzureDevOpsWithTheTenantAndReadsExpiresOn() throws {
    let runner = FakeProcessRunner(
      printing: json([
        ("accessToken", .string(token)), ("expires_on", .integer(1_800_003_000)), ("tokenType", .string("Bearer")),
      ]))
    let cli = try AzureCLI.make(Environment(["AZURE_TENANT_ID": "t-1", "INDEXKEY_AZURE_CLI_TIMEOUT": "12"]))
    let got = try cli.accessToken(in: identityContext(["PATH": "/usr/bin"], runner: runner))
    #expect(got == AzureAccessToken(value: Secret(token), expiresAt: 1_800_003_000, holder: .person))
    let run = try #require(runner.runs.first)
    #expect(
      run.arguments == [
        "az", "account", "get-access-token", "--resource", "499b84ac-1321-427f-aa17-267ca6975798", "--output", "json",
        "--tenant", "t-1",
      ])
    #expect(run.timeout == 12 && run.environment["PATH"] == "/usr/bin")
    #expect(
      errorMessage { try AzureCLI.make(Environment(["INDEXKEY_AZURE_CLI_TIMEOUT": "soon"])) }?.contains(
        "INDEXKEY_AZURE_CLI_TIMEOUT") == true)
  }

  @Test func olderAzPrintsOnlyExpiresOnInLocalTime() throws {
    // Written the way az writes it (datetime.fromtimestamp: the machine's zone), whatever the zone is.
    var t = time_t(1_800_003_600)
    var parts = tm()
    localtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let local =
      "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).000000"
    let runner = FakeProcessRunner(printing: json([("accessToken", .string("opaque")), ("expiresOn", .string(local))]))
    #expect(try AzureCLI().accessToken(in: identityContext([:], runner: runner)).expiresAt == 1_800_003_600)
  }

  @Test func eachFailureIsOneSentenceSayingWhatToRun() {
    let context = { (runner: FakeProcessRunner) in identityContext([:], runner: runner) }
    #expect(
      errorMessage {
        try AzureCLI().accessToken(in: context(failing("ERROR: Please run 'az login' to setup account.\n")))
      }
        == "The Azure CLI is not signed in; run az login.")
    let revoked = """
      ERROR: AADSTS50173: The provided grant has expired due to it being revoked. \(token)
      Trace ID: 1
      Interactive authentication is needed. Please run:
      az login --scope 499b84ac-1321-427f-aa17-267ca6975798/.default

      """
    #expect(
      errorMessage { try AzureCLI().accessToken(in: context(failing(revoked))) }
        == "The Azure CLI's sign-in has expired or was revoked (AADSTS50173); run az login --scope 499b84ac-1321-427f-aa17-267ca6975798/.default."
    )
    let missing = FakeProcessRunner { (args, _) throws(ProcessError) in
      throw .couldNotStart(command: args[0], errno: ENOENT)
    }
    #expect(
      errorMessage { try AzureCLI().accessToken(in: context(missing)) }?.hasPrefix(
        "The Azure CLI (az) is not installed") == true)
    let slow = FakeProcessRunner { (args, _) throws(ProcessError) in throw .timedOut(command: args[0], seconds: 30) }
    #expect(
      errorMessage { try AzureCLI().accessToken(in: context(slow)) }?.contains("did not answer within 30 s") == true)
    let other = errorMessage { try AzureCLI().accessToken(in: context(failing("ERROR: something odd \(token)\n"))) }
    #expect(other == "The Azure CLI gave no token: az account get-access-token failed: something odd [token].")
    #expect(errorStatus { try AzureCLI().accessToken(in: context(failing("x"))) } == .noIdentity)
    let garbage = FakeProcessRunner(printing: "WARNING: not json")
    #expect(errorMessage { try AzureCLI().accessToken(in: context(garbage)) }?.contains("not its JSON answer") == true)
  }

  @Test func isInstalledLooksOnPathWithoutRunningAnything() throws {
    try withTemporaryDirectory { dir in
      #expect(!AzureCLI.isInstalled(Environment(["PATH": dir])))
      writeFile("\(dir)/az", "#!/bin/sh\n", mode: 0o755)
      #expect(AzureCLI.isInstalled(Environment(["PATH": "/nonexistent:\(dir)"])))
      writeFile("\(dir)/chainctl", "#!/bin/sh\n", mode: 0o644)
      #expect(!Chainctl.isInstalled(Environment(["PATH": dir])), "not executable")
    }
  }
}
