import Testing

@testable import IndexKit

@Suite struct ClientVariablesTests {
  let simple1 = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"
  let upload1 = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/"
  let simple2 = "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/"

  func pairs(_ set: VariableSet) -> [String] { set.variables.map { "\($0.name)=\($0.value.revealed)" } }

  @Test func oneIndexGivesEveryClientItsVariables() {
    let set = ClientVariables.build([SinkFixtures.first])
    #expect(
      pairs(set) == [
        "PIP_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
        "UV_DEFAULT_INDEX=feed=\(simple1)",
        "UV_INDEX_FEED_USERNAME=EntraToken", "UV_INDEX_FEED_PASSWORD=tok/en+1%",
        "UV_PUBLISH_URL=\(upload1)", "UV_PUBLISH_USERNAME=EntraToken", "UV_PUBLISH_PASSWORD=tok/en+1%",
        "TWINE_REPOSITORY_URL=\(upload1)", "TWINE_USERNAME=EntraToken", "TWINE_PASSWORD=tok/en+1%",
        "POETRY_HTTP_BASIC_FEED_USERNAME=EntraToken", "POETRY_HTTP_BASIC_FEED_PASSWORD=tok/en+1%",
        "POETRY_REPOSITORIES_FEED_URL=\(upload1)",
        "PDM_PYPI_URL=\(simple1)", "PDM_PYPI_USERNAME=EntraToken", "PDM_PYPI_PASSWORD=tok/en+1%",
        "PDM_PUBLISH_REPO=\(upload1)", "PDM_PUBLISH_USERNAME=EntraToken", "PDM_PUBLISH_PASSWORD=tok/en+1%",
        "HATCH_INDEX_REPO=\(upload1)", "HATCH_INDEX_USER=EntraToken", "HATCH_INDEX_AUTH=tok/en+1%",
      ])
    #expect(set.warnings.isEmpty)
  }

  @Test func secretsAreSecretPartsInTheFormWritten() {
    let set = ClientVariables.build([SinkFixtures.first])
    let byName = Dictionary(uniqueKeysWithValues: set.variables.map { ($0.name, $0.value) })
    #expect(byName["PIP_INDEX_URL"]?.secretParts == ["tok%2Fen%2B1%25"])
    #expect(byName["UV_INDEX_FEED_PASSWORD"]?.secretParts == ["tok/en+1%"])
    #expect(byName["UV_DEFAULT_INDEX"]?.secretParts == [])
    #expect(byName["TWINE_REPOSITORY_URL"]?.secretParts == [])
    #expect(set.variables.allSatisfy { !$0.value.redacted.contains("tok") })
  }

  @Test func severalIndexesAreCoherent() {
    let set = ClientVariables.build(
      [SinkFixtures.first, SinkFixtures.second], options: ClientOptions(clients: [.pip, .uv, .twine]))
    #expect(
      pairs(set) == [
        "PIP_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
        "PIP_EXTRA_INDEX_URL=https://EntraToken:p2@pkgs.dev.azure.com/org/_packaging/other/pypi/simple/",
        "UV_DEFAULT_INDEX=feed=\(simple1)", "UV_INDEX=other=\(simple2)",
        "UV_INDEX_FEED_USERNAME=EntraToken", "UV_INDEX_FEED_PASSWORD=tok/en+1%",
        "UV_INDEX_OTHER_USERNAME=EntraToken", "UV_INDEX_OTHER_PASSWORD=p2",
        "UV_PUBLISH_URL=\(upload1)", "UV_PUBLISH_USERNAME=EntraToken", "UV_PUBLISH_PASSWORD=tok/en+1%",
        "TWINE_REPOSITORY_URL=\(upload1)", "TWINE_USERNAME=EntraToken", "TWINE_PASSWORD=tok/en+1%",
      ])
  }

  @Test func uploadClientsUseTheFirstIndexThatHasAnUploadURL() {
    let mirror = SinkFixtures.installOnly("https://mirror.example/simple/", name: "mirror", password: "m")
    let set = ClientVariables.build(
      [mirror, SinkFixtures.second], options: ClientOptions(clients: [.pip, .twine, .hatch]))
    #expect(
      pairs(set) == [
        "PIP_INDEX_URL=https://ci:m@mirror.example/simple/",
        "PIP_EXTRA_INDEX_URL=https://EntraToken:p2@pkgs.dev.azure.com/org/_packaging/other/pypi/simple/",
        "TWINE_REPOSITORY_URL=https://pkgs.dev.azure.com/org/_packaging/other/pypi/upload/",
        "TWINE_USERNAME=EntraToken",
        "TWINE_PASSWORD=p2",
        "HATCH_INDEX_REPO=https://pkgs.dev.azure.com/org/_packaging/other/pypi/upload/", "HATCH_INDEX_USER=EntraToken",
        "HATCH_INDEX_AUTH=p2",
      ])
  }

  @Test func twineNamesTheSectionWhenDotPypircIsWrittenWhereItLooks() throws {
    var options = ClientOptions(clients: [.twine])
    options.pypircIsDefault = true
    #expect(
      pairs(ClientVariables.build([SinkFixtures.first, SinkFixtures.second], options: options)) == [
        "TWINE_REPOSITORY=feed"
      ])
    let env = Environment(["HOME": "/h"])
    let atHome = try SinkCatalog.sinks(
      sinkOptions(["github-env=/e,pypirc"]) { $0.clients = "twine" }, environment: env, ci: .detect(env))
    #expect(try atHome[0].plan([SinkFixtures.first], in: SinkFixtures.context())[0].items == ["TWINE_REPOSITORY"])
    let elsewhere = try SinkCatalog.sinks(
      sinkOptions(["github-env=/e,pypirc"]) {
        $0.clients = "twine"
        $0.pypirc = "/x/.pypirc"
      }, environment: env, ci: .detect(env))
    #expect(
      try elsewhere[0].plan([SinkFixtures.first], in: SinkFixtures.context())[0].items == [
        "TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD",
      ])
  }

  @Test func uploadsGoToTheIndexGivenByItsUploadURL() throws {
    var byUpload = SinkFixtures.credential(
      "https://pkgs.dev.azure.com/org/_packaging/other/pypi/upload/", password: "p2")
    byUpload.index.name = "other"
    let set = ClientVariables.build([SinkFixtures.first, byUpload], options: ClientOptions(clients: [.pip, .twine]))
    #expect(
      pairs(set).first { $0.hasPrefix("TWINE_REPOSITORY_URL=") }
        == "TWINE_REPOSITORY_URL=https://pkgs.dev.azure.com/org/_packaging/other/pypi/upload/")
    #expect(
      pairs(set).first == "PIP_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@\(simple1.dropFirst("https://".count))")
  }

  @Test func extraAddsBesideTheMainIndexAndWarnsWhenItIsPyPI() {
    var options = ClientOptions(clients: [.pip, .uv, .pdm], extra: true)
    let set = ClientVariables.build([SinkFixtures.first, SinkFixtures.second], options: options)
    #expect(
      pairs(set).filter { !$0.contains("_USERNAME=") && !$0.contains("_PASSWORD=") } == [
        "PIP_EXTRA_INDEX_URL=https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/ https://EntraToken:p2@pkgs.dev.azure.com/org/_packaging/other/pypi/simple/",
        "UV_INDEX=feed=\(simple1) other=\(simple2)",
        "UV_PUBLISH_URL=\(upload1)",
        "PDM_PUBLISH_REPO=\(upload1)",
      ])
    #expect(
      !set.names.contains("PIP_INDEX_URL") && !set.names.contains("UV_DEFAULT_INDEX")
        && !set.names.contains("PDM_PYPI_URL"))
    #expect(set.warnings.count == 1)
    #expect(set.warnings[0].contains("dependency confusion"))
    options.mainIndexIsPublic = false
    #expect(ClientVariables.build([SinkFixtures.first], options: options).warnings.isEmpty)
  }

  @Test func publicPyPIFirstMakesThePrivateIndexesExtrasAndWarns() {
    let pypi = SinkFixtures.installOnly("https://pypi.org/simple/", name: "pypi", password: "x")
    let options = ClientOptions(clients: [.pip])
    let set = ClientVariables.build([pypi, SinkFixtures.first], options: options)
    #expect(set.names == ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"])
    #expect(set.warnings.count == 1 && set.warnings[0].contains("Give the private index first"))
    #expect(ClientVariables.build([SinkFixtures.first, pypi], options: options).warnings.isEmpty)
    #expect(ClientVariables.build([pypi], options: options).warnings.isEmpty)
  }

  @Test func mainIndexFromTheEnvironmentDecidesTheWarning() throws {
    let flags = sinkOptions([]) { $0.extra = true }
    #expect(try ClientOptions.from(flags, environment: Environment([:])).mainIndexIsPublic)
    #expect(
      try ClientOptions.from(flags, environment: Environment(["PIP_INDEX_URL": "https://pypi.org/simple"]))
        .mainIndexIsPublic)
    #expect(
      try !ClientOptions.from(
        flags, environment: Environment(["PIP_INDEX_URL": "https://u:p@proxy.corp.example/simple/"])
      ).mainIndexIsPublic)
  }

  @Test func clientsAreSelectable() throws {
    let options = try ClientOptions.from(sinkOptions([]) { $0.clients = "uv, twine,uv" }, environment: Environment())
    #expect(options.clients == [.uv, .twine])
    let names = ClientVariables.build([SinkFixtures.first], options: options).names
    #expect(names.allSatisfy { $0.hasPrefix("UV_") || $0.hasPrefix("TWINE_") })
    #expect(throws: ConfigError.self) {
      try ClientOptions.from(sinkOptions([]) { $0.clients = "pip,npm" }, environment: Environment())
    }
    #expect(throws: ConfigError.self) {
      try ClientOptions.from(sinkOptions([]) { $0.clients = "," }, environment: Environment())
    }
  }

  @Test func withNetrcPipURLsCarryNoCredentials() {
    var options = ClientOptions(clients: [.pip, .uv])
    options.netrc = NetrcHandOff(path: "/tmp/job/netrc", isDefault: false)
    let set = ClientVariables.build([SinkFixtures.first], options: options)
    #expect(pairs(set).first == "PIP_INDEX_URL=\(simple1)")
    #expect(pairs(set).last == "NETRC=/tmp/job/netrc")
    options.netrc = NetrcHandOff(path: "/home/u/.netrc", isDefault: true)
    #expect(!ClientVariables.build([SinkFixtures.first], options: options).names.contains("NETRC"))
  }

  @Test func poetryNamesItCannotReadAreSkippedWithAReason() {
    let dotted = SinkFixtures.credential(name: "corp.feed")
    let digits = SinkFixtures.credential(
      "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", name: "feed2", password: "p2")
    let set = ClientVariables.build([dotted, digits], options: ClientOptions(clients: [.poetry]))
    #expect(set.names == ["POETRY_HTTP_BASIC_FEED2_USERNAME", "POETRY_HTTP_BASIC_FEED2_PASSWORD"])
    #expect(set.warnings.count == 2)
    #expect(set.warnings[0].contains("'corp.feed'"))
    #expect(set.warnings[1].contains("poetry config repositories.feed2"))
  }

  @Test(arguments: [
    ("internal-proxy", "INTERNAL_PROXY"), ("foo.bar", "FOO_BAR"), ("foo_bar", "FOO_BAR"), ("Feed2", "FEED2"),
  ])
  func uvNormalisesNames(name: String, env: String) {
    #expect(IndexNaming.uvEnvironmentName(name) == env)
  }

  @Test(arguments: [
    ("feed", "feed"), ("My_Feed.v2", "my-feed-v2"), ("--x--", "x"), ("2024-packages", "2024-packages"),
    ("127.0.0.1", "127-0-0-1"), ("ü", "index"),
  ])
  func derivedNamesSuitEveryClient(raw: String, derived: String) {
    #expect(IndexNaming.derive(raw) == derived)
    #expect(IndexNaming.poetryEnvironmentName(IndexNaming.derive(raw)) != nil)
  }

  @Test(arguments: ["", "-x", "a b", "a/b", "ä", "a=b"])
  func badNamesAreRefused(name: String) {
    #expect(throws: ConfigError.self) { try IndexNaming.validate(name) }
  }
}

/// Login options with these outputs, adjusted by `configure`.
func sinkOptions(_ writes: [String], _ configure: (inout LoginOptions) -> Void = { _ in }) -> LoginOptions {
  var options = LoginOptions()
  options.writes = writes
  configure(&options)
  return options
}
