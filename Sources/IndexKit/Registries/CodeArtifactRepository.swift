/// Where a CodeArtifact repository lives, read from its host name
/// `DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com` (PROTOCOLS.md §6b).
package struct CodeArtifactRepository: Sendable, Equatable {
  package var domain: String
  /// The 12-digit account that owns the domain.
  package var owner: String
  package var region: String
  package var repository: String

  package init(domain: String, owner: String, region: String, repository: String) {
    self.domain = domain
    self.owner = owner
    self.region = region
    self.repository = repository
  }

  /// Domain, owner and region from a CodeArtifact host; nil for any other host.
  ///
  /// The domain may contain `-`: the owner is the last 12 digits.
  package static func parse(host: String) -> (domain: String, owner: String, region: String)? {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    let tail = labels.count == 7 ? Array(labels[4...]) : labels.count == 6 ? Array(labels[4...]) : []
    guard tail == ["amazonaws", "com"] || tail == ["amazonaws", "com", "cn"], labels[1] == "d",
      labels[2] == "codeartifact",
      !labels[3].isEmpty
    else { return nil }
    let prefix = labels[0]
    guard prefix.count > 13, let dash = prefix.index(prefix.endIndex, offsetBy: -13, limitedBy: prefix.startIndex),
      prefix[dash] == "-"
    else { return nil }
    let owner = prefix[prefix.index(after: dash)...]
    guard owner.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return (String(prefix[..<dash]), String(owner), labels[3])
  }

  /// `amazonaws.com`, or `amazonaws.com.cn` in the China regions.
  static func dnsSuffix(region: String) -> String {
    region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
  }
}
