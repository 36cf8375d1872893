/// A Google workload identity pool provider, by its full resource name.
///
/// `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`:
/// the project **number** and the **provider** (not the pool) — the two usual mistakes,
/// both caught here with a sentence saying what to give instead (PROTOCOLS.md §5a).
public struct WorkloadIdentityProvider: Sendable, Equatable {
  public var projectNumber: String
  public var location: String
  public var pool: String
  public var provider: String

  public init(projectNumber: String, location: String = "global", pool: String, provider: String) {
    self.projectNumber = projectNumber
    self.location = location
    self.pool = pool
    self.provider = provider
  }

  /// The resource name without any host prefix.
  public var resource: String {
    "projects/\(projectNumber)/locations/\(location)/workloadIdentityPools/\(pool)/providers/\(provider)"
  }

  /// The STS `audience` field: `//iam.googleapis.com/projects/…/providers/…`.
  public var stsAudience: String { "//iam.googleapis.com/" + resource }

  /// The audience the provider accepts on CI tokens by default: `https://iam.googleapis.com/projects/…`.
  public var defaultTokenAudience: String { "https://iam.googleapis.com/" + resource }

  /// The pool's resource name, for `principalSet://` members.
  public var poolResource: String {
    "projects/\(projectNumber)/locations/\(location)/workloadIdentityPools/\(pool)"
  }

  static let shape = "projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"

  /// Parses a resource name, with or without `//iam.googleapis.com/` or `https://iam.googleapis.com/`.
  /// - Parameter what: names the input in errors ("--gcp-workload-identity-provider").
  public init(parsing text: String, what: String) throws(ConfigError) {
    var name = Substring(text.trimmingSpaces)
    for prefix in ["//iam.googleapis.com/", "https://iam.googleapis.com/"] where name.hasPrefix(prefix) {
      name = name.dropFirst(prefix.count)
    }
    let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let labels = ["projects", "locations", "workloadIdentityPools", "providers"]
    let looksRight = parts.count >= 6 && parts[0] == labels[0] && parts[2] == labels[1] && parts[4] == labels[2]
    if looksRight && parts.count == 6 {
      throw ConfigError(
        "\(what) '\(text)' names a workload identity pool, not a provider; add the provider: \(name)/providers/PROVIDER (gcloud iam workload-identity-pools providers list --workload-identity-pool=\(parts[5]) --location=\(parts[3]))."
      )
    }
    guard looksRight, parts.count == 8, parts[6] == labels[3], parts.allSatisfy({ !$0.isEmpty }) else {
      throw ConfigError("\(what) '\(text)' is not a workload identity provider name; expected \(Self.shape).")
    }
    guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw ConfigError(
        "\(what) '\(text)' uses the project ID '\(parts[1])'; provider names need the project number: find it with gcloud projects describe \(parts[1]) --format='value(projectNumber)' and give projects/NUMBER/….")
    }
    self.init(projectNumber: parts[1], location: parts[3], pool: parts[5], provider: parts[7])
  }

  /// The provider named by an STS audience, if it is one (for messages).
  public static func fromAudience(_ audience: String) -> WorkloadIdentityProvider? {
    try? WorkloadIdentityProvider(parsing: audience, what: "audience")
  }
}
