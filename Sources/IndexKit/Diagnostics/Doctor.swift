/// `indexkey doctor [URL...]`: what `login` would do with these options here, and the known
/// traps, checked before any exchange.
///
/// Tokens are fetched (to show the subject each exchange would present) unless `fetchTokens`
/// is false, but never shown; no exchange is made and nothing is written.
package enum Doctor {
  package static func examine(_ options: LoginOptions, fetchTokens: Bool = true, in context: Context) -> DoctorReport {
    let environment = context.environment
    let settings = Settings(given: options.settings, environment: environment)
    var findings: [DoctorFinding] = []
    var spec = IdentitySpec.auto
    do {
      spec = try IdentitySpec.planned(options.identity, serviceConnection: options.serviceConnection)
    } catch {
      findings.append(.problem(error.description, .usage))
    }
    var (identity, variables) = detect(spec, environment)

    var indexes: [DoctorReport.Index] = []
    var credentials: [Credential] = []
    var audiences: [String] = []
    for plan in plans(options, settings: settings, identity: spec) {
      let text = plan.given
      var entry = DoctorReport.Index(given: text)
      do {
        let planned = try plan.outcome.get()
        let (target, registry) = (planned.target, planned.registry)
        entry.registry = "\(type(of: registry).displayName) ('\(target.name)')"
        entry.install = target.simpleURL.description
        entry.upload = target.uploadURL?.description
        entry.chain = registry.chain
        variables += type(of: registry).settings.variableNames
        var username = "USER"
        if let registry = registry as? any PreviewableRegistry {
          let preview = registry.preview(for: target, in: context)
          entry.steps = preview.steps
          entry.audience = preview.audience
          entry.username = preview.username
          username = preview.username ?? username
          findings += preview.findings
          if let audience = preview.audience, let source = preview.identity {
            audiences.append(audience)
            entry.identity = identity.source ?? identity.detected ?? source.name
          }
          if fetchTokens, let audience = preview.audience, let source = preview.identity {
            let (token, found) = fetch(source, audience: audience, for: text, in: context)
            entry.identity = token.source ?? identity.source ?? identity.detected ?? source.name
            entry.token = token.summary
            entry.error = token.error
            // A source that could not be built is reported once, below, not per index.
            findings += found.filter { $0.message != identity.error }
          }
        } else {
          entry.steps = ["\(type(of: registry).displayName) does not describe its exchange to doctor yet"]
        }
        credentials.append(
          Credential(
            index: target, registry: type(of: registry).name, username: username, password: Secret("***"),
            expiresAt: nil))
      } catch {
        let reported = asUserFacing(error)
        entry.error = reported.message
        findings.append(.problem(reported.message, reported.exitStatus))
      }
      indexes.append(entry)
    }

    let (outputs, outputError) = plannedOutputs(options, settings: settings, credentials: credentials, in: context)
    if let outputError { findings.append(.problem(outputError, .output)) }

    let ci = context.ci
    findings += Traps.github(environment, ci: ci) + Traps.gitlab(environment, ci: ci, audiences: unique(audiences))
    findings += Traps.azurePipelines(environment, ci: ci) + Traps.otherCIs(environment, ci: ci)
    findings += Traps.aws(settings) + Traps.google(environment, settings: settings)
    let needsToken = options.urls.isEmpty || !audiences.isEmpty
    findings += identityFindings(identity, needsToken: needsToken, findings: findings)
    identity.needed = needsToken

    variables = unique(variables)
    return DoctorReport(
      identity: identity, variablesSet: variables.filter { environment.has($0) },
      variablesMissing: variables.filter { !environment.has($0) }, indexes: indexes, outputs: outputs,
      outputError: outputError, findings: unique(findings).sorted { $0.severity > $1.severity })
  }

  /// Which CI was recognised (or chosen) and the variables it reads.
  static func detect(_ spec: IdentitySpec, _ environment: Environment) -> (DoctorReport.Identity, [String]) {
    let chosenBy = spec.argument.map { "\(spec.kind):\($0)" } ?? spec.kind
    var identity = DoctorReport.Identity(chosenBy: chosenBy)
    var variables: [String]
    if spec.kind == "auto", let (detector, evidence) = AmbientIdentity.recognise(environment) {
      identity.detected = detector.displayName
      identity.evidence = evidence
      variables = detector.variables
    } else if let detector = AmbientIdentity.detector(spec.kind) {
      identity.detected = detector.displayName
      variables = detector.variables
    } else {
      variables = spec.kind == "auto" ? markers : []
      if spec.kind == "env", let name = spec.argument { variables = [name] }
    }
    do {
      var source = try spec.source(environment: environment)
      if let ambient = source as? AmbientIdentity { source = try ambient.resolve(environment) }
      identity.source = source.name
    } catch {
      identity.error = asUserFacing(error).message
    }
    return (identity, variables)
  }

  /// The variables that reveal each CI, listed when none was recognised.
  static let markers = [
    "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "BITBUCKET_BUILD_NUMBER", "TF_BUILD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "GCE_METADATA_HOST",
  ]

  /// The plan of each URL, as `login` would make it (a bad `--registry` or `--name` fails
  /// each index, or is left to `login`, rather than the whole report).
  static func plans(_ options: LoginOptions, settings: Settings, identity: IdentitySpec) -> [IndexPlan] {
    do {
      let forced = try Planner.registry(options.registry)
      let names = try? Planner.givenNames(options.names, count: options.urls.count)
      return Planner.indexes(options.urls, registry: forced, identity: identity, names: names, settings: settings)
    } catch {
      return options.urls.map { IndexPlan(given: $0, outcome: .failure(error)) }
    }
  }

  /// Fetches a token for `audience` and summarises it, with the traps it reveals.
  static func fetch(_ source: any IdentitySource, audience: String, for index: String, in context: Context)
    -> (token: (source: String?, summary: DoctorReport.Token?, error: String?), findings: [DoctorFinding])
  {
    var concrete = source
    do {
      if let ambient = source as? AmbientIdentity { concrete = try ambient.resolve(context.environment) }
      let token = try concrete.idToken(audience: audience, in: context)
      guard let claims = JWTClaims(token: token) else {
        return (
          (concrete.name, nil, nil),
          [.problem("The token from \(concrete.name) for \(index) has no readable claims.", .noIdentity)]
        )
      }
      let now = context.clock.now()
      let summary = DoctorReport.Token(
        issuer: claims.issuer, subject: claims.subject, audiences: claims.audiences,
        expiresIn: claims.expiresAt.map { $0 - now })
      var findings: [DoctorFinding] = []
      if !claims.audiences.contains(audience) {
        findings.append(
          .warning(
            "The token from \(concrete.name) carries the audience '\(claims.audiences.joined(separator: ", "))', not '\(audience)' which the exchange for \(index) asks for; this CI fixes the audience, so the trust must accept '\(claims.audiences.first ?? "")'."
          ))
      }
      if let left = summary.expiresIn, left <= 0 {
        findings.append(
          .problem(
            "The token from \(concrete.name) expired \(describeDuration(-left)) ago; whatever provides it no longer refreshes it.",
            .refused))
      }
      return ((concrete.name, summary, nil), findings)
    } catch {
      let reported = asUserFacing(error)
      return ((nil, nil, reported.message), [.problem(reported.message, reported.exitStatus)])
    }
  }

  /// What the sinks would write for these credentials (secrets are placeholders).
  static func plannedOutputs(
    _ options: LoginOptions, settings: Settings, credentials: [Credential], in context: Context
  )
    -> ([DoctorReport.Output], String?)
  {
    do {
      let sinks = try SinkCatalog.sinks(options, environment: context.environment, ci: context.ci)
      guard !credentials.isEmpty else {
        return (sinks.map { DoctorReport.Output(sink: $0.name, destination: "(no index given)", summary: "") }, nil)
      }
      let outputs = try sinks.flatMap { try $0.plan(credentials, in: context) }
      return (outputs.map { DoctorReport.Output(sink: $0.sink, destination: $0.destination, summary: $0.summary) }, nil)
    } catch {
      return ([], asUserFacing(error).message)
    }
  }

  /// The identity's own problem, when something needs a CI token.
  ///
  /// Something does when no index was named or an index's chain chose CI federation; indexes
  /// served by other links (a laptop's `az` login, a managed identity) need none. Nothing is
  /// said twice: a more precise trap wins.
  static func identityFindings(_ identity: DoctorReport.Identity, needsToken: Bool, findings: [DoctorFinding])
    -> [DoctorFinding]
  {
    guard let error = identity.error, needsToken else { return [] }
    if findings.contains(where: { $0.severity == .problem && $0.exitStatus == .noIdentity }) { return [] }
    return [.problem(error, .noIdentity)]
  }

  static func unique(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
  }

  /// Each finding once (the plan and a trap may say the same thing).
  static func unique(_ findings: [DoctorFinding]) -> [DoctorFinding] {
    var seen = Set<String>()
    return findings.filter { seen.insert($0.message).inserted }
  }
}
