/// Registers secrets with the CI's log masker.
///
/// Runs before anything is written.
///
/// - GitHub Actions: `::add-mask::` on stderr (the runner reads both streams; stdout may be
///   captured by `eval "$(…)"`), FORMATS.md §1.5; on stdout as well when stdout is the job
///   log itself (``CILog``), since the two pipes are read independently.
/// - Azure Pipelines: `##vso[task.setsecret]` on stderr (the agent reads both streams), §3.1.
/// - GitLab CI has no runtime masking (§2.2): nothing is printed, so nothing secret is either.
package enum CIMasker: Sendable, Equatable {
  case github
  case azure
  case gitlab
  case none

  /// The masker of this CI.
  package init(_ ci: CIEnvironment) {
    switch ci.kind {
    case .github: self = .github
    case .azurePipelines: self = .azure
    case .gitlab: self = .gitlab
    case .buildkite, .circleci, .bitbucket, nil: self = .none
    }
  }

  /// The masker of the CI `environment` is in.
  package static func detect(_ environment: Environment) -> CIMasker {
    CIMasker(CIEnvironment.detect(environment))
  }

  /// Emits the mask commands for every value (and, for multi-line values, every line).
  package func mask(_ values: [String], console: Console) {
    guard self == .github || self == .azure else { return }
    let inBand = !values.isEmpty && console.stdoutIsLog()
    var seen: Set<String> = []
    for value in values {
      var forms = [value]
      if value.contains(where: \.isNewline) {
        forms += value.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
      }
      for form in forms where !form.trimmingSpaces.isEmpty && seen.insert(form).inserted {
        let line =
          switch self {
          case .github: "::add-mask::\(Self.escapeGitHub(form))"
          case .azure: "##vso[task.setsecret]\(AzureLogging.escapeData(form))"
          case .gitlab, .none: ""
          }
        if inBand { console.out(line) }  // stdout is the log: in order with what follows
        console.err(line)
      }
    }
  }

  /// `%`→`%25`, CR→`%0D`, LF→`%0A` (the runner unescapes in reverse).
  static func escapeGitHub(_ value: String) -> String {
    escapeScalars(value, ["%": "%25", "\r": "%0D", "\n": "%0A"])
  }
}

/// Replaces single Unicode scalars.
///
/// `String.replacing` works on characters, where CR LF is one character that
/// neither "\r" nor "\n" matches.
func escapeScalars(_ value: String, _ table: [Unicode.Scalar: String]) -> String {
  var out = ""
  for scalar in value.unicodeScalars {
    if let replacement = table[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
  }
  return out
}

extension Credential {
  /// The password in every form a sink or a client may write or log: raw, percent-encoded
  /// (as in a URL), JSON-escaped (as in `--json`), and the base64 of `username:password`
  /// (an HTTP Basic `Authorization` header).
  ///
  /// All of them are masked before any output.
  package var secretForms: [String] {
    let raw = password.revealed
    guard !raw.isEmpty else { return [] }
    var forms = [raw, PercentEncoding.encode(raw), JSONText.escapedContent(raw)]
    if usernameIsSecret && !username.isEmpty {
      forms += [username, PercentEncoding.encode(username), JSONText.escapedContent(username)]
    }
    forms += basicAuthorization.secretParts
    var seen: Set<String> = []
    return forms.filter { seen.insert($0).inserted }
  }

  /// The username as sinks embed it: a secret part when it came from a secret source.
  package var usernameText: SecretText {
    usernameIsSecret ? "\(secret: username)" : SecretText(plain: username)
  }

  /// The username as reports show it: `***` when it came from a secret source.
  package var shownUsername: String { usernameIsSecret ? "***" : username }

  /// `Basic <base64(username:password)>`, the base64 kept as a secret part.
  package var basicAuthorization: SecretText {
    "Basic \(secret: Base64.encode(Array("\(username):\(password.revealed)".utf8)))"
  }
}

/// JSON string escaping as jansson writes it, for masking and placeholders.
enum JSONText {
  /// The escaped text between the quotes of a JSON string.
  static func escapedContent(_ value: String) -> String {
    let quoted = JSON.string(value).serialized()
    guard quoted.count >= 2 else { return value }
    return String(quoted.dropFirst().dropLast())
  }
}
