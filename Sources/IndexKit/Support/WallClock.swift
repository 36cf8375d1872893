internal import Glibc

/// Seconds since the Unix epoch.
package typealias UnixTime = Double

/// Where the library gets the time of day; tests pass a fixed clock.
package protocol WallClock: Sendable {
  func now() -> UnixTime
}

/// The system's real-time clock.
package struct SystemClock: WallClock {
  package init() {}

  package func now() -> UnixTime {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}

/// A clock that always answers the same instant (tests).
package struct FixedClock: WallClock {
  package var time: UnixTime
  package init(_ time: UnixTime) { self.time = time }
  package func now() -> UnixTime { time }
}

/// Monotonic seconds, for deadlines and durations (never for timestamps).
package func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Times a server states (`expires_in`, `exp`, `Expiration`), made safe to compute with:
/// every number taken from a server goes through here, so no conversion or arithmetic
/// on it can trap, whatever it says (`9223372036854775807`, `1e300`, NaN).
package enum ServerTime {
  /// The latest instant believed: 9999-12-31T23:59:59Z.
  package static let latest: UnixTime = 253_402_300_799
  /// The longest lifetime believed from `now` (a century: any real token's is far shorter).
  package static let longest: Double = 100 * 365 * 86_400

  /// An absolute instant from a server, clamped to 1970…9999; nil for NaN.
  package static func instant(_ value: Double) -> UnixTime? {
    value.isNaN ? nil : min(max(value, 0), latest)
  }

  /// An absolute instant from a server's integer (a JWT `exp`).
  package static func instant(_ value: Int64) -> UnixTime? {
    instant(Double(value))
  }

  /// `seconds` after `now` (an `expires_in`), the lifetime clamped to 0…``longest``; nil for NaN.
  package static func expiry(in seconds: Double, from now: UnixTime) -> UnixTime? {
    seconds.isNaN ? nil : instant(now + min(max(seconds, 0), longest))
  }

  package static func expiry(in seconds: Int64, from now: UnixTime) -> UnixTime? {
    expiry(in: Double(seconds), from: now)
  }
}

/// `value` rounded as an integer, saturating at ±2^53 (0 for NaN): never traps.
package func saturatingInt(_ value: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> Int {
  guard !value.isNaN else { return 0 }
  let bound = 9_007_199_254_740_992.0
  return Int(min(max(value.rounded(rule), -bound), bound))
}

extension UnixTime {
  /// `2026-11-22T10:04:05Z`.
  package var iso8601: String {
    var t = time_t(saturatingInt(Swift.min(self, ServerTime.latest), .down))
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
      + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }
}

/// "4 min 59 s", "1 h 2 min", "expired 3 min ago" style durations for messages.
package func describeDuration(_ seconds: Double) -> String {
  let s = saturatingInt(seconds)
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
