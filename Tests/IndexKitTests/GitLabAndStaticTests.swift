import IndexKit
import Testing

@Suite struct GitLabTests {
  @Test(
    arguments: [
      (
        "https://gitlab.com/api/v4/projects/42/packages/pypi/simple", "gitlab-42",
        "https://gitlab.com/api/v4/projects/42/packages/pypi/simple/",
        "https://gitlab.com/api/v4/projects/42/packages/pypi"
      ),
      (
        "https://git.example.com/gitlab/api/v4/projects/grp%2Fapp/packages/pypi", "gitlab-grp-app",
        "https://git.example.com/gitlab/api/v4/projects/grp%2Fapp/packages/pypi/simple/",
        "https://git.example.com/gitlab/api/v4/projects/grp%2Fapp/packages/pypi"
      ),
      (
        "https://gitlab.com/api/v4/groups/7/-/packages/pypi/simple/", "gitlab-group-7",
        "https://gitlab.com/api/v4/groups/7/-/packages/pypi/simple/", nil
      ),
    ] as [(String, String, String, String?)])
  func projectFeedsUploadAndGroupFeedsOnlyInstall(url: String, name: String, simple: String, upload: String?) throws {
    let parsed = RegistryFixtures.url(url)
    #expect(GitLab.matchesHost(parsed))
    #expect(Registries.recognise(parsed) == GitLab.self)
    let target = try GitLab.target(for: parsed)
    #expect(target.name == name)
    #expect(target.simpleURL.description == simple)
    #expect(target.uploadURL?.description == upload)
  }

  @Test func otherGitLabAPIPathsAreNotFeeds() {
    #expect(!GitLab.matchesHost(RegistryFixtures.url("https://gitlab.com/api/v4/projects/42/packages/npm/")))
    #expect(throws: ConfigError.self) {
      try GitLab.target(
        for: RegistryFixtures.url("https://gitlab.com/api/v4/projects/42/packages/pypi/files/abc/x.whl"))
    }
  }

  @Test(
    arguments: [
      (
        [
          "CI_JOB_TOKEN": "job-1", "CI_DEPLOY_USER": "gitlab+deploy-token-1", "CI_DEPLOY_PASSWORD": "d",
          "GITLAB_TOKEN": "glpat",
        ], nil, "gitlab-ci-token", "job-1"
      ),
      (
        ["CI_DEPLOY_USER": "gitlab+deploy-token-1", "CI_DEPLOY_PASSWORD": "d", "GITLAB_TOKEN": "glpat"], nil,
        "gitlab+deploy-token-1", "d"
      ),
      (["GITLAB_TOKEN": "glpat"], nil, "__token__", "glpat"),
      (["CI_JOB_TOKEN": "job-1", "GITLAB_TOKEN": "glpat"], "access", "__token__", "glpat"),
      (["CI_JOB_TOKEN": "job-1", "CI_DEPLOY_USER": "u", "CI_DEPLOY_PASSWORD": "d"], "deploy", "u", "d"),
    ] as [([String: String], String?, String, String)])
  func tokenChoice(environment: [String: String], choice: String?, username: String, password: String) throws {
    var flags: [String: String] = [:]
    flags["gitlab-token"] = choice
    let registry = try GitLab.make(
      settings: Settings(flags: flags, environment: Environment(environment)), identity: .auto)
    let target = try GitLab.target(
      for: RegistryFixtures.url("https://gitlab.com/api/v4/projects/42/packages/pypi/simple"))
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let credential = try registry.credential(for: target, in: RegistryFixtures.context(stub))
    #expect(stub.requests.isEmpty)
    #expect(credential.username == username)
    #expect(credential.password.revealed == password)
    #expect(credential.warnings == [GitLab.forwardingWarning])
  }

  @Test(
    arguments: [
      ([:], nil, "CI_JOB_TOKEN"),
      (["GITLAB_TOKEN": "x"], "job", "not set here"),
      (["CI_JOB_TOKEN": "x"], "deploy", "CI_DEPLOY_USER and CI_DEPLOY_PASSWORD"),
      (["CI_JOB_TOKEN": "x"], "access", "GITLAB_TOKEN"),
      (["CI_JOB_TOKEN": "x"], "personal", "use job, deploy or access"),
      (["CI_DEPLOY_PASSWORD": "x"], nil, "CI_DEPLOY_USER"),
    ] as [([String: String], String?, String)])
  func missingTokensAreConfigErrors(environment: [String: String], choice: String?, expected: String) {
    var flags: [String: String] = [:]
    flags["gitlab-token"] = choice
    let error = #expect(throws: ConfigError.self) {
      try GitLab.make(settings: Settings(flags: flags, environment: Environment(environment)), identity: .auto)
    }
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test(
    arguments: [
      (
        ["GITLAB_CI": "true", "CI_JOB_TOKEN": "job-1", "CI_SERVER_HOST": "gitlab.example.com"], "gitlab.example.com",
        "CI_JOB_TOKEN"
      ),
      (
        ["CI_JOB_TOKEN": "job-1", "CI_API_V4_URL": "https://gitlab.example.com:8443/api/v4"], "gitlab.example.com",
        "CI_JOB_TOKEN"
      ),
      (
        ["CI_DEPLOY_USER": "u", "CI_DEPLOY_PASSWORD": "d", "CI_SERVER_URL": "https://gitlab.example.com"],
        "gitlab.example.com", "CI_DEPLOY_PASSWORD"
      ),
      (
        ["GITLAB_TOKEN": "glpat-1", "GITLAB_HOST": "gitlab.example.com", "CI_SERVER_HOST": "gitlab.com"],
        "gitlab.example.com", "GITLAB_TOKEN"
      ),
      (["GITLAB_TOKEN": "glpat-1"], "gitlab.com", "GITLAB_TOKEN"),
    ] as [([String: String], String, String)])
  func aTokenGoesOnlyToItsServersHost(environment: [String: String], own: String, variable: String) throws {
    let registry = try GitLab.make(settings: Settings(environment: Environment(environment)), identity: .auto)
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let good = try GitLab.target(for: RegistryFixtures.url("https://\(own)/api/v4/projects/42/packages/pypi/simple"))
    #expect(try registry.credential(for: good, in: RegistryFixtures.context(stub)).password.revealed.isEmpty == false)
    let evil = try GitLab.target(
      for: RegistryFixtures.url("https://attacker.example/api/v4/projects/1/packages/pypi/simple/"))
    let error = #expect(throws: ConfigError.self) {
      try registry.credential(for: evil, in: RegistryFixtures.context(stub))
    }
    #expect(error?.message.contains("to attacker.example: it is for \(own)") == true, "\(error?.message ?? "")")
    #expect(error?.message.contains(variable) == true)
    #expect(error?.message.contains("job-1") == false && error?.message.contains("glpat-1") == false)
  }

  @Test func theForwardingWarningIsPrintedAfterTheCredentialLine() throws {
    let plan = try Planner.plan(
      {
        var o = LoginOptions()
        o.urls = ["https://gitlab.com/api/v4/groups/7/-/packages/pypi/simple"]
        return o
      }(), environment: Environment(["CI_JOB_TOKEN": "job-secret"]))
    let captured = CapturingConsole()
    let context = Context(
      transport: StubTransport { _ in HTTPResponse(status: 500) }, environment: Environment(), clock: FixedClock(0),
      console: captured.console, home: "/nonexistent")
    let report = login(plan, in: context)
    report.render(to: captured.console, now: 0)
    let lines = captured.stderr.split(separator: "\n")
    #expect(lines.first?.contains("GitLab package registry index 'gitlab-group-7'") == true)
    #expect(lines.dropFirst().first == "indexkey: warning: \(GitLab.forwardingWarning)")
    #expect(!captured.stderr.contains("job-secret"))
  }
}

@Suite struct StaticCredentialTests {
  @Test func usernameAndPasswordFromTheEnvironment() throws {
    let registry = try StaticIndex.make(
      settings: Settings(environment: Environment(["INDEXKEY_USERNAME": "ci", "INDEXKEY_PASSWORD": "s3cret"])),
      identity: .auto)
    let target = try StaticIndex.target(for: RegistryFixtures.url("https://pypi.example.com/simple"))
    let credential = try registry.credential(
      for: target, in: RegistryFixtures.context(StubTransport { _ in HTTPResponse(status: 500) }))
    #expect(credential.username == "ci")
    #expect(credential.password.revealed == "s3cret")
    #expect(credential.index.simpleURL.description == "https://pypi.example.com/simple/")
    #expect(credential.index.uploadURL?.description == "https://pypi.example.com/")
    #expect(credential.index.name == "pypi.example.com")
  }

  @Test func fileVariantsDropTheTrailingNewline() throws {
    let registry = try withTemporaryDirectory { directory in
      writeFile(directory + "/user", "ci-user\n")
      writeFile(directory + "/password", "p@ss word\r\n")
      return try StaticIndex.make(
        settings: Settings(
          environment: Environment([
            "INDEXKEY_USERNAME_FILE": directory + "/user", "INDEXKEY_PASSWORD_FILE": directory + "/password",
          ])), identity: .auto)
    }
    #expect(registry.username == "ci-user")
    #expect(registry.password.revealed == "p@ss word")
  }

  @Test func aUsernameFromAFileIsASecretEverywhere() throws {
    try withTemporaryDirectory { (dir: String) throws in
      writeFile(dir + "/user", "glpat-user-canary\n")
      let missing = #expect(throws: ConfigError.self) {
        try StaticIndex.make(
          settings: Settings(environment: Environment(["INDEXKEY_USERNAME_FILE": dir + "/user"])), identity: .auto)
      }
      #expect(missing?.message.contains("glpat-user-canary") == false)

      let env = [
        "INDEXKEY_USERNAME_FILE": dir + "/user", "INDEXKEY_PASSWORD": "pw-canary", "GITHUB_ACTIONS": "true",
        "HOME": dir,
      ]
      var options = LoginOptions()
      options.urls = ["https://pypi.example.com/simple/"]
      options.registry = "basic"
      options.writes = ["shell"]
      let captured = CapturingConsole()
      let context = testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env, console: captured)
      let report = login(try Planner.plan(options, environment: Environment(env)), in: context)
      report.render(to: captured.console, now: 0)
      #expect(report.exitStatus == .ok)
      #expect(captured.stderr.hasPrefix("::add-mask::pw-canary\n"))
      #expect(captured.stderr.contains("::add-mask::glpat-user-canary\n"))
      #expect(captured.stderr.contains("credential for user ***"))
      #expect(
        captured.stderr.replacing("::add-mask::glpat-user-canary", with: "").contains("glpat-user-canary") == false)
      #expect(captured.stdout.contains("glpat-user-canary"))
      #expect(report.json(showSecrets: false, now: 0).revealed.contains("glpat-user-canary") == false)

      options.dryRun = true
      let dry = CapturingConsole()
      _ = login(
        try Planner.plan(options, environment: Environment(env)),
        in: testContext(StubTransport { _ in HTTPResponse(status: 500) }, env: env, console: dry))
      #expect(dry.stderr.contains("glpat-user-canary") == false)
    }
  }

  @Test(arguments: [
    ([:], "INDEXKEY_USERNAME"),
    (
      ["INDEXKEY_USERNAME": "u"],
      "INDEXKEY_PASSWORD (or INDEXKEY_PASSWORD_FILE) with the password or token for the user in INDEXKEY_USERNAME"
    ),
    (
      ["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "p", "INDEXKEY_PASSWORD_FILE": "/p"],
      "Both INDEXKEY_PASSWORD and INDEXKEY_PASSWORD_FILE"
    ),
    (
      ["INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD_FILE": "/nonexistent/indexkey"],
      "Could not read the file INDEXKEY_PASSWORD_FILE names"
    ),
  ])
  func missingOrConflictingSettings(environment: [String: String], expected: String) {
    let error = #expect(throws: ConfigError.self) {
      try StaticIndex.make(settings: Settings(environment: Environment(environment)), identity: .auto)
    }
    #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
  }

  @Test func onlyTheRegistryFlagSelectsIt() throws {
    let url = RegistryFixtures.url("https://pypi.example.com/root/")
    #expect(Registries.recognise(url) == nil)
    #expect(try Registries.named("basic") == StaticIndex.self)
    let target = try StaticIndex.target(for: url)
    #expect(target.simpleURL.description == "https://pypi.example.com/root/")
    #expect(target.uploadURL?.description == "https://pypi.example.com/root/")
  }

  @Test func anAzureDevOpsPATIsUsedWhenNoEntraAppIsNamed() throws {
    let target = try AzureArtifacts.target(
      for: RegistryFixtures.url("https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"))
    let stub = StubTransport { _ in HTTPResponse(status: 500) }
    let registry = try AzureArtifacts.make(
      settings: Settings(environment: Environment(["AZURE_DEVOPS_EXT_PAT": "pat-value"])), identity: .auto)
    let credential = try registry.credential(for: target, in: RegistryFixtures.context(stub))
    #expect(stub.requests.isEmpty)
    #expect(credential.password.revealed == "pat-value")
    #expect(!credential.username.isEmpty)

    let entra = try AzureArtifacts.make(
      settings: Settings(
        environment: Environment([
          "AZURE_DEVOPS_EXT_PAT": "pat-value", "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t",
          "AZURE_CLIENT_SECRET": "s",
        ])), identity: .auto)
    guard entra.credentials.link is ClientSecretLink else {
      Issue.record("an Entra app was named; the PAT must not be used")
      return
    }
  }

  @Test func inCIWithoutAppOrPATTheMessageMentionsBoth() {
    let error = #expect(throws: ConfigError.self) {
      try AzureArtifacts.make(
        settings: Settings(environment: Environment(["CI": "true", "PATH": "/nonexistent"])), identity: .auto)
    }
    #expect(error?.message.contains("AZURE_CLIENT_ID") == true)
    #expect(error?.message.contains("AZURE_DEVOPS_EXT_PAT") == true)
  }

  @Test func outsideCIWithoutAppOrPATTheLaptopLinksAreTriedInOrder() throws {
    try withTemporaryDirectory { dir in
      writeFile("\(dir)/az", "#!/bin/sh\n", mode: 0o755)
      func names(_ registry: AzureArtifacts) -> [String] { registry.credentials.candidates.map { type(of: $0).name } }
      let env = [
        "PATH": dir, "AZURE_TENANT_ID": "t-1", "AZURE_CLIENT_ID": "uami",
        "IDENTITY_ENDPOINT": "http://localhost:8081/msi/token", "IDENTITY_HEADER": "h",
      ]
      let onAppService = try AzureArtifacts.make(settings: Settings(environment: Environment(env)), identity: .auto)
      #expect(names(onAppService) == ["managed-identity"], "a platform identity is configured: nothing after it")
      #expect(
        onAppService.chain?.lines.contains(
          "- ci-federation: skipped: no CI token here (no CI recognised and no --identity)") == true)
      #expect((onAppService.credentials.link as? ManagedIdentityLink)?.identity.clientID == "uami")
      let laptop = try AzureArtifacts.make(
        settings: Settings(
          environment: Environment(["PATH": dir, "HOME": dir, "AZURE_TENANT_ID": "t-1", "INDEXKEY_AZURE_PAT": "create"])
        ),
        identity: .auto)
      let lines = laptop.chain?.lines ?? []
      #expect(
        lines.contains(
          "- managed-identity: skipped: not on Azure compute (no IDENTITY_ENDPOINT, and the machine is not an Azure VM)"
        ))
      #expect(lines.contains("? azure-cli: tried first: az is on PATH; its login decides"))
      #expect(laptop.pat == AzureArtifacts.PATOrder(days: 30, vssps: nil))
      let forced = try AzureArtifacts.make(
        settings: Settings(flags: ["azure-credential": "device-code"], environment: Environment(["PATH": dir])),
        identity: .auto)
      #expect(names(forced) == ["device-code"])
      #expect(
        errorMessage {
          try AzureArtifacts.make(
            settings: Settings(
              environment: Environment([
                "CI": "true", "AZURE_DEVOPS_EXT_PAT": "p", "INDEXKEY_AZURE_CREDENTIAL": "device-code",
              ])), identity: .auto)
        }?.contains("never used in CI") == true)
      #expect(
        errorMessage {
          try AzureArtifacts.make(
            settings: Settings(environment: Environment(["AZURE_DEVOPS_EXT_PAT": "p", "INDEXKEY_AZURE_PAT": "maybe"])),
            identity: .auto)
        }?.contains("--azure-pat 'maybe'") == true)
      #expect(
        errorMessage {
          try AzureArtifacts.make(
            settings: Settings(
              environment: Environment([
                "AZURE_DEVOPS_EXT_PAT": "p", "INDEXKEY_AZURE_PAT": "create", "AZURE_DEVOPS_PAT_DURATION": "400",
              ])), identity: .auto)
        }?.contains("1 to 365") == true)
    }
  }

  @Test(arguments: [
    ("https://upload.pypi.org/legacy/", "pypi"),
    ("https://test.pypi.org/legacy/", "pypi"),
    ("https://libraries.cgr.dev/python/simple/", "chainguard"),
    ("https://acme.jfrog.io/artifactory/api/pypi/py/simple", "jfrog"),
    ("https://gitlab.com/api/v4/projects/1/packages/pypi/simple", "gitlab"),
    ("https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/", "azure-artifacts"),
  ])
  func registriesAreRecognisedFromTheirURLs(url: String, registry: String) {
    #expect(Registries.recognise(RegistryFixtures.url(url))?.name == registry)
  }
}
