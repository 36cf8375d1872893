/// Turns a profile of the shared files into an ``AWSProfileCredential``, with botocore's
/// precedence inside a profile (`credentials.py`): assume role (`role_arn` with
/// `source_profile` or `credential_source`), web identity, IAM Identity Center, keys of the
/// credentials file, `credential_process`, keys of the config file.
///
/// Source profiles follow botocore's rules: a source profile with keys is used for its
/// keys even if it names a role itself; one without keys but with a role is assumed in
/// turn; a chain that comes back to a profile already visited is refused, except a
/// profile naming itself as the source of its own keys.
package struct AWSProfileResolver: Sendable {
  package var files: AWSSharedFiles
  package var home: String?

  package init(files: AWSSharedFiles, home: String?) {
    self.files = files
    self.home = home
  }

  /// The profile's credential, nil when it has none of the settings above.
  package func resolve(_ profile: String) throws(ConfigError) -> AWSProfileCredential? {
    guard let settings = files.merged(profile) else { return nil }
    if hasRole(settings) { return try assumeRole(profile, settings: settings, visited: [profile]) }
    return try profileChain(profile, settings: settings)
  }

  /// What botocore's per-profile providers find, after assume role.
  private func profileChain(_ profile: String, settings: [String: String]) throws(ConfigError) -> AWSProfileCredential?
  {
    if let role = settings["role_arn"], let file = settings["web_identity_token_file"] {
      return .webIdentity(
        roleARN: role, tokenFile: FileIO.expandTilde(file, home: home),
        sessionName: settings["role_session_name"] ?? "indexkey",
        profile: profile)
    }
    if let sso = try sso(profile, settings: settings) { return .sso(sso) }
    if let keys = try keys(files.credentials[profile] ?? [:], origin: "profile \(profile) in \(files.credentialsPath)")
    {
      return keys
    }
    if let command = settings["credential_process"], !command.isEmpty {
      return .process(command: command, profile: profile)
    }
    return try keys(files.config[profile] ?? [:], origin: "profile \(profile) in \(files.configPath)")
  }

  private func hasRole(_ settings: [String: String]) -> Bool {
    settings["role_arn"] != nil && settings["web_identity_token_file"] == nil
  }

  private func hasKeys(_ profile: String) -> Bool {
    files.credentials[profile]?["aws_access_key_id"] != nil || files.config[profile]?["aws_access_key_id"] != nil
  }

  private func assumeRole(_ profile: String, settings: [String: String], visited: [String]) throws(ConfigError)
    -> AWSProfileCredential
  {
    let role = settings["role_arn"] ?? ""
    if settings["mfa_serial"] != nil {
      throw ConfigError(
        "The AWS profile '\(profile)' assumes \(role) with an MFA code (mfa_serial), which indexkey cannot ask for; run `aws sts get-session-token` or `aws configure export-credentials` into a profile of its own, or use a profile without mfa_serial."
      )
    }
    var duration: Int?
    if let text = settings["duration_seconds"] {
      guard let seconds = Int(text), (900...43200).contains(seconds) else {
        throw ConfigError("The AWS profile '\(profile)' has duration_seconds '\(text)'; give 900 to 43200 seconds.")
      }
      duration = seconds
    }
    let call = AWSRoleAssumption(
      roleARN: role, sessionName: settings["role_session_name"] ?? "indexkey", externalID: settings["external_id"],
      duration: duration,
      profile: profile)
    switch (settings["source_profile"], settings["credential_source"]) {
    case (.some, .some):
      throw ConfigError("The AWS profile '\(profile)' has both source_profile and credential_source; keep one of them.")
    case (nil, nil):
      throw ConfigError(
        "The AWS profile '\(profile)' names role_arn without a way to sign the AssumeRole call; add source_profile = PROFILE (a profile with keys) or credential_source = Environment | Ec2InstanceMetadata | EcsContainer."
      )
    case (nil, let source?):
      let kinds: [String: AWSProfileCredential] = [
        "Environment": .environment, "Ec2InstanceMetadata": .instanceMetadata, "EcsContainer": .container,
      ]
      guard let kind = kinds[source] else {
        throw ConfigError(
          "The AWS profile '\(profile)' has credential_source '\(source)'; use Environment, Ec2InstanceMetadata or EcsContainer."
        )
      }
      return .assumeRole(call, source: kind)
    case (let name?, nil):
      return .assumeRole(call, source: try sourceCredential(name, parent: profile, visited: visited))
    }
  }

  private func sourceCredential(_ name: String, parent: String, visited: [String]) throws(ConfigError)
    -> AWSProfileCredential
  {
    guard let settings = files.merged(name) else {
      throw ConfigError(
        "The AWS profile '\(parent)' names source_profile '\(name)', which neither \(files.configPath) nor \(files.credentialsPath) has."
      )
    }
    if visited.contains(name) {
      // a profile may take its own keys as the source of its role; any other loop is an error
      guard name == parent, hasKeys(name) else {
        throw ConfigError(
          "The AWS profiles \((visited + [name]).map { "'\($0)'" }.joined(separator: " → ")) name each other as source_profile in a loop; end the chain at a profile with keys."
        )
      }
    }
    if hasKeys(name) || !hasRole(settings) {
      guard let found = try profileChain(name, settings: settings) else {
        throw ConfigError(
          "The AWS profile '\(name)' (source_profile of '\(parent)') has no credentials: give it keys, credential_process, IAM Identity Center settings or a role of its own."
        )
      }
      return found
    }
    return try assumeRole(name, settings: settings, visited: visited + [name])
  }

  private func keys(_ settings: [String: String], origin: String) throws(ConfigError) -> AWSProfileCredential? {
    let id = settings["aws_access_key_id"]
    let secret = settings["aws_secret_access_key"]
    switch (id, secret) {
    case (nil, nil): return nil
    case (let id?, let secret?) where !id.isEmpty && !secret.isEmpty:
      let token = settings["aws_session_token"] ?? settings["aws_security_token"]
      return .keys(
        AWSCredentials(accessKeyID: id, secretAccessKey: Secret(secret), sessionToken: token.map(Secret.init)),
        origin: origin)
    default:
      let missing = id == nil || id?.isEmpty == true ? "aws_access_key_id" : "aws_secret_access_key"
      throw ConfigError(
        "The \(origin) has only half a key pair: \(missing) is missing or empty; give both, or neither.")
    }
  }

  private func sso(_ profile: String, settings: [String: String]) throws(ConfigError) -> AWSSSOProfile? {
    var values = settings.filter { $0.key.hasPrefix("sso_") }
    let sessionName = settings["sso_session"]
    if let sessionName {
      guard let session = files.ssoSessions[sessionName] else {
        throw ConfigError(
          "The AWS profile '\(profile)' names sso_session '\(sessionName)', but \(files.configPath) has no [sso-session \(sessionName)] section."
        )
      }
      for key in ["sso_start_url", "sso_region"] {
        if let own = values[key], let shared = session[key], own != shared {
          throw ConfigError(
            "The AWS profile '\(profile)' and its [sso-session \(sessionName)] give different \(key) values; keep it in the session only."
          )
        }
        if let shared = session[key] { values[key] = shared }
      }
    }
    let required = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
    let missing = required.filter { values[$0]?.isEmpty ?? true }
    if missing.count == required.count { return nil }
    guard missing.isEmpty else {
      throw ConfigError(
        "The AWS profile '\(profile)' is set up for IAM Identity Center but lacks \(missing.joined(separator: ", ")); run `aws configure sso --profile \(profile)` again."
      )
    }
    let startURL = values["sso_start_url"] ?? ""
    return AWSSSOProfile(
      profile: profile, startURL: startURL, region: values["sso_region"] ?? "",
      accountID: values["sso_account_id"] ?? "",
      roleName: values["sso_role_name"] ?? "", session: sessionName,
      cacheFile: AWSSSOProfile.cacheFile(session: sessionName, startURL: startURL, home: home))
  }
}
