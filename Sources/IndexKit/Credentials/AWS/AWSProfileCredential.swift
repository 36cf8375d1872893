/// Where a shared-file profile's keys come from, decided from the files alone.
package indirect enum AWSProfileCredential: Sendable, Equatable {
  /// `aws_access_key_id`/`aws_secret_access_key`[/`aws_session_token`] of a profile.
  case keys(AWSCredentials, origin: String)
  /// `role_arn` with `source_profile` or `credential_source`: STS `AssumeRole`, signed with
  /// the source's keys.
  case assumeRole(AWSRoleAssumption, source: AWSProfileCredential)
  /// `role_arn` with `web_identity_token_file`.
  case webIdentity(roleARN: String, tokenFile: String, sessionName: String, profile: String)
  /// IAM Identity Center: the cached token of `aws sso login`, then `GetRoleCredentials`.
  case sso(AWSSSOProfile)
  /// `credential_process`: a command printing the keys as JSON.
  case process(command: String, profile: String)
  /// `credential_source = Environment`: `AWS_ACCESS_KEY_ID` and its companions.
  case environment
  /// `credential_source = Ec2InstanceMetadata`.
  case instanceMetadata
  /// `credential_source = EcsContainer`.
  case container

  /// The chain in words, outermost first ("role arn:… (profile dev) ← keys of profile base").
  package var summary: String {
    switch self {
    case .keys(_, let origin): "the keys of \(origin)"
    case .assumeRole(let role, let source):
      "the role \(role.roleARN) (profile \(role.profile)), assumed with \(source.summary)"
    case .webIdentity(let role, let file, _, let profile):
      "the role \(role) with the web identity token in \(file) (profile \(profile))"
    case .sso(let sso): "IAM Identity Center, role \(sso.roleName) in account \(sso.accountID) (profile \(sso.profile))"
    case .process(let command, let profile):
      "credential_process of profile \(profile) ('\(command.split(separator: " ").first ?? "")')"
    case .environment: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (credential_source Environment)"
    case .instanceMetadata: "the EC2 instance profile (credential_source Ec2InstanceMetadata)"
    case .container: "the container's credentials (credential_source EcsContainer)"
    }
  }
}

/// One `AssumeRole` call a profile asks for.
package struct AWSRoleAssumption: Sendable, Equatable {
  package var roleARN: String
  package var sessionName: String
  package var externalID: String?
  package var duration: Int?
  /// The profile holding `role_arn`.
  package var profile: String

  package init(roleARN: String, sessionName: String, externalID: String? = nil, duration: Int? = nil, profile: String) {
    self.roleARN = roleARN
    self.sessionName = sessionName
    self.externalID = externalID
    self.duration = duration
    self.profile = profile
  }
}

/// An IAM Identity Center profile: where `aws sso login` cached its token, and which role.
package struct AWSSSOProfile: Sendable, Equatable {
  package var profile: String
  package var startURL: String
  /// The portal's region (`sso_region`).
  package var region: String
  package var accountID: String
  package var roleName: String
  /// `sso_session`, when the profile names one (the cache file is then keyed by it).
  package var session: String?
  /// `~/.aws/sso/cache/SHA1.json`.
  package var cacheFile: String

  package init(
    profile: String, startURL: String, region: String, accountID: String, roleName: String, session: String?,
    cacheFile: String
  ) {
    self.profile = profile
    self.startURL = startURL
    self.region = region
    self.accountID = accountID
    self.roleName = roleName
    self.session = session
    self.cacheFile = cacheFile
  }

  /// The token cache file botocore and the AWS CLI use: SHA-1 of the session name, or of
  /// the start URL for a legacy profile, in `~/.aws/sso/cache/`.
  package static func cacheFile(session: String?, startURL: String, home: String?) -> String {
    let name = Hex.lower(Digest.sha1(Array((session ?? startURL).utf8)))
    return "\(home ?? "~")/.aws/sso/cache/\(name).json"
  }

  /// What to run when the cached token is missing or expired.
  package var loginCommand: String {
    profile == "default" ? "aws sso login" : "aws sso login --profile \(profile)"
  }
}
