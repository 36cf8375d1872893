import IndexKit
import Testing

/// A link configured by the variable `LINK_<NAME>`: `yes` configured, `try` only by trying;
/// its fetch answers its name, or throws ``LinkUnavailable`` when `ABSENT_<NAME>` is set.
protocol FakeLink: CredentialLink where Request == String, Output == String {
  static var variable: String { get }
}

extension FakeLink {
  static func probe(_ input: LinkInput) -> LinkProbe {
    switch input.environment[variable] {
    case "yes": .configured("\(variable) is yes")
    case "try": .onlyByTrying("a server may answer")
    default: .skipped("\(variable) is not set")
    }
  }

  func fetch(_ request: String, in context: Context) throws -> String {
    if context.environment.has("ABSENT_" + Self.name) { throw LinkUnavailable("\(Self.name) is not here") }
    if context.environment.has("FAIL_" + Self.name) { throw IdentityError("\(Self.name) failed.") }
    return "\(Self.name) for \(request)"
  }

  func preview(_ request: String) -> LinkPreview { LinkPreview(steps: ["\(Self.name) \(request)"]) }
}

struct FirstLink: FakeLink {
  static let settings: [Setting] = []
  static let name = "first"
  static let variable = "LINK_FIRST"
  init(_ input: LinkInput) throws {}
}

struct ServerLink: FakeLink {
  static let settings: [Setting] = []
  static let name = "server"
  static let variable = "LINK_SERVER"
  init(_ input: LinkInput) throws {}
}

struct LastLink: FakeLink {
  static let settings: [Setting] = []
  static let name = "last"
  static let variable = "LINK_LAST"
  init(_ input: LinkInput) throws {
    guard input.environment.has("LINK_LAST") else { throw ConfigError("last needs LINK_LAST.") }
  }
}

@Suite struct CredentialChainTests {
  let chain = CredentialChain<String, String>(
    cloud: "Test", flag: "test-credential", variable: "INDEXKEY_TEST_CREDENTIAL",
    links: [FirstLink.self, ServerLink.self, LastLink.self],
    unconfigured: { _, trace in ConfigError("nothing here: \(trace.skipped)") })

  func input(_ env: [String: String], flags: [String: String] = [:], identity: IdentitySpec = .auto) -> LinkInput {
    LinkInput(settings: Settings(flags: flags, environment: Environment(env)), identity: identity)
  }

  func fetch(_ resolved: ResolvedChain<String, String>, env: [String: String] = [:]) throws -> String {
    try resolved.fetch("index", in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env))
  }

  @Test func theFirstConfiguredLinkAnswersAndTheTraceSaysWhy() throws {
    let resolved = try chain.resolve(input(["LINK_LAST": "yes"]))
    #expect(resolved.linkName == "last")
    #expect(try fetch(resolved) == "last for index")
    #expect(resolved.trace.answer == "last")
    #expect(
      resolved.trace.lines == [
        "- first: skipped: LINK_FIRST is not set", "- server: skipped: LINK_SERVER is not set",
        "✓ last: LINK_LAST is yes",
      ])
    let early = try chain.resolve(input(["LINK_FIRST": "yes", "LINK_LAST": "yes"]))
    #expect(early.linkName == "first")
    #expect(early.trace.lines == ["✓ first: LINK_FIRST is yes", "  server: not tried", "  last: not tried"])
  }

  @Test func withNothingConfiguredTheChainsErrorGetsEverySkipReason() {
    let message = thrownMessage { _ = try chain.resolve(input([:])) }
    #expect(
      message
        == "nothing here: first: LINK_FIRST is not set; server: LINK_SERVER is not set; last: LINK_LAST is not set")
  }

  @Test func aLinkFoundOnlyByTryingIsTriedFirstAndPassedOverWhenAbsent() throws {
    let resolved = try chain.resolve(input(["LINK_SERVER": "try", "LINK_LAST": "yes"]))
    #expect(resolved.trace.lines[1] == "? server: tried first: a server may answer")
    #expect(try fetch(resolved) == "server for index")
    #expect(try fetch(resolved, env: ["ABSENT_server": "1"]) == "last for index")
    // Alone, an absent by-trying link's own error is the answer, with why nothing else applies.
    let alone = try chain.resolve(input(["LINK_SERVER": "try"]))
    #expect(
      thrownMessage { _ = try fetch(alone, env: ["ABSENT_server": "1"]) }
        == "No Test credential answered (server: server is not here; first: LINK_FIRST is not set; last: LINK_LAST is not set)."
    )
  }

  @Test func aFailureAfterAbsentLinksSaysWhatTheySaid() throws {
    let resolved = try chain.resolve(input(["LINK_SERVER": "try", "LINK_LAST": "yes"]))
    let context = testContext(
      StubTransport { _ in HTTPResponse(status: 500) }, env: ["ABSENT_server": "1", "FAIL_last": "1"])
    let error = #expect(throws: ChainFailure.self) { try resolved.fetch("index", in: context) }
    #expect(error?.message == "last failed. (tried first: server: server is not here)")
    #expect(error?.exitStatus == .noIdentity)
    // Without an absent link before it, the last link's own error is unchanged.
    let alone = try chain.resolve(input(["LINK_LAST": "yes"]))
    #expect(throws: IdentityError("last failed.")) {
      try alone.fetch(
        "index", in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: ["FAIL_last": "1"]))
    }
  }

  @Test func theForcingFlagOrVariableSkipsTheWalkAndTheProbes() throws {
    let forced = try chain.resolve(
      input(["LINK_FIRST": "yes", "LINK_LAST": "yes"], flags: ["test-credential": "last"]))
    #expect(forced.linkName == "last")
    #expect(forced.trace.forcedBy == "--test-credential last")
    #expect(
      forced.trace.lines == ["  first: not tried", "  server: not tried", "✓ last: forced by --test-credential last"])
    let byVariable = try chain.resolve(input(["INDEXKEY_TEST_CREDENTIAL": "server"]))
    #expect(byVariable.linkName == "server")
    #expect(byVariable.trace.forcedBy == "INDEXKEY_TEST_CREDENTIAL=server")
    // A forced link that lacks its settings says so through its init.
    #expect(
      thrownMessage { _ = try chain.resolve(input([:], flags: ["test-credential": "last"])) } == "last needs LINK_LAST."
    )
    let unknown = thrownMessage { _ = try chain.resolve(input([:], flags: ["test-credential": "nope"])) }
    #expect(
      unknown
        == "--test-credential 'nope' (or INDEXKEY_TEST_CREDENTIAL) is not a Test credential; use one of: first, server, last."
    )
  }
}

@Suite struct CloudChainTests {
  let app = ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t"]

  func azure(_ env: [String: String], flags: [String: String] = [:], identity: IdentitySpec = .auto) throws
    -> AzureArtifacts
  {
    try AzureArtifacts.make(settings: Settings(flags: flags, environment: Environment(env)), identity: identity)
  }

  @Test func azureTakesTheSecretBeforeTheCITokenAsTheSDKDoes() throws {
    let registry = try azure(app.merging(githubEnv()) { a, _ in a }.merging(["AZURE_CLIENT_SECRET": "s"]) { a, _ in a })
    #expect(
      registry.credentials.trace.lines == [
        "✓ client-secret: AZURE_CLIENT_SECRET is set", "  client-certificate: not tried", "  ci-federation: not tried",
        "  personal-access-token: not tried", "  managed-identity: not tried", "  azure-cli: not tried",
        "  device-code: not tried",
      ])
    let explicit = try azure(
      app.merging(["AZURE_CLIENT_SECRET": "s"]) { a, _ in a }, identity: IdentitySpec(parsing: "file:/tok"))
    #expect(explicit.credentials.linkName == "ci-federation")
    #expect(explicit.credentials.trace.forcedBy == "--identity file:/tok")
  }

  @Test func azureFallsToThePATWithoutAnApp() throws {
    let registry = try azure(["AZURE_DEVOPS_EXT_PAT": "p", "AZURE_CLIENT_SECRET": "s"])
    #expect(registry.credentials.linkName == "personal-access-token")
    #expect(
      registry.credentials.trace.lines[0]
        == "- client-secret: skipped: AZURE_CLIENT_SECRET is set but no app is named (AZURE_CLIENT_ID or --azure-client-id)"
    )
    let forced = try azure(
      app.merging(["AZURE_DEVOPS_EXT_PAT": "p"]) { a, _ in a }, flags: ["azure-credential": "personal-access-token"])
    #expect(forced.credentials.linkName == "personal-access-token")
    let missing = thrownMessage { _ = try azure(app, flags: ["azure-credential": "client-secret"]) }
    #expect(missing.contains("AZURE_CLIENT_SECRET"))
  }

  @Test func everyChainedRegistryNamesItsLinkInDoctorsReport() throws {
    var options = LoginOptions()
    options.urls = ["https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/"]
    let env = ["AZURE_DEVOPS_EXT_PAT": "p"]
    let report = Doctor.examine(
      options, fetchTokens: false, in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env))
    let text = report.text
    #expect(text.contains("  chain     Azure\n    - client-secret: skipped: AZURE_CLIENT_SECRET is not set\n"))
    #expect(text.contains("    ✓ personal-access-token: AZURE_DEVOPS_EXT_PAT is set"))
    let links = report.json["indexes"]?.arrayValue?.first?["chain"]?["links"]?.arrayValue ?? []
    #expect(links.first { $0["name"] == .string("personal-access-token") }?["state"] == .string("answers"))
    #expect(links.last?["name"] == .string("device-code") && links.last?["state"] == .string("not-tried"))
    #expect(links.first?["reason"] == .string("AZURE_CLIENT_SECRET is not set"))
  }
}
