/// The environment variables that point Python packaging clients at the credentials.
///
/// The first index becomes `PIP_INDEX_URL`; further ones `PIP_EXTRA_INDEX_URL`
/// (space-separated, as pip splits it). Variable-style sinks (GitHub env, shell) format
/// this same list, so they always agree.
public enum ClientVariables {
  public static func build(_ credentials: [Credential]) -> [(name: String, value: SecretText)] {
    let credentials = credentials.filter(\.index.installable)
    guard let first = credentials.first else { return [] }
    var out: [(String, SecretText)] = [("PIP_INDEX_URL", url(first))]
    let extras = credentials.dropFirst().map(url)
    if !extras.isEmpty {
      out.append(("PIP_EXTRA_INDEX_URL", extras.dropFirst().reduce(extras[extras.startIndex]) { "\($0) \($1)" }))
    }
    return out
  }

  /// The install URL with percent-encoded credentials.
  static func url(_ credential: Credential) -> SecretText {
    credential.index.simpleURL.withCredentials(username: credential.username, password: credential.password)
  }
}
