import Dispatch
import Synchronization

/// One index to log in to: where it is and which registry exchange serves it.
public struct PlannedIndex: Sendable {
  public var target: IndexTarget
  public var registry: any Registry

  public init(target: IndexTarget, registry: any Registry) {
    self.target = target
    self.registry = registry
  }
}

/// Everything `indexkey login` will do, resolved from flags and environment.
public struct LoginPlan: Sendable {
  public var indexes: [PlannedIndex]
  public var sinks: [any Sink]
  public var dryRun: Bool

  public init(indexes: [PlannedIndex], sinks: [any Sink], dryRun: Bool) {
    self.indexes = indexes
    self.sinks = sinks
    self.dryRun = dryRun
  }
}

/// What happened, per index and per output.
public struct LoginReport: Sendable {
  public var results: [(index: IndexTarget, registry: String, outcome: Result<Credential, ReportedError>)]
  public var outputs: [PlannedOutput]
  public var outputError: ReportedError?
  public var dryRun: Bool

  public var credentials: [Credential] {
    results.compactMap { try? $0.outcome.get() }
  }

  /// The worst failure's exit code; 0 when everything worked.
  public var exitStatus: ExitStatus {
    var worst = outputError?.exitStatus ?? .ok
    for r in results {
      if case .failure(let e) = r.outcome { worst = max(worst, e.exitStatus) }
    }
    return worst
  }
}

/// Runs the exchanges (in parallel when there are several indexes), then masks and
/// writes every sink's output once, for all the credentials obtained.
public func login(_ plan: LoginPlan, in context: Context) -> LoginReport {
  let outcomes = Mutex<[Int: Result<Credential, ReportedError>]>([:])
  let work: @Sendable (Int) -> Void = { i in
    let index = plan.indexes[i]
    let result: Result<Credential, ReportedError>
    do {
      let worker = i == 0 ? context : try context.forWorker()
      result = .success(try index.registry.credential(for: index.target, in: worker))
    } catch {
      result = .failure(asUserFacing(error))
    }
    outcomes.withLock { $0[i] = result }
  }
  if plan.indexes.count == 1 {
    work(0)
  } else {
    DispatchQueue.concurrentPerform(iterations: plan.indexes.count, execute: work)
  }
  let results = plan.indexes.indices.map { i in
    (plan.indexes[i].target, type(of: plan.indexes[i].registry).displayName, outcomes.withLock { $0[i] } ?? .failure(ReportedError(message: "No result.", exitStatus: .usage)))
  }
  var report = LoginReport(results: results, outputs: [], outputError: nil, dryRun: plan.dryRun)
  let credentials = report.credentials
  guard !credentials.isEmpty else { return report }
  do {
    let outputs = try plan.sinks.flatMap { try $0.plan(credentials, in: context) }.filter(\.hasEffect)
    report.outputs = outputs
    try OutputWriter.apply(outputs, credentials: credentials, dryRun: plan.dryRun, in: context)
  } catch {
    report.outputError = asUserFacing(error)
  }
  return report
}

/// A failure as the report keeps it: the sentence and the exit code.
public struct ReportedError: UserFacingError, Equatable {
  public var message: String
  public var exitStatus: ExitStatus
  public var description: String { message }
}

/// Any error as one the user can read, with an exit code.
public func asUserFacing(_ error: any Error) -> ReportedError {
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
