/// The process exit codes, one per kind of failure (DESIGN.md §5).
package enum ExitStatus: Int32, Sendable, Comparable {
  case ok = 0
  case usage = 2
  case noIdentity = 3
  case refused = 4
  case network = 5
  case output = 6
  /// A system library indexkey needs (libcurl) is missing or older than it supports.
  case library = 7

  package static func < (a: ExitStatus, b: ExitStatus) -> Bool {
    a.severity < b.severity
  }

  /// Which code wins when several indexes fail differently: the later stages of
  /// the flow are more specific about what went wrong.
  private var severity: Int {
    switch self {
    case .ok: 0
    case .network: 1
    case .refused: 2
    case .noIdentity: 3
    case .output: 4
    case .library: 5
    case .usage: 6
    }
  }
}

/// An error the program reports to the user: a full sentence and an exit code.
package protocol UserFacingError: Error, CustomStringConvertible {
  var exitStatus: ExitStatus { get }
}

/// Bad flags, bad URLs, missing configuration: exit 2.
package struct ConfigError: UserFacingError, Equatable {
  package var message: String
  package init(_ message: String) { self.message = message }
  package var description: String { message }
  package var exitStatus: ExitStatus { .usage }
}
