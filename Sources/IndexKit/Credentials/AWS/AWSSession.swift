/// What CodeArtifact asks of an AWS link.
package struct AWSKeysRequest: Sendable, Equatable {
  /// The repository's region (STS's too, unless `--aws-region` says otherwise).
  package var region: String
  /// How long a role session should last, in seconds; nil for the role's default
  /// (when the CodeArtifact token is to live as long as the session).
  package var sessionDuration: Int?

  package init(region: String, sessionDuration: Int?) {
    self.region = region
    self.sessionDuration = sessionDuration
  }
}

/// What an AWS link answers: keys to sign with, how long they last, and whose they are.
package struct AWSSession: Sendable {
  package var credentials: AWSCredentials
  /// nil for long-term keys.
  package var expiresAt: UnixTime?
  /// For messages: "the role arn:… (session indexkey)", "the access key AKIA… (AWS_ACCESS_KEY_ID)".
  package var principal: String

  package init(credentials: AWSCredentials, expiresAt: UnixTime?, principal: String) {
    self.credentials = credentials
    self.expiresAt = expiresAt
    self.principal = principal
  }
}

/// The region the AWS settings name (`--aws-region`, `AWS_REGION`, `AWS_DEFAULT_REGION`), checked.
enum AWSRegion {
  static func configured(_ settings: Settings) throws(ConfigError) -> String? {
    guard let region = settings[AWSSettings.region] else { return nil }
    let ok =
      !region.isEmpty && region.count <= 32
      && region.unicodeScalars.allSatisfy {
        $0.isASCII && (("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-")
      }
    guard ok else {
      throw ConfigError(
        "The AWS region '\(region)' is not a region name like us-east-1 (--aws-region, AWS_REGION or AWS_DEFAULT_REGION)."
      )
    }
    return region
  }
}

extension AWSSession {
  /// Reads the JSON key shape the container agent, IMDS and `credential_process` answer:
  /// `AccessKeyId`, `SecretAccessKey`, `Token` or `SessionToken`, `Expiration` (ISO 8601).
  static func fromJSON(_ body: JSON, document: String, principal: String) throws(DocumentError) -> AWSSession {
    let keyID = try body.string("AccessKeyId", in: document)
    let secret = try body.string("SecretAccessKey", in: document)
    guard !keyID.isEmpty, !secret.isEmpty else {
      throw DocumentError(document: document, problem: "has an empty AccessKeyId or SecretAccessKey")
    }
    let token = (body["Token"] ?? body["SessionToken"])?.stringValue
    var expiresAt: UnixTime?
    if let text = body["Expiration"]?.stringValue {
      guard let parsed = RFC3339.parse(text) else {
        throw DocumentError(document: document, problem: "has an Expiration '\(text)' that is not an ISO 8601 time")
      }
      expiresAt = parsed
    }
    let credentials = AWSCredentials(
      accessKeyID: keyID, secretAccessKey: Secret(secret), sessionToken: token.flatMap { $0.isEmpty ? nil : Secret($0) }
    )
    return AWSSession(credentials: credentials, expiresAt: expiresAt, principal: principal)
  }
}
