/// A Google `external_account` credential configuration, as `gcloud iam
/// workload-identity-pools create-cred-config` writes it (PROTOCOLS.md §5c).
///
/// Parsing checks every field it uses and names the file and the field in each error.
/// It does not judge the hosts: ``stsEndpoint(override:)`` and
/// ``impersonationEndpoint(override:)`` refuse non-Google hosts unless the user
/// overrode the endpoint explicitly, so a file alone can never send a CI token elsewhere.
package struct ExternalAccount: Sendable {
  /// Where the file is, for messages.
  package var path: String
  package var audience: String
  package var subjectTokenType: String
  package var tokenURL: WebURL
  package var impersonationURL: WebURL?
  /// `service_account_impersonation.token_lifetime_seconds`.
  package var tokenLifetime: Int?
  package var source: Source
  package var client: OAuthClient?
  package var workforcePoolUserProject: String?

  /// How a subject token is formatted in a file or URL answer.
  package enum Format: Sendable, Equatable {
    case text
    case json(field: String)
  }

  /// `credential_source`: where the subject token comes from.
  package enum Source: Sendable {
    case file(path: String, format: Format)
    case url(WebURL, headers: [(name: String, value: Secret)], format: Format)
    case executable(Executable)
  }

  /// `credential_source.executable`.
  package struct Executable: Sendable, Equatable {
    /// The command split on whitespace, as google-auth does.
    package var command: [String]
    /// Seconds (5–120, default 30).
    package var timeout: Double
    package var outputFile: String?
  }

  package static let subjectTokenTypes = [
    "urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:saml2",
  ]

  /// Checks the parsed file; `path` names it in errors, `environment` says whether
  /// executables are allowed.
  package init(json: JSON, path: String, environment: Environment) throws(ConfigError) {
    let file = ConfigFile(path: path, kind: "external_account")
    self.path = path
    audience = try file.string(json, "audience")
    subjectTokenType = try file.string(json, "subject_token_type")
    guard Self.subjectTokenTypes.contains(subjectTokenType) else {
      throw file.error(
        "has subject_token_type '\(subjectTokenType)'; indexkey exchanges OIDC and SAML tokens (\(Self.subjectTokenTypes.joined(separator: ", ")))"
      )
    }
    tokenURL = try file.url(json, "token_url")
    impersonationURL = try json["service_account_impersonation_url"].map { _ throws(ConfigError) in
      try file.url(json, "service_account_impersonation_url")
    }
    if let options = json["service_account_impersonation"] {
      guard case .object = options else {
        throw file.error("has service_account_impersonation as \(options.typeName), expected an object")
      }
      if let value = options["token_lifetime_seconds"] {
        guard let seconds = value.intValue, (600...43200).contains(seconds) else {
          throw file.error(
            "has service_account_impersonation.token_lifetime_seconds \(value.serialized()); give seconds from 600 to 43200"
          )
        }
        tokenLifetime = Int(seconds)
      }
    }
    if let id = json["client_id"]?.stringValue, !id.isEmpty {
      client = OAuthClient(id: id, secret: Secret(json["client_secret"]?.stringValue ?? ""))
    }
    workforcePoolUserProject = json["workforce_pool_user_project"]?.stringValue
    guard let sourceJSON = json["credential_source"] else { throw file.error("has no \"credential_source\" field") }
    source = try Self.source(sourceJSON, file: file, environment: environment)
    if case .executable = source, !environment.flag("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES") {
      throw file.error(
        "runs a program for its token (credential_source.executable), which is only allowed when GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 is set; set it if you trust this file"
      )
    }
  }

  /// The service account the impersonation URL names.
  package var impersonatedAccount: String? {
    impersonationURL.flatMap(GoogleImpersonation.serviceAccount(in:))
  }

  /// The STS token URL to use: the explicit override, else the file's `token_url` if it is a Google API host.
  package func stsEndpoint(override: WebURL?) throws(ConfigError) -> WebURL {
    if let override { return override }
    guard GoogleHosts.isGoogleAPI(tokenURL) else {
      throw ConfigFile(path: path, kind: "external_account").error(
        "has token_url '\(tokenURL)', which is not a Google API host (https://*.googleapis.com); indexkey will not send a CI token there on a file's say-so. If this endpoint is intended (a private endpoint or an emulator), pass it explicitly with --gcp-sts-endpoint"
      )
    }
    return tokenURL
  }

  /// The impersonation URL to use: the file's, with its origin replaced by an explicit override,
  /// else only if it is on a Google API host.
  package func impersonationEndpoint(override: WebURL?) throws(ConfigError) -> WebURL? {
    guard let url = impersonationURL else { return nil }
    let file = ConfigFile(path: path, kind: "external_account")
    guard let account = impersonatedAccount else {
      throw file.error(
        "has service_account_impersonation_url '\(url)', which does not end in /serviceAccounts/EMAIL:generateAccessToken"
      )
    }
    if let override { return GoogleImpersonation.url(base: override, serviceAccount: account) }
    guard GoogleHosts.isGoogleAPI(url) else {
      throw file.error(
        "has service_account_impersonation_url '\(url)', which is not a Google API host (https://*.googleapis.com); indexkey will not send a Google token there on a file's say-so. If this endpoint is intended, pass it explicitly with --gcp-iam-credentials-endpoint"
      )
    }
    return url
  }

  private static func source(_ json: JSON, file: ConfigFile, environment: Environment) throws(ConfigError) -> Source {
    guard case .object = json else { throw file.error("has credential_source as \(json.typeName), expected an object") }
    let format = try Self.format(json, file: file)
    if json["file"] != nil {
      return .file(path: try file.string(json, "file", in: "credential_source"), format: format)
    }
    if json["url"] != nil {
      let url = try file.url(json, "url", in: "credential_source", metadata: true)
      var headers: [(name: String, value: Secret)] = []
      if let h = json["headers"] {
        guard let members = h.objectValue else {
          throw file.error("has credential_source.headers as \(h.typeName), expected an object")
        }
        for (name, value) in members {
          guard let text = value.stringValue else {
            throw file.error("has credential_source.headers.\(name) as \(value.typeName), expected a string")
          }
          headers.append((name, Secret(text)))
        }
      }
      return .url(url, headers: headers, format: format)
    }
    if let executable = json["executable"] {
      return .executable(try Self.executable(executable, file: file))
    }
    if let id = json["environment_id"]?.stringValue {
      throw file.error(
        "has credential_source.environment_id '\(id)' (AWS-sourced credentials); indexkey exchanges CI OIDC tokens: use a file, url or executable credential_source"
      )
    }
    if json["certificate"] != nil {
      throw file.error(
        "has a credential_source.certificate (X.509 workload identity), which indexkey does not support; use a file, url or executable credential_source"
      )
    }
    let keys = json.objectValue?.map(\.0).joined(separator: ", ") ?? ""
    throw file.error(
      "has a credential_source with none of \"file\", \"url\" or \"executable\" (it has: \(keys.isEmpty ? "nothing" : keys))"
    )
  }

  private static func format(_ json: JSON, file: ConfigFile) throws(ConfigError) -> Format {
    guard let format = json["format"] else { return .text }
    let type = format["type"]?.stringValue ?? "text"
    switch type {
    case "text": return .text
    case "json":
      guard let field = format["subject_token_field_name"]?.stringValue, !field.isEmpty else {
        throw file.error("has credential_source.format.type \"json\" without subject_token_field_name")
      }
      return .json(field: field)
    default:
      throw file.error("has credential_source.format.type '\(type)'; use \"text\" or \"json\"")
    }
  }

  private static func executable(_ json: JSON, file: ConfigFile) throws(ConfigError) -> Executable {
    let command = try file.string(json, "command", in: "credential_source.executable")
    let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let program = words.first, program.hasPrefix("/") else {
      throw file.error(
        "has credential_source.executable.command '\(command)'; it must start with the program's absolute path")
    }
    var timeout = 30.0
    if let value = json["timeout_millis"] {
      guard let millis = value.intValue, (5000...120_000).contains(millis) else {
        throw file.error("has credential_source.executable.timeout_millis \(value.serialized()); give 5000 to 120000")
      }
      timeout = Double(millis) / 1000
    }
    let output = json["output_file"]?.stringValue
    return Executable(command: words, timeout: timeout, outputFile: output?.isEmpty == true ? nil : output)
  }
}

/// Reads fields of a JSON configuration file; every error names the file and the field.
struct ConfigFile {
  var path: String
  /// What kind of file, in messages ("external_account", "service account key").
  var kind: String

  func error(_ problem: String) -> ConfigError {
    ConfigError("The \(kind) file \(path) \(problem).")
  }

  func string(_ json: JSON, _ field: String, in parent: String? = nil) throws(ConfigError) -> String {
    let name = parent.map { "\($0).\(field)" } ?? field
    guard let value = json[field] else { throw error("has no \"\(name)\" field") }
    guard let text = value.stringValue else { throw error("has \"\(name)\" as \(value.typeName), expected a string") }
    guard !text.trimmingSpaces.isEmpty else { throw error("has an empty \"\(name)\"") }
    return text
  }

  /// - Parameter metadata: also accept plain http to the link-local metadata address
  ///   (`169.254.169.254`), as `credential_source.url` names Azure's IMDS: nothing secret
  ///   is sent there, a token comes back.
  /// The link-local address of the cloud metadata servers (Azure IMDS, Google, AWS).
  static let linkLocalMetadataHost = "169.254.169.254"

  func url(_ json: JSON, _ field: String, in parent: String? = nil, metadata: Bool = false) throws(ConfigError)
    -> WebURL
  {
    let name = parent.map { "\($0).\(field)" } ?? field
    let text = try string(json, field, in: parent)
    let url: WebURL
    do {
      url = try WebURL(text, what: "\"\(name)\"")
      if !(metadata && url.scheme == "http" && url.host == Self.linkLocalMetadataHost) {
        try url.requireSecureTransport("\"\(name)\"")
      }
    } catch {
      throw self.error("has an unusable \"\(name)\": \(error.message)")
    }
    return url
  }
}
