import Testing

@testable import IndexKit

/// The shared files read as botocore reads them, and each profile's credential in
/// botocore's order.
@Suite struct AWSSharedProfileTests {
  func files(config: String, credentials: String = "") throws -> AWSSharedFiles {
    try AWSSharedFiles.parse(
      config: Array(config.utf8), credentials: Array(credentials.utf8), configPath: "/h/.aws/config",
      credentialsPath: "/h/.aws/credentials")
  }

  func resolve(_ profile: String, config: String, credentials: String = "") throws -> AWSProfileCredential? {
    try AWSProfileResolver(files: files(config: config, credentials: credentials), home: "/h").resolve(profile)
  }

  @Test func sectionNamesFollowConfigloader() throws {
    let parsed = try files(
      config: """
        [default]
        region = eu-west-1
        [profile dev]
        region = us-east-1
        [profiledev2]
        region = x
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        [profile   "spaced"]
        output = json
        """,
      credentials: "[dev]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n[profile odd]\naws_access_key_id = A\n"
    )
    #expect(parsed.config.keys.sorted() == ["default", "dev", "spaced"])
    #expect(parsed.ssoSessions["corp"]?["sso_start_url"] == "https://corp.awsapps.com/start")
    // the credentials file takes section names as they are
    #expect(parsed.credentials.keys.sorted() == ["dev", "profile odd"])
    #expect(parsed.merged("dev")?["region"] == "us-east-1")
    #expect(parsed.merged("dev")?["aws_access_key_id"] == "AKIA1")
  }

  @Test func keysOfTheCredentialsFileWinOverTheConfigFiles() throws {
    let found = try resolve(
      "default", config: "[default]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = c\n",
      credentials: "[default]\naws_access_key_id = AKIACREDS\naws_secret_access_key = k\naws_session_token = t\n")
    guard case .keys(let keys, let origin) = found else {
      Issue.record("not keys: \(String(describing: found))")
      return
    }
    #expect(keys.accessKeyID == "AKIACREDS" && keys.sessionToken?.revealed == "t")
    #expect(origin == "profile default in /h/.aws/credentials")
  }

  @Test func precedenceInsideAProfile() throws {
    // assume role beats SSO, SSO beats keys, keys in credentials beat credential_process,
    // credential_process beats keys in config
    let base = "[profile src]\naws_access_key_id = AKIASRC\naws_secret_access_key = s\n"
    let sso =
      "sso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
    let role = "role_arn = arn:aws:iam::111122223333:role/r\nsource_profile = src\n"
    let all = try resolve("p", config: base + "[profile p]\n" + role + sso + "credential_process = helper\n")
    guard case .assumeRole(let call, .keys) = all else {
      Issue.record("\(String(describing: all))")
      return
    }
    #expect(call.roleARN == "arn:aws:iam::111122223333:role/r")
    let noRole = try resolve(
      "p", config: "[profile p]\n" + sso + "credential_process = helper\n",
      credentials: "[p]\naws_access_key_id = A\naws_secret_access_key = s\n")
    guard case .sso = noRole else {
      Issue.record("\(String(describing: noRole))")
      return
    }
    let process = try resolve(
      "p", config: "[profile p]\ncredential_process = helper --x\naws_access_key_id = A\naws_secret_access_key = s\n")
    #expect(process == .process(command: "helper --x", profile: "p"))
    let credsFirst = try resolve(
      "p", config: "[profile p]\ncredential_process = helper\n",
      credentials: "[p]\naws_access_key_id = A\naws_secret_access_key = s\n")
    guard case .keys = credsFirst else {
      Issue.record("\(String(describing: credsFirst))")
      return
    }
    #expect(try resolve("p", config: "[profile p]\nregion = eu-west-1\n") == nil)
    #expect(try resolve("missing", config: "") == nil)
  }

  @Test func roleChainsFollowSourceProfiles() throws {
    let config = """
      [profile base]
      aws_access_key_id = AKIABASE
      aws_secret_access_key = b
      [profile middle]
      role_arn = arn:aws:iam::111122223333:role/middle
      source_profile = base
      external_id = ext
      duration_seconds = 1800
      [profile top]
      role_arn = arn:aws:iam::444455556666:role/top
      source_profile = middle
      role_session_name = me
      """
    let found = try resolve("top", config: config)
    guard case .assumeRole(let top, .assumeRole(let middle, .keys(let keys, _))) = found else {
      Issue.record("\(String(describing: found))")
      return
    }
    #expect(top.sessionName == "me" && top.profile == "top")
    #expect(middle.externalID == "ext" && middle.duration == 1800 && middle.profile == "middle")
    #expect(keys.accessKeyID == "AKIABASE")
  }

  @Test func aSourceProfileWithKeysIsUsedForThemEvenWithARoleOfItsOwn() throws {
    let config = """
      [profile a]
      role_arn = arn:aws:iam::111122223333:role/a
      source_profile = b
      [profile b]
      role_arn = arn:aws:iam::111122223333:role/b
      source_profile = b
      aws_access_key_id = AKIAB
      aws_secret_access_key = s
      """
    guard case .assumeRole(let call, .keys(let keys, _)) = try resolve("a", config: config) else {
      Issue.record("shape")
      return
    }
    #expect(call.profile == "a" && keys.accessKeyID == "AKIAB")
    // and a profile may name itself as the source of its own keys
    guard case .assumeRole(let own, .keys) = try resolve("b", config: config) else {
      Issue.record("self")
      return
    }
    #expect(own.roleARN.hasSuffix("role/b"))
  }

  @Test(arguments: [
    (
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n",
      "in a loop"
    ),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = a\n", "in a loop"),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nowhere\n", "names source_profile 'nowhere'"),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\n", "without a way to sign"),
    (
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\ncredential_source = Environment\n",
      "both source_profile and credential_source"
    ),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Laptop\n", "credential_source 'Laptop'"),
    (
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\nmfa_serial = arn:aws:iam::1:mfa/me\n[profile b]\naws_access_key_id = A\naws_secret_access_key = s\n",
      "MFA code"
    ),
    ("[profile a]\naws_access_key_id = A\n", "only half a key pair"),
    ("[profile a]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n", "lacks sso_account_id, sso_role_name"),
    ("[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n", "no [sso-session nope] section"),
    (
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nregion = eu-west-1\n",
      "'b' (source_profile of 'a') has no credentials"
    ),
  ])
  func badProfilesAreNamedSentences(config: String, expected: String) {
    let message = errorMessage { try resolve("a", config: config) as Any }
    #expect(message?.contains(expected) == true, "\(message ?? "no error")")
  }

  @Test func credentialSourcesAndWebIdentity() throws {
    let config = """
      [profile env]
      role_arn = arn:aws:iam::1:role/e
      credential_source = Environment
      [profile ec2]
      role_arn = arn:aws:iam::1:role/i
      credential_source = Ec2InstanceMetadata
      [profile ecs]
      role_arn = arn:aws:iam::1:role/c
      credential_source = EcsContainer
      [profile web]
      role_arn = arn:aws:iam::1:role/w
      web_identity_token_file = ~/token
      """
    guard case .assumeRole(_, .environment) = try resolve("env", config: config),
      case .assumeRole(_, .instanceMetadata) = try resolve("ec2", config: config),
      case .assumeRole(_, .container) = try resolve("ecs", config: config)
    else {
      Issue.record("credential_source")
      return
    }
    #expect(
      try resolve("web", config: config)
        == .webIdentity(
          roleARN: "arn:aws:iam::1:role/w", tokenFile: "/h/token", sessionName: "indexkey", profile: "web"))
  }

  @Test func ssoCacheFileIsKeyedBySessionNameOrStartURL() throws {
    let config = """
      [sso-session corp]
      sso_start_url = https://corp.awsapps.com/start
      sso_region = us-east-1
      [profile new]
      sso_session = corp
      sso_account_id = 111122223333
      sso_role_name = Developer
      [profile legacy]
      sso_start_url = https://my-sso-portal.awsapps.com/start
      sso_region = us-east-1
      sso_account_id = 111122223333
      sso_role_name = Developer
      """
    guard case .sso(let new) = try resolve("new", config: config),
      case .sso(let legacy) = try resolve("legacy", config: config)
    else {
      Issue.record("sso")
      return
    }
    // SHA-1 of "corp" and of the start URL (the AWS CLI's cache names)
    #expect(new.cacheFile == "/h/.aws/sso/cache/\(Hex.lower(Digest.sha1(Array("corp".utf8)))).json")
    #expect(legacy.cacheFile == "/h/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json")
    #expect(new.startURL == "https://corp.awsapps.com/start" && new.region == "us-east-1" && new.session == "corp")
    #expect(new.loginCommand == "aws sso login --profile new")
  }

  @Test func notAnIniFileIsRefusedWithItsPath() {
    let message = errorMessage { try files(config: "region = eu-west-1\n[default]\n") }
    #expect(
      message?.contains("/h/.aws/config is not a file the AWS CLI can read: line 1 comes before any [section]") == true)
  }

  @Test func credentialProcessSplitsLikeAShell() throws {
    #expect(
      try AWSCredentialProcess.split(#"/opt/bin/helper --profile "my dev" 'a b' c\ d"#, profile: "p") == [
        "/opt/bin/helper", "--profile", "my dev", "a b", "c d",
      ])
    #expect(try AWSCredentialProcess.split(#"x "q\"q" "\n""#, profile: "p") == ["x", #"q"q"#, #"\n"#])
    #expect(
      errorMessage { try AWSCredentialProcess.split("x 'open", profile: "p") }?.contains("unclosed quote") == true)
  }
}
