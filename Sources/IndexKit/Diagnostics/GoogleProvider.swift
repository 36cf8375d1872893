/// Workload identity provider names for Google (`//iam.googleapis.com/projects/N/locations/
/// global/workloadIdentityPools/P/providers/X`): the two classic mistakes are giving the pool
/// and giving the project ID where the project number is required.
public enum GoogleProvider {
  /// What is wrong with `value` as a provider name, or nil when it is well-formed.
  public static func problem(_ value: String) -> String? {
    var path = value.trimmingSpaces
    for prefix in ["https://iam.googleapis.com/", "//iam.googleapis.com/"] where path.hasPrefix(prefix) {
      path.removeFirst(prefix.count)
    }
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let expected =
      "expected //iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"
    guard parts.count >= 6, parts[0] == "projects", parts[2] == "locations", parts[4] == "workloadIdentityPools" else {
      return "'\(value)' is not a workload identity provider name; \(expected)."
    }
    let project = parts[1]
    if !project.isEmpty, !project.allSatisfy(\.isNumber) {
      return "'\(value)' names the project by its ID '\(project)', but the project NUMBER is required (`gcloud projects describe \(project) --format='value(projectNumber)'`)."
    }
    if parts[3] != "global" {
      return "'\(value)' names the location '\(parts[3])'; workload identity pools are always in 'global'."
    }
    if parts.count == 6 || (parts.count == 7 && parts[6].isEmpty) {
      return "'\(value)' names the pool '\(parts[5])', not a provider: append /providers/PROVIDER_ID (`gcloud iam workload-identity-pools providers list --workload-identity-pool=\(parts[5]) --location=global --project=\(project)`)."
    }
    guard parts.count == 8, parts[6] == "providers", !parts[7].isEmpty, !parts[5].isEmpty, !project.isEmpty else {
      return "'\(value)' is not a workload identity provider name; \(expected)."
    }
    return nil
  }
}
