/// What `indexkey doctor` found: the identity, the variables, each index's exchange, the
/// outputs and the traps.
///
/// Holds names and decoded claims only, never a token or secret.
package struct DoctorReport: Sendable {
  /// How the CI identity was chosen and what it is.
  package struct Identity: Sendable {
    /// `auto` or the `--identity` value.
    package var chosenBy: String
    /// The CI or runtime ("GitHub Actions"), nil when none was recognised.
    package var detected: String?
    /// Why ("GITHUB_ACTIONS=true").
    package var evidence: String?
    /// The source's name when it could be built.
    package var source: String?
    /// Why it could not be built.
    package var error: String?
    /// Whether any index asked about needs a CI token (false on a laptop whose indexes are
    /// served by other links): the error is then only information.
    package var needed = true
  }

  /// The decoded parts of a token fetched for one exchange.
  package struct Token: Sendable {
    package var issuer: String?
    package var subject: String?
    package var audiences: [String]
    package var expiresIn: Double?
  }

  package struct Index: Sendable {
    package var given: String
    package var registry: String?
    package var install: String?
    package var upload: String?
    package var steps: [String] = []
    /// The registry's credential chain: which link answers, why each before it was skipped.
    package var chain: ChainTrace?
    package var audience: String?
    package var identity: String?
    package var token: Token?
    package var username: String?
    /// Why this index cannot be served (unrecognised URL, missing setting, no token).
    package var error: String?
  }

  package struct Output: Sendable {
    package var sink: String
    package var destination: String
    package var summary: String
  }

  package var identity: Identity
  package var variablesSet: [String]
  package var variablesMissing: [String]
  package var indexes: [Index]
  package var outputs: [Output]
  package var outputError: String?
  package var findings: [DoctorFinding]

  /// 0 when nothing is wrong; else the exit code `login` would most likely fail with.
  package var exitStatus: ExitStatus {
    findings.filter { $0.severity == .problem }.map(\.exitStatus).max() ?? .ok
  }

  /// The report for people.
  package var text: String {
    var lines: [String] = ["Identity"]
    if let detected = identity.detected {
      lines.append("  \(detected)" + (identity.evidence.map { ", detected from \($0)" } ?? "") + ".")
    } else if identity.chosenBy == "auto" {
      lines.append("  No CI or runtime was recognised.")
    }
    if identity.chosenBy != "auto" { lines.append("  Chosen with --identity \(identity.chosenBy).") }
    if let source = identity.source { lines.append("  Tokens come from \(source).") }
    if let error = identity.error {
      lines.append(identity.needed ? "  No token can be had: \(error)" : "  No index here needs a CI token.")
    }
    lines += ["", "Variables (names only)"]
    lines.append("  set:     " + (variablesSet.isEmpty ? "(none)" : variablesSet.joined(separator: ", ")))
    lines.append("  not set: " + (variablesMissing.isEmpty ? "(none)" : variablesMissing.joined(separator: ", ")))
    for index in indexes {
      lines += ["", "Index \(index.given)"]
      func row(_ name: String, _ value: String?) {
        if let value { lines.append("  " + name.padded(to: 10) + value) }
      }
      row("registry", index.registry)
      row("install", index.install)
      row("upload", index.upload)
      if let chain = index.chain {
        row("chain", "\(chain.cloud)" + (chain.forcedBy.map { ", chosen by \($0)" } ?? ""))
        for line in chain.lines { lines.append("    " + line) }
      }
      for step in index.steps { row("exchange", step) }
      if let audience = index.audience {
        row("token", "\(index.identity ?? "the CI"), audience '\(audience)'")
      } else if index.registry != nil && index.error == nil {
        row("token", "no CI token is used")
      }
      if let token = index.token {
        let expiry =
          token.expiresIn.map {
            $0 > 0 ? " (expires in \(describeDuration($0)))" : " (expired \(describeDuration(-$0)) ago)"
          } ?? ""
        row("subject", token.subject ?? "(none)")
        row("presents", "iss '\(token.issuer ?? "")', aud '\(token.audiences.joined(separator: ", "))'\(expiry)")
      }
      row("username", index.username)
      row("error", index.error)
    }
    lines += ["", "Outputs"]
    if outputs.isEmpty && outputError == nil { lines.append("  nothing would be written (choose with --write)") }
    for output in outputs { lines.append("  \(output.sink) → \(output.destination): \(output.summary)") }
    if let outputError { lines.append("  error: \(outputError)") }
    lines += ["", "Checks"]
    if findings.isEmpty { lines.append("  (nothing to check)") }
    for finding in findings { lines.append("  " + finding.severity.rawValue.padded(to: 8) + finding.message) }
    return lines.joined(separator: "\n")
  }

  /// The report as one JSON object (`--json`).
  package var json: JSON {
    func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    let identityJSON: JSON = .object([
      ("chosen_by", .string(identity.chosenBy)), ("detected", optional(identity.detected)),
      ("evidence", optional(identity.evidence)), ("source", optional(identity.source)),
      ("error", optional(identity.needed ? identity.error : nil)), ("needed", .bool(identity.needed)),
    ])
    let indexJSON: [JSON] = indexes.map { index in
      let token: JSON =
        index.token.map { t in
          .object([
            ("iss", optional(t.issuer)), ("sub", optional(t.subject)), ("aud", .array(t.audiences.map { .string($0) })),
            ("expires_in_seconds", t.expiresIn.map { .integer(Int64(saturatingInt($0, .down))) } ?? .null),
          ])
        } ?? .null
      return .object([
        ("url", .string(index.given)), ("registry", optional(index.registry)), ("install", optional(index.install)),
        ("upload", optional(index.upload)), ("chain", index.chain.map(Self.chainJSON) ?? .null),
        ("exchange", .array(index.steps.map { .string($0) })),
        ("audience", optional(index.audience)), ("identity", optional(index.identity)), ("token", token),
        ("username", optional(index.username)), ("error", optional(index.error)),
      ])
    }
    return .object([
      ("identity", identityJSON),
      (
        "variables",
        .object([
          ("set", .array(variablesSet.map { .string($0) })), ("not_set", .array(variablesMissing.map { .string($0) })),
        ])
      ),
      ("indexes", .array(indexJSON)),
      (
        "outputs",
        .array(
          outputs.map {
            .object([
              ("sink", .string($0.sink)), ("destination", .string($0.destination)), ("summary", .string($0.summary)),
            ])
          })
      ),
      ("output_error", optional(outputError)),
      (
        "checks",
        .array(
          findings.map { .object([("severity", .string($0.severity.rawValue)), ("message", .string($0.message))]) })
      ),
      ("exit_status", .integer(Int64(exitStatus.rawValue))),
    ])
  }

  /// `{"cloud", "forced_by", "links": [{"name", "state", "reason"}]}`.
  static func chainJSON(_ chain: ChainTrace) -> JSON {
    let links: [JSON] = chain.steps.map { step in
      let (state, reason): (String, String?) =
        switch step.state {
        case .answers(let why): ("answers", why)
        case .skipped(let why): ("skipped", why)
        case .byTrying(let why): ("by-trying", why)
        case .notTried: ("not-tried", nil)
        }
      return .object([
        ("name", .string(step.link)), ("state", .string(state)), ("reason", reason.map { .string($0) } ?? .null),
      ])
    }
    return .object([
      ("cloud", .string(chain.cloud)), ("forced_by", chain.forcedBy.map { .string($0) } ?? .null),
      ("links", .array(links)),
    ])
  }
}
