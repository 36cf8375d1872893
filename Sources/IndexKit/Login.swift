/// One index to log in to: where it is and which registry exchange serves it.
package struct PlannedIndex: Sendable {
  package var target: IndexTarget
  package var registry: any Registry

  package init(target: IndexTarget, registry: any Registry) {
    self.target = target
    self.registry = registry
  }
}

/// Everything `indexkey login` will do, resolved from flags and environment.
package struct LoginPlan: Sendable {
  package var indexes: [PlannedIndex]
  package var sinks: [any Sink]
  package var dryRun: Bool

  package init(indexes: [PlannedIndex], sinks: [any Sink], dryRun: Bool) {
    self.indexes = indexes
    self.sinks = sinks
    self.dryRun = dryRun
  }
}

/// What happened, per index and per output.
package struct LoginReport: Sendable {
  package var results: [(index: IndexTarget, registry: String, outcome: Result<Credential, ReportedError>)]
  package var outputs: [PlannedOutput]
  package var outputError: ReportedError?
  package var dryRun: Bool

  package var credentials: [Credential] {
    results.compactMap { try? $0.outcome.get() }
  }

  /// The worst failure's exit code; 0 when everything worked.
  package var exitStatus: ExitStatus {
    var worst = outputError?.exitStatus ?? .ok
    for r in results {
      if case .failure(let e) = r.outcome { worst = max(worst, e.exitStatus) }
    }
    return worst
  }
}

/// Runs the exchanges (in parallel when there are several indexes), then masks and
/// writes every sink's output once, for all the credentials obtained.
///
/// Indexes whose registry says one token serves them all (``Registry/sharedExchange(for:)``)
/// share one exchange: three Azure Artifacts feeds cost one CI token and one Entra request.
package func login(_ plan: LoginPlan, in context: Context) -> LoginReport {
  let leaders = exchangeLeaders(plan.indexes)
  let exchanges = Array(Set(leaders)).sorted()
  let outcomes = Locked<[Int: Result<Credential, ReportedError>]>([:])
  let work: @Sendable (Int) -> Void = { n in
    let i = exchanges[n]
    let index = plan.indexes[i]
    let result: Result<Credential, ReportedError>
    do {
      let worker = n == 0 ? context : try context.forWorker()
      result = .success(try index.registry.freshCredential(for: index.target, in: worker))
    } catch {
      result = .failure(asUserFacing(error))
    }
    outcomes.withLock { $0[i] = result }
  }
  runInParallel(exchanges.count, work)
  let results = plan.indexes.indices.map { i in
    let leader = leaders[i]
    let outcome =
      (outcomes.withLock { $0[leader] } ?? .failure(ReportedError(message: "No result.", exitStatus: .usage)))
      .map { credential in
        var shared = credential
        shared.index = plan.indexes[i].target
        return shared
      }
    return (plan.indexes[i].target, type(of: plan.indexes[i].registry).displayName, outcome)
  }
  var report = LoginReport(results: results, outputs: [], outputError: nil, dryRun: plan.dryRun)
  let credentials = report.credentials
  guard !credentials.isEmpty else { return report }
  let outputs: [PlannedOutput]
  do {
    for credential in credentials { try VariableRules.requireSingleLine(credential) }
    outputs = try plan.sinks.flatMap { try $0.plan(credentials, in: context) }.filter(\.hasEffect)
  } catch {
    // Nothing is written, but the report (`--json --show-secrets`) may still show the
    // credentials: register them with the CI's masker all the same.
    if !plan.dryRun { CIMasker(context.ci).mask(credentials.flatMap(\.secretForms), console: context.console) }
    report.outputError = asUserFacing(error)
    return report
  }
  report.outputs = outputs
  do {
    try OutputWriter.apply(outputs, credentials: credentials, dryRun: plan.dryRun, in: context)
  } catch {
    report.outputError = asUserFacing(error)
  }
  return report
}

/// For each index, the position of the index whose exchange serves it: its own, or the
/// first earlier one of the same registry with the same shared-exchange key.
func exchangeLeaders(_ indexes: [PlannedIndex]) -> [Int] {
  var first: [String: Int] = [:]
  return indexes.indices.map { i in
    let registry = indexes[i].registry
    guard let scope = registry.sharedExchange(for: indexes[i].target) else { return i }
    let key = "\(type(of: registry).name)\u{0}\(scope)"
    if let leader = first[key] { return leader }
    first[key] = i
    return i
  }
}

/// A failure as the report keeps it: the sentence and the exit code.
package struct ReportedError: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus
  package var description: String { message }
}

/// Any error as one the user can read, with an exit code.
package func asUserFacing(_ error: any Error) -> ReportedError {
  let (message, status): (String, ExitStatus) =
    switch error {
    case let e as any UserFacingError: (e.description, e.exitStatus)
    case let e as JSONError: (e.description, .network)
    case let e as FileReadError: ("Could not read \(e.path): \(e.reason).", .usage)
    case let e as ProcessError: (e.description, .noIdentity)
    default: ("Unexpected error: \(error).", .usage)
    }
  return ReportedError(message: message, exitStatus: status)
}
