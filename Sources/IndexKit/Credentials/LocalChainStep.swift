/// One place a cloud's credential chain looked, in order: the trace `doctor` prints and the
/// list an error names when no place answered.
public struct LocalChainStep: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    case answered
    case skipped
    case notTried
  }

  public var name: String
  public var outcome: Outcome
  /// Why it answered or was skipped; empty when not tried.
  public var reason: String

  public init(_ name: String, _ outcome: Outcome, _ reason: String = "") {
    self.name = name
    self.outcome = outcome
    self.reason = reason
  }

  /// `✓ NAME: reason`, `skipped NAME: reason`, `not tried NAME`.
  public var line: String {
    switch outcome {
    case .answered: "✓ \(name): \(reason)"
    case .skipped: "skipped \(name): \(reason)"
    case .notTried: "not tried \(name)"
    }
  }

  /// The trace once `answered` is known: the steps before it as they are, the answering one,
  /// and every later one as not tried.
  static func trace(_ skipped: [LocalChainStep], answered: LocalChainStep, after later: [String]) -> [LocalChainStep] {
    skipped + [answered] + later.map { LocalChainStep($0, .notTried) }
  }

  /// "Looked at: A (reason); B (reason)."
  static func tried(_ steps: [LocalChainStep]) -> String {
    steps.map { "\($0.name) (\($0.reason))" }.joined(separator: "; ")
  }
}
