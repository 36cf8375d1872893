import Glibc
import Testing

@testable import IndexKit

/// The keyring cache key follows the laptop's sign-in: another AWS profile file, another
/// IAM Identity Center sign-in, another gcloud account or ADC file is another key.
@Suite struct LocalSignInKeyTests {
  let awsIndex = "https://d-444455556666.d.codeartifact.eu-west-1.amazonaws.com/pypi/r/simple/"
  let garIndex = "https://europe-west1-python.pkg.dev/p/r/simple/"

  func awsKey(_ env: [String: String]) throws -> String {
    let registry = AWSCodeArtifact(
      credentials: .only(
        AWSEnvironmentLink(keys: AWSCredentials(accessKeyID: "AKIAX", secretAccessKey: Secret("s"))), cloud: "AWS"))
    return CacheKey.make(
      index: try AWSCodeArtifact.target(for: try WebURL(awsIndex, what: "u")), registry: registry,
      environment: Environment(env)
    ).id
  }

  func googleKey(_ env: [String: String]) throws -> String {
    let text = CryptoFixture.text("crypto/google-service-account.json")
    let key = try GoogleServiceAccountKey(
      json: try JSON(parsing: Array(text.utf8), document: "key"), contents: Secret(text), path: "/k.json")
    let registry = GoogleArtifactRegistry(link: ServiceAccountKeyLink(key: key, use: .keyAsPassword))
    return CacheKey.make(
      index: try GoogleArtifactRegistry.target(for: try WebURL(garIndex, what: "u")), registry: registry,
      environment: Environment(env)
    ).id
  }

  @Test func awsFilesAndSSOSignInChangeTheKey() throws {
    try withTemporaryDirectory { home in
      _ = mkdir("\(home)/.aws", 0o700)
      let env = ["HOME": home, "AWS_PROFILE": "dev"]
      let empty = try awsKey(env)
      writeFile(
        "\(home)/.aws/config",
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n"
      )
      let configured = try awsKey(env)
      #expect(configured != empty)
      let cache = AWSSSOProfile.cacheFile(session: "corp", startURL: "", home: home)
      _ = system("mkdir -p '\(home)/.aws/sso/cache'")
      writeFile(cache, #"{"accessToken":"alice","expiresAt":"2030-01-01T00:00:00Z"}"#)
      let alice = try awsKey(env)
      writeFile(cache, #"{"accessToken":"bob","expiresAt":"2030-01-01T00:00:00Z"}"#)
      let bob = try awsKey(env)
      #expect(Set([configured, alice, bob]).count == 3)
      #expect(try awsKey(env) == bob)
      #expect(try awsKey(["HOME": home, "AWS_PROFILE": "other"]) != bob)
    }
  }

  @Test func theAzureCLIsAccountChangesTheKeyItsTokenCacheDoesNot() throws {
    try withTemporaryDirectory { dir in
      let registry = try AzureArtifacts.make(
        settings: Settings(environment: Environment(["AZURE_DEVOPS_EXT_PAT": "p"])), identity: .auto)
      let index = try AzureArtifacts.target(
        for: try WebURL("https://pkgs.dev.azure.com/o/_packaging/f/pypi/simple/", what: "u"))
      func key() -> String {
        CacheKey.make(index: index, registry: registry, environment: Environment(["AZURE_CONFIG_DIR": dir])).id
      }
      writeFile("\(dir)/azureProfile.json", #"{"subscriptions":[{"user":{"name":"alice"}}]}"#)
      let alice = key()
      writeFile("\(dir)/msal_token_cache.json", #"{"AccessToken":{"k":{"secret":"new"}}}"#)
      #expect(key() == alice)
      writeFile("\(dir)/azureProfile.json", #"{"subscriptions":[{"user":{"name":"bob"}}]}"#)
      #expect(key() != alice)
    }
  }

  @Test func gcloudAccountAndADCFileChangeTheKey() throws {
    try withTemporaryDirectory { dir in
      _ = mkdir("\(dir)/configurations", 0o755)
      let env = ["HOME": "/nonexistent", "CLOUDSDK_CONFIG": dir]
      writeFile("\(dir)/configurations/config_default", "[core]\naccount = alice@example.com\n")
      let alice = try googleKey(env)
      writeFile("\(dir)/configurations/config_default", "[core]\naccount = bob@example.com\n")
      let bob = try googleKey(env)
      writeFile("\(dir)/application_default_credentials.json", #"{"type":"authorized_user","refresh_token":"r"}"#)
      let adc = try googleKey(env)
      #expect(Set([alice, bob, adc]).count == 3)
      #expect(try googleKey(env) == adc)
    }
  }
}
