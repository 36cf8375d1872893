/// One thing `indexkey doctor` checked.
public struct DoctorFinding: Sendable, Equatable {
  public enum Severity: String, Sendable, Comparable {
    case ok, warning, problem

    public static func < (a: Severity, b: Severity) -> Bool {
      let order: [Severity] = [.ok, .warning, .problem]
      return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
  }

  public var severity: Severity
  public var message: String
  /// The exit code a problem stands for (what `login` would exit with).
  public var exitStatus: ExitStatus

  public init(_ severity: Severity, _ message: String, exitStatus: ExitStatus = .usage) {
    self.severity = severity
    self.message = message
    self.exitStatus = severity == .ok ? .ok : exitStatus
  }

  public static func ok(_ message: String) -> DoctorFinding { DoctorFinding(.ok, message) }
  public static func warning(_ message: String) -> DoctorFinding { DoctorFinding(.warning, message) }
  public static func problem(_ message: String, _ status: ExitStatus) -> DoctorFinding {
    DoctorFinding(.problem, message, exitStatus: status)
  }
}
