internal import Glibc

/// Seconds since the Unix epoch.
public typealias UnixTime = Double

/// Where the library gets the time of day; tests pass a fixed clock.
public protocol WallClock: Sendable {
  func now() -> UnixTime
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
  public init() {}

  public func now() -> UnixTime {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

/// A clock that always answers the same instant (tests).
public struct FixedClock: WallClock {
  public var time: UnixTime
  public init(_ time: UnixTime) { self.time = time }
  public func now() -> UnixTime { time }
}

/// Monotonic seconds, for deadlines and durations (never for timestamps).
public func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

extension UnixTime {
  /// `2026-11-22T10:04:05Z`.
  public var iso8601: String {
    var t = time_t(self.rounded(.down))
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
      + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }
}

/// "4 min 59 s", "1 h 2 min", "expired 3 min ago" style durations for messages.
public func describeDuration(_ seconds: Double) -> String {
  let s = Int(seconds.rounded())
  let a = abs(s)
  let text: String
  if a < 60 {
    text = "\(a) s"
  } else if a < 3600 {
    text = a % 60 == 0 ? "\(a / 60) min" : "\(a / 60) min \(a % 60) s"
  } else {
    text = "\(a / 3600) h \(a % 3600 / 60) min"
  }
  return text
}
