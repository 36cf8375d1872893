/// A Google workload identity pool provider, by its full resource name.
///
/// `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`:
/// the project **number** and the **provider** (not the pool) — the two usual mistakes,
/// both caught here with a sentence saying what to give instead (PROTOCOLS.md §5a).
package struct WorkloadIdentityProvider: Sendable, Equatable {
  package var projectNumber: String
  package var location: String
  package var pool: String
  package var provider: String

  package init(projectNumber: String, location: String = "global", pool: String, provider: String) {
    self.projectNumber = projectNumber
    self.location = location
    self.pool = pool
    self.provider = provider
  }

  /// The resource name without any host prefix.
  package var resource: String {
    "projects/\(projectNumber)/locations/\(location)/workloadIdentityPools/\(pool)/providers/\(provider)"
  }

  /// The STS `audience` field: `//iam.googleapis.com/projects/…/providers/…`.
  package var stsAudience: String { "//iam.googleapis.com/" + resource }

  /// The audience the provider accepts on CI tokens by default: `https://iam.googleapis.com/projects/…`.
  package var defaultTokenAudience: String { "https://iam.googleapis.com/" + resource }

  /// The pool's resource name, for `principalSet://` members.
  package var poolResource: String {
    "projects/\(projectNumber)/locations/\(location)/workloadIdentityPools/\(pool)"
  }

  static let shape = "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"

  /// Parses a resource name, with or without `//iam.googleapis.com/` or `https://iam.googleapis.com/`.
  ///
  /// The one check of provider names: `login`'s flag, doctor's look at variables and files,
  /// and the explanation of an STS refusal all go through it.
  /// - Parameters:
  ///   - text: the resource name to parse.
  ///   - what: names the input in errors ("--gcp-workload-identity-provider").
  /// - Throws: ``ConfigError`` when `text` is not a workload identity provider's name.
  package init(parsing text: String, what: String) throws(ConfigError) {
    var name = Substring(text.trimmingSpaces)
    for prefix in ["//iam.googleapis.com/", "https://iam.googleapis.com/"] where name.hasPrefix(prefix) {
      name = name.dropFirst(prefix.count)
    }
    if name.hasSuffix("/") { name = name.dropLast() }
    let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let labels = ["projects", "locations", "workloadIdentityPools", "providers"]
    guard parts.count >= 6, parts[0] == labels[0], parts[2] == labels[1], parts[4] == labels[2], !parts[1].isEmpty
    else {
      throw ConfigError("\(what) '\(text)' is not a workload identity provider name; expected \(Self.shape).")
    }
    guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw ConfigError(
        "\(what) '\(text)' names the project by its ID '\(parts[1])', but the project NUMBER is required: find it with gcloud projects describe \(parts[1]) --format='value(projectNumber)' and give projects/NUMBER/…."
      )
    }
    guard parts[3] == "global" else {
      throw ConfigError(
        "\(what) '\(text)' names the location '\(parts[3])'; workload identity pools are always in 'global'.")
    }
    if parts.count == 6 && !parts[5].isEmpty {
      throw ConfigError(
        "\(what) '\(text)' names the pool '\(parts[5])', not a provider: add the provider, \(name)/providers/PROVIDER (gcloud iam workload-identity-pools providers list --workload-identity-pool=\(parts[5]) --location=global --project=\(parts[1]))."
      )
    }
    guard parts.count == 8, parts[6] == labels[3], parts.allSatisfy({ !$0.isEmpty }) else {
      throw ConfigError("\(what) '\(text)' is not a workload identity provider name; expected \(Self.shape).")
    }
    self.init(projectNumber: parts[1], location: parts[3], pool: parts[5], provider: parts[7])
  }

  /// What is wrong with `text` as a provider name (a sentence naming it as `what`), or nil.
  package static func problem(_ text: String, what: String) -> String? {
    do {
      _ = try WorkloadIdentityProvider(parsing: text, what: what)
      return nil
    } catch {
      return error.message
    }
  }

  /// The provider named by an STS audience, if it is one (for messages).
  package static func fromAudience(_ audience: String) -> WorkloadIdentityProvider? {
    try? WorkloadIdentityProvider(parsing: audience, what: "audience")
  }
}
