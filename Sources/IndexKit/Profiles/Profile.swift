/// One indexkey profile of an acct file: the index URL(s) it logs in to and the settings
/// that flags and environment variables give otherwise, spelled as the variables are, in
/// lower case (`azure_client_id`, `azure_client_secret`, `aws_access_key_id`, …).
package struct Profile: Sendable, Equatable {
  package var name: String
  package var indexURLs: [String]
  /// The settings as environment variables (`AZURE_CLIENT_ID`), in file order.
  package var variables: [Variable]

  package struct Variable: Sendable, Equatable {
    package var name: String
    package var value: Secret
    /// Masked in CI logs first, never shown (passwords, tokens, keys, client secrets).
    package var isSecret: Bool
  }

  /// The values to register with the CI's masker before anything is printed.
  package var secrets: [String] { variables.filter(\.isSecret).map(\.value.revealed) }

  static let urlKey = "index_url"
  static let secretMarkers = ["secret", "password", "token", "pat", "private", "credentials", "key", "username"]

  /// Whether a setting holds a secret: its name says so (`…_secret`, `…_token`, `…_password`,
  /// `…_pat`, `…credentials`, `…_key`), except identifiers (`…_id`) and paths (`…_file`, `…_path`).
  static func isSecret(_ key: String) -> Bool {
    if key.hasSuffix("_id") || key.hasSuffix("_file") || key.hasSuffix("_path") || key.hasSuffix("_url") {
      return false
    }
    let words = key.split(separator: "_").map(String.init)
    return secretMarkers.contains { marker in
      words.contains(marker) || (marker == "credentials" && key.hasSuffix(marker))
    }
  }

  /// Reads a profile's mapping.
  ///
  /// Errors complete "The profile 'NAME' …".
  init(name: String, settings: JSON) throws(ProfileError) {
    guard let members = settings.objectValue else {
      throw ProfileError("is \(settings.typeName), not a mapping of settings (key: value)")
    }
    self.name = name
    indexURLs = []
    variables = []
    for (key, value) in members {
      guard !key.isEmpty, key.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }) else {
        throw ProfileError(
          "has the setting '\(key)'; settings are spelled as their environment variables in lower case (azure_client_id for AZURE_CLIENT_ID)"
        )
      }
      if key == Self.urlKey {
        indexURLs = try Self.urls(value)
        continue
      }
      guard let text = try Self.text(key, value) else { continue }
      variables.append(Variable(name: key.uppercased(), value: Secret(text), isSecret: Self.isSecret(key)))
    }
  }

  private static func urls(_ value: JSON) throws(ProfileError) -> [String] {
    switch value {
    case .string(let url): return [url]
    case .array(let items):
      var urls: [String] = []
      for item in items {
        guard let url = item.stringValue else {
          throw ProfileError("has an index_url list with \(item.typeName) in it; list URLs only")
        }
        urls.append(url)
      }
      return urls
    default:
      throw ProfileError("has an index_url that is \(value.typeName); give a URL or a list of URLs")
    }
  }

  /// A setting's value as the environment variable's text; nil for an empty (null) setting.
  ///
  /// `google_application_credentials` may hold the JSON document itself, as text or as a mapping.
  private static func text(_ key: String, _ value: JSON) throws(ProfileError) -> String? {
    switch value {
    case .null: return nil
    case .string(let s): return s
    case .integer(let n): return String(n)
    case .bool(let b): return b ? "true" : "false"
    case .double(let d): return "\(d)"
    case .object where key == "google_application_credentials": return value.serialized()
    case .object, .array:
      throw ProfileError(
        "has \(value.typeName) as the value of '\(key)'; a setting is one value, as its environment variable is")
    }
  }

  /// The environment with this profile's settings laid over it (the profile wins).
  func overlay(on environment: Environment) -> Environment {
    var copy = environment
    for variable in variables { copy.values[variable.name] = variable.value.revealed }
    return copy
  }
}

/// The `indexkey` profiles of an acct file's data (`PROVIDER: {PROFILE: {key: value}}`);
/// other providers' profiles are left alone.
package struct ProfileBook: Sendable {
  package static let provider = "indexkey"
  package var profiles: [Profile]

  /// Errors complete "The profile file X …".
  package init(data: JSON) throws(ProfileError) {
    guard let providers = data.objectValue else {
      throw ProfileError("holds \(data.typeName), not a mapping of providers (indexkey: {PROFILE: {index_url: …}})")
    }
    guard let mine = data[Self.provider] else {
      let others = providers.map(\.0)
      throw ProfileError(
        "has no '\(Self.provider)' profiles\(others.isEmpty ? "" : " (it has \(others.joined(separator: ", ")))"); add indexkey: {PROFILE: {index_url: …}}"
      )
    }
    guard let entries = mine.objectValue else {
      throw ProfileError("has '\(Self.provider)' as \(mine.typeName), not a mapping of profile names to settings")
    }
    var profiles: [Profile] = []
    for (name, settings) in entries {
      do { profiles.append(try Profile(name: name, settings: settings)) } catch {
        throw error.about("has a profile '\(name)' that")
      }
    }
    self.profiles = profiles
  }

  /// The profile named `name`; the error lists the names there are.
  package func named(_ name: String, file: String) throws(ProfileError) -> Profile {
    guard let found = profiles.first(where: { $0.name == name }) else {
      let known = profiles.map(\.name)
      throw ProfileError(
        "The profile file \(file) has no indexkey profile '\(name)'; \(known.isEmpty ? "it has none" : "it has: \(known.joined(separator: ", "))")."
      )
    }
    return found
  }
}
