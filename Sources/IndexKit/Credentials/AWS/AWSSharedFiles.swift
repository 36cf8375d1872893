/// The AWS shared files, `~/.aws/config` and `~/.aws/credentials`, read as botocore reads
/// them (`configloader.py`): in the config file `[default]` and `[profile NAME]` are
/// profiles and `[sso-session NAME]` sessions; in the credentials file every section is a
/// profile.
///
/// Paths from `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`.
package struct AWSSharedFiles: Sendable, Equatable {
  package var configPath: String
  package var credentialsPath: String
  /// Profiles of the config file, by name.
  package var config: [String: [String: String]]
  /// Profiles of the credentials file, by name.
  package var credentials: [String: [String: String]]
  package var ssoSessions: [String: [String: String]]
  /// SHA-256 over both files' bytes: which identity they describe, for the keyring cache key.
  package var digest: String

  package init(
    configPath: String, credentialsPath: String, config: [String: [String: String]],
    credentials: [String: [String: String]], ssoSessions: [String: [String: String]] = [:], digest: String = ""
  ) {
    self.configPath = configPath
    self.credentialsPath = credentialsPath
    self.config = config
    self.credentials = credentials
    self.ssoSessions = ssoSessions
    self.digest = digest
  }

  /// The file paths the environment names, else `~/.aws/…`.
  package static func paths(environment: Environment, home: String?) -> (config: String, credentials: String) {
    let base = "\(home ?? "~")/.aws"
    let config = environment["AWS_CONFIG_FILE"].map { FileIO.expandTilde($0, home: home) } ?? "\(base)/config"
    let credentials =
      environment["AWS_SHARED_CREDENTIALS_FILE"].map { FileIO.expandTilde($0, home: home) } ?? "\(base)/credentials"
    return (config, credentials)
  }

  /// Reads both files; a missing file is an empty one, as for botocore.
  package static func load(environment: Environment, home: String?) throws(ConfigError) -> AWSSharedFiles {
    let (configPath, credentialsPath) = paths(environment: environment, home: home)
    let configBytes = try read(configPath, what: "AWS config file", variable: "AWS_CONFIG_FILE")
    let credentialsBytes = try read(
      credentialsPath, what: "AWS credentials file", variable: "AWS_SHARED_CREDENTIALS_FILE")
    var files = try parse(
      config: configBytes ?? [], credentials: credentialsBytes ?? [], configPath: configPath,
      credentialsPath: credentialsPath)
    var digestInput = Array("\(configBytes?.count ?? -1):".utf8) + (configBytes ?? [])
    digestInput += Array("\(credentialsBytes?.count ?? -1):".utf8) + (credentialsBytes ?? [])
    files.digest = Hex.lower(Digest.sha256(digestInput))
    return files
  }

  /// Parses the two files' bytes.
  package static func parse(config: [UInt8], credentials: [UInt8], configPath: String, credentialsPath: String)
    throws(ConfigError) -> AWSSharedFiles
  {
    let configSections = try sections(config, path: configPath)
    var profiles: [String: [String: String]] = [:]
    var sessions: [String: [String: String]] = [:]
    for section in configSections {
      let words = section.name.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { unquoted(String($0)) }
      let values = Dictionary(section.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
      if words == ["default"] {
        profiles["default", default: [:]].merge(values) { _, new in new }
      } else if words.count == 2, words[0] == "profile" {
        profiles[words[1], default: [:]].merge(values) { _, new in new }
      } else if words.count == 2, words[0] == "sso-session" {
        sessions[words[1], default: [:]].merge(values) { _, new in new }
      }
    }
    var credentialProfiles: [String: [String: String]] = [:]
    for section in try sections(credentials, path: credentialsPath) {
      let values = Dictionary(section.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
      credentialProfiles[section.name.trimmingSpaces, default: [:]].merge(values) { _, new in new }
    }
    return AWSSharedFiles(
      configPath: configPath, credentialsPath: credentialsPath, config: profiles, credentials: credentialProfiles,
      ssoSessions: sessions)
  }

  /// Every profile name either file knows.
  package var profileNames: Set<String> { Set(config.keys).union(credentials.keys) }

  /// The profile's settings as botocore merges them: the credentials file's win.
  package func merged(_ profile: String) -> [String: String]? {
    guard config[profile] != nil || credentials[profile] != nil else { return nil }
    return (config[profile] ?? [:]).merging(credentials[profile] ?? [:]) { _, new in new }
  }

  private static func read(_ path: String, what: String, variable: String) throws(ConfigError) -> [UInt8]? {
    guard FileIO.exists(path) else { return nil }
    do {
      return try FileIO.read(path, limit: 1 << 20)
    } catch {
      throw ConfigError("Could not read the \(what) (\(variable)): \(error.description).")
    }
  }

  private static func sections(_ bytes: [UInt8], path: String) throws(ConfigError) -> [IniDocument.Section] {
    let document = IniDocument(bytes: bytes)
    if let problem = document.problem {
      throw ConfigError(
        "\(path) is not a file the AWS CLI can read: \(problem). Fix it (or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere)."
      )
    }
    return document.sections
  }

  private static func unquoted(_ word: String) -> String {
    guard word.count >= 2, let first = word.first, first == word.last, first == "\"" || first == "'" else {
      return word
    }
    return String(word.dropFirst().dropLast())
  }
}
