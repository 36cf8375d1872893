import Testing

@testable import IndexKit

@Suite struct KeyringServiceTests {
  let feed = "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"

  @Test(arguments: [
    "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
    "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple",
    "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/",
    "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload",
    "HTTPS://PKGS.DEV.AZURE.COM/org/proj/_packaging/feed/pypi/simple/",
  ])
  func indexAndUploadURLsMapToTheSameIndex(service: String) throws {
    let index = try #require(try KeyringServices.resolve(service, environment: Environment()))
    #expect(index.registry.name == AzureArtifacts.name)
    #expect(!index.hostOnly)
    #expect(index.target.simpleURL.description == feed)
    #expect(index.target.name == "feed")
  }

  @Test(arguments: [
    ("pkgs.dev.azure.com", "https://pkgs.dev.azure.com/"),
    ("pkgs.dev.azure.com:443", "https://pkgs.dev.azure.com:443/"),
    ("org.pkgs.visualstudio.com", "https://org.pkgs.visualstudio.com/"),
    ("https://pkgs.dev.azure.com", "https://pkgs.dev.azure.com/"),
    ("https://pkgs.dev.azure.com/", "https://pkgs.dev.azure.com/"),
  ])
  func bareHostsMapToTheHost(service: String, root: String) throws {
    let index = try #require(try KeyringServices.resolve(service, environment: Environment()))
    #expect(index.registry.name == AzureArtifacts.name)
    #expect(index.hostOnly)
    #expect(index.target.simpleURL.description == root)
    #expect(index.target.uploadURL == nil)
  }

  @Test(arguments: [
    "", "   ", "files.pythonhosted.org", "example.com:8080", "https://example.com/simple/",
    "https://user:pass@pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/",
    "user@pkgs.dev.azure.com",
    "pkgs.dev.azure.com/org", "https://pkgs.dev.azure.com/org/_apis/packaging/",
    "https://pkgs.dev.azure.com/org/_packaging/feed/npm/registry/",
    "ftp://pkgs.dev.azure.com/", "not a service", "127.0.0.1:8080",
  ])
  func othersAreNotHandled(service: String) throws {
    #expect(try KeyringServices.resolve(service, environment: Environment()) == nil)
  }

  @Test(arguments: [
    ("https://libraries.cgr.dev/python/simple/", "chainguard", false),
    ("libraries.cgr.dev", "chainguard", true),
    ("https://acme.jfrog.io/artifactory/api/pypi/pypi-local/simple/", "jfrog", false),
    ("https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/", "gitlab", false),
    ("https://upload.pypi.org/legacy/", "pypi", false),
    ("https://test.pypi.org/legacy", "pypi", false),
  ])
  func everyRegistryIsServed(service: String, registry: String, hostOnly: Bool) throws {
    let index = try #require(try KeyringServices.resolve(service, environment: Environment()))
    #expect(index.registry.name == registry)
    #expect(index.hostOnly == hostOnly)
  }

  @Test(arguments: [
    "https://pypi.org/simple/", "https://test.pypi.org/simple/", "pypi.org", "upload.pypi.org", "test.pypi.org",
    "gitlab.example.com",
  ])
  func uploadOnlyCredentialsAreNeverAnsweredToInstallers(service: String) throws {
    #expect(try KeyringServices.resolve(service, environment: Environment()) == nil)
  }

  @Test func plainHTTPToAnotherMachineIsRefused() {
    #expect(throws: ConfigError.self) {
      try KeyringServices.resolve(
        "http://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/", environment: Environment())
    }
  }

  @Test(arguments: [
    (
      "http://127.0.0.1:8080/org/_packaging/feed/pypi/simple/", false,
      "http://127.0.0.1:8080/org/_packaging/feed/pypi/simple/"
    ),
    (
      "http://127.0.0.1:8080/org/_packaging/feed/pypi/upload/", false,
      "http://127.0.0.1:8080/org/_packaging/feed/pypi/simple/"
    ),
    ("127.0.0.1:8080", true, "https://127.0.0.1:8080/"),
    ("http://127.0.0.1:8080", true, "https://127.0.0.1:8080/"),
    (
      "https://artifacts.example.com/org/_packaging/feed/pypi/simple/", false,
      "https://artifacts.example.com/org/_packaging/feed/pypi/simple/"
    ),
    ("artifacts.example.com", true, "https://artifacts.example.com/"),
  ])
  func registryVariableNamesUnrecognisedHosts(service: String, hostOnly: Bool, simple: String) throws {
    let env = Environment(["INDEXKEY_REGISTRY": "127.0.0.1:8080=azure-artifacts, artifacts.example.com=azure"])
    let index = try #require(try KeyringServices.resolve(service, environment: env))
    #expect(index.registry.name == AzureArtifacts.name)
    #expect(index.hostOnly == hostOnly)
    #expect(index.target.simpleURL.description == simple)
  }

  @Test(arguments: [
    "127.0.0.1:9090", "http://127.0.0.1:9090/org/_packaging/feed/pypi/simple/", "127.0.0.1",
    "artifacts.example.com:8443", "other.example.com",
  ])
  func registryVariableAppliesToThatHostAndPortOnly(service: String) throws {
    let env = Environment(["INDEXKEY_REGISTRY": "127.0.0.1:8080=azure-artifacts artifacts.example.com=azure"])
    #expect(try KeyringServices.resolve(service, environment: env) == nil)
  }

  @Test func plainHTTPToAMappedRemoteHostIsRefused() {
    let env = Environment(["INDEXKEY_REGISTRY": "artifacts.example.com=azure-artifacts"])
    #expect(throws: ConfigError.self) {
      try KeyringServices.resolve("http://artifacts.example.com/org/_packaging/feed/pypi/simple/", environment: env)
    }
  }

  @Test(arguments: [
    "127.0.0.1:8080", "=azure-artifacts", "127.0.0.1:8080=", "127.0.0.1:8080=nope",
    "https://127.0.0.1:8080=azure-artifacts", "127.0.0.1:8080/simple=azure-artifacts",
  ])
  func malformedRegistryVariableIsAConfigError(value: String) {
    let env = Environment(["INDEXKEY_REGISTRY": value])
    #expect(throws: ConfigError.self) { try KeyringServices.resolve("pypi.org", environment: env) }
  }
}

@Suite struct KeyringQueryTests {
  let password = Secret(#"p"a\s/s"#)

  @Test func passwordPlainIsThePasswordLine() {
    let q = KeyringQuery(service: "s", username: "u")
    #expect(q.answer(username: "EntraToken", password: password).revealed == "p\"a\\s/s\n")
  }

  @Test func credsPlainIsUsernameThenPassword() {
    let q = KeyringQuery(service: "s", username: nil, mode: .creds)
    #expect(q.answer(username: "EntraToken", password: password).revealed == "EntraToken\np\"a\\s/s\n")
  }

  @Test func credsJSONIsTheCredentialObject() throws {
    let q = KeyringQuery(service: "s", username: nil, mode: .creds, output: .json)
    let text = q.answer(username: "EntraToken", password: password)
    #expect(text.revealed == #"{"username":"EntraToken","password":"p\"a\\s/s"}"# + "\n")
    #expect(text.redacted == "***\n")
    let parsed = try JSON(parsing: Array(text.revealed.utf8), document: "answer")
    #expect(parsed["password"]?.stringValue == password.revealed)
  }

  @Test func passwordJSONHasOnlyThePassword() {
    let q = KeyringQuery(service: "s", username: "u", mode: .password, output: .json)
    #expect(q.answer(username: "EntraToken", password: Secret("tok")).revealed == #"{"password":"tok"}"# + "\n")
  }

  @Test func passwordModeNeedsAUsername() {
    #expect(KeyringQuery(service: "s", username: nil).usageProblem != nil)
    #expect(KeyringQuery(service: "s", username: "u").usageProblem == nil)
    #expect(KeyringQuery(service: "s", username: nil, mode: .creds).usageProblem == nil)
  }
}
