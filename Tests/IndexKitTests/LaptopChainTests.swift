import Glibc
import Testing

@testable import IndexKit

/// The Google and AWS chains on real files: which link answers in which setting (the SDKs'
/// precedence), what doctor's trace says about the others, and what a forced link needs.
@Suite struct LaptopChainTests {
  func input(_ env: [String: String], flags: [String: String] = [:]) -> LinkInput {
    LinkInput(settings: Settings(flags: flags, environment: Environment(env)), identity: .auto)
  }

  func googleAnswer(_ env: [String: String], flags: [String: String] = [:]) throws -> (String, ChainTrace) {
    let resolved = try GoogleChain.chain.resolve(input(env, flags: flags))
    return (resolved.linkName, resolved.trace)
  }

  func awsAnswer(_ env: [String: String], flags: [String: String] = [:]) throws -> (String, ChainTrace) {
    let resolved = try AWSChain.chain.resolve(input(env, flags: flags))
    return (resolved.linkName, resolved.trace)
  }

  /// A HOME with gcloud's directory, a bin directory with an executable `gcloud`, and `~/.aws`.
  func withLaptop(_ body: (String) throws -> Void) throws {
    try withTemporaryDirectory { home in
      for dir in [
        ".config", ".config/gcloud", ".config/gcloud/configurations", ".aws", ".aws/sso", ".aws/sso/cache", "bin",
      ] {
        _ = mkdir("\(home)/\(dir)", 0o700)
      }
      writeFile("\(home)/bin/gcloud", "#!/bin/sh\nexit 1\n", mode: 0o755)
      try body(home)
    }
  }

  let userFile = #"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}"#

  @Test func googleFollowsApplicationDefaultCredentialsOrder() throws {
    try withLaptop { (home: String) throws in
      let env = ["HOME": home, "PATH": "\(home)/bin", "NO_GCE_CHECK": "true"]
      // nothing: every place named
      let nothing = errorMessage { try googleAnswer(env) }
      #expect(nothing?.contains("gcloud-adc: no \(home)/.config/gcloud/application_default_credentials.json") == true)
      #expect(
        nothing?.contains(
          "gcloud: \(home)/bin/gcloud has no active account in configuration default; run `gcloud auth login`") == true)
      #expect(nothing?.contains("metadata-server: NO_GCE_CHECK is set") == true)
      // the gcloud CLI with an active account
      writeFile("\(home)/.config/gcloud/configurations/config_default", "[core]\naccount = dev@example.com\n")
      #expect(try googleAnswer(env).0 == "gcloud")
      // the ADC file comes before it
      writeFile("\(home)/.config/gcloud/application_default_credentials.json", userFile)
      let (adc, trace) = try googleAnswer(env)
      #expect(adc == "gcloud-adc")
      #expect(trace.lines.contains("  gcloud: not tried"))
      #expect(trace.lines.contains("- user-credentials: skipped: GOOGLE_APPLICATION_CREDENTIALS is not set"))
      // GOOGLE_APPLICATION_CREDENTIALS before both
      writeFile("\(home)/user.json", userFile)
      #expect(
        try googleAnswer(env.merging(["GOOGLE_APPLICATION_CREDENTIALS": "\(home)/user.json"]) { $1 }).0
          == "user-credentials")
      // CI federation before everything
      let ci = try googleAnswer(
        env,
        flags: ["gcp-workload-identity-provider": "projects/123/locations/global/workloadIdentityPools/p/providers/x"])
      #expect(ci.0 == "ci-federation")
    }
  }

  @Test func googleMetadataServerOnlyWhereTheMachineSaysGoogle() throws {
    try withLaptop { (home: String) throws in
      let laptop = ["HOME": home, "PATH": "/nonexistent"]
      #expect(
        errorMessage { try googleAnswer(laptop.merging(["NO_GCE_CHECK": "true"]) { $1 }) }?.contains(
          "found no credentials") == true)
      #expect(try googleAnswer(laptop.merging(["K_SERVICE": "api"]) { $1 }).0 == "metadata-server")
      #expect(try googleAnswer(laptop.merging(["GCE_METADATA_HOST": "127.0.0.1:9"]) { $1 }).0 == "metadata-server")
    }
  }

  @Test func googleForcedLinkSaysWhatItLacks() throws {
    try withLaptop { (home: String) throws in
      let env = ["HOME": home, "PATH": "\(home)/bin", "NO_GCE_CHECK": "true"]
      let message = errorMessage { try googleAnswer(env, flags: ["gcp-credential": "gcloud"]) }
      #expect(message == "The gcloud CLI has no active account (configuration default); run `gcloud auth login`.")
      #expect(try googleAnswer(env, flags: ["gcp-credential": "metadata-server"]).0 == "metadata-server")
    }
  }

  let staticKeys = "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n"

  @Test func awsFollowsBotocoresOrder() throws {
    try withLaptop { (home: String) throws in
      var env = ["HOME": home, "AWS_EC2_METADATA_DISABLED": "true"]
      let nothing = errorMessage { try awsAnswer(env) }
      #expect(
        nothing?.contains("profile: no profile 'default' in \(home)/.aws/config or \(home)/.aws/credentials") == true)
      #expect(nothing?.contains("instance-metadata: AWS_EC2_METADATA_DISABLED is set") == true)
      // container credentials when there is no profile
      env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/creds"
      #expect(try awsAnswer(env).0 == "container")
      // the profile before them
      writeFile("\(home)/.aws/credentials", staticKeys)
      let (profile, trace) = try awsAnswer(env)
      #expect(profile == "profile")
      #expect(
        trace.lines.contains("✓ profile: profile 'default': the keys of profile default in \(home)/.aws/credentials"))
      #expect(trace.lines.contains("  container: not tried"))
      // web identity from the environment before the profile, but only with a token
      env["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/r"
      #expect(try awsAnswer(env).0 == "profile")
      writeFile("\(home)/token", "x")
      env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "\(home)/token"
      #expect(try awsAnswer(env).0 == "web-identity")
      // a profile that assumes a role before web identity
      writeFile(
        "\(home)/.aws/config",
        "[default]\nrole_arn = arn:aws:iam::111122223333:role/deploy\nsource_profile = base\n[profile base]\n")
      writeFile("\(home)/.aws/credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n")
      #expect(try awsAnswer(env).0 == "assume-role")
      // the environment's keys before everything, AWS_PROFILE included
      env["AWS_PROFILE"] = "base"
      env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
      env["AWS_SECRET_ACCESS_KEY"] = "s"
      #expect(try awsAnswer(env).0 == "environment")
    }
  }

  @Test func awsInstanceMetadataOnlyOnEC2OrWhenNamed() throws {
    try withLaptop { (home: String) throws in
      let laptop = ["HOME": home]
      #expect(
        errorMessage { try awsAnswer(laptop) }?.contains("instance-metadata: this machine does not say it is EC2 (DMI)")
          == true)
      #expect(
        try awsAnswer(laptop.merging(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"]) { $1 }).0
          == "instance-metadata")
    }
  }

  @Test func awsNamedProfileMustExist() throws {
    try withLaptop { (home: String) throws in
      writeFile("\(home)/.aws/credentials", staticKeys)
      let message = errorMessage {
        try awsAnswer(["HOME": home, "AWS_PROFILE": "nope", "AWS_EC2_METADATA_DISABLED": "true"])
      }
      #expect(
        message?.hasPrefix(
          "The AWS profile 'nope' (AWS_PROFILE) is in neither \(home)/.aws/config nor \(home)/.aws/credentials") == true
      )
    }
  }

  @Test func awsProfileRegionServesURLsWithoutOne() throws {
    try withLaptop { (home: String) throws in
      writeFile("\(home)/.aws/config", "[profile dev]\nregion = eu-central-1\n")
      writeFile("\(home)/.aws/credentials", "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n")
      let registry = try AWSCodeArtifact.make(
        settings: Settings(
          flags: ["aws-domain": "d", "aws-domain-owner": "444455556666"],
          environment: Environment(["HOME": home, "AWS_PROFILE": "dev"])),
        identity: .auto)
      #expect(registry.region == "eu-central-1")
      let target = try AWSCodeArtifact.target(for: try WebURL("https://proxy.example/pypi/r/simple/", what: "u"))
      #expect(try registry.repository(for: target).region == "eu-central-1")
    }
  }
}
