/// One thing `indexkey doctor` checked.
package struct DoctorFinding: Sendable, Equatable {
  package enum Severity: String, Sendable, Comparable {
    case ok, warning, problem

    package static func < (a: Severity, b: Severity) -> Bool {
      func rank(_ s: Severity) -> Int {
        switch s {
        case .ok: 0
        case .warning: 1
        case .problem: 2
        }
      }
      return rank(a) < rank(b)
    }
  }

  package var severity: Severity
  package var message: String
  /// The exit code a problem stands for (what `login` would exit with).
  package var exitStatus: ExitStatus

  package init(_ severity: Severity, _ message: String, exitStatus: ExitStatus = .usage) {
    self.severity = severity
    self.message = message
    self.exitStatus = severity == .ok ? .ok : exitStatus
  }

  package static func ok(_ message: String) -> DoctorFinding { DoctorFinding(.ok, message) }
  package static func warning(_ message: String) -> DoctorFinding { DoctorFinding(.warning, message) }
  package static func problem(_ message: String, _ status: ExitStatus) -> DoctorFinding {
    DoctorFinding(.problem, message, exitStatus: status)
  }
}
