/// When and how long to wait before trying a request again.
///
/// Retried: connection failures, timeouts, truncated bodies, HTTP 5xx and 429 (honouring
/// `Retry-After`), and a 2xx whose body does not parse as the JSON or XML its request's
/// `Accept` asked for (a proxy's error page, a cut connection). Never retried: other 4xx,
/// TLS verification failures, oversized bodies.
/// Backoff is exponential with jitter, and every retry must fit in the overall deadline.
package struct RetryPolicy: Sendable {
  /// Attempts in all, the first included.
  package var maxAttempts: Int
  /// Delay before the first retry; doubled each time.
  package var baseDelay: Double
  /// Upper bound for one computed backoff delay.
  package var maxDelay: Double
  /// Seconds from the first attempt after which no new attempt starts.
  package var deadline: Double
  /// Longest `Retry-After` honoured; a longer one ends the retries.
  package var maxRetryAfter: Double
  /// A number in [0, 1) for jitter; injectable so tests are deterministic.
  package var random: @Sendable () -> Double

  package init(
    maxAttempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 8, deadline: Double = 60,
    maxRetryAfter: Double = 30, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
  ) {
    self.maxAttempts = maxAttempts
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.deadline = deadline
    self.maxRetryAfter = maxRetryAfter
    self.random = random
  }

  /// No retries at all.
  package static let none = RetryPolicy(maxAttempts: 1)

  /// Whether a status deserves another attempt.
  package func isRetryable(status: Int) -> Bool {
    status == 429 || (500...599).contains(status)
  }

  /// Whether a response deserves another attempt: a retryable status, or a 2xx body that
  /// is not the document the request asked for.
  package func isRetryable(_ response: HTTPResponse, to request: HTTPRequest) -> Bool {
    if isRetryable(status: response.status) { return true }
    return (200...299).contains(response.status) && !response.parses(for: request)
  }

  /// Backoff before retry number `retry` (1 for the first retry): half fixed, half jitter.
  package func backoff(retry: Int) -> Double {
    let exp = min(maxDelay, baseDelay * Double(1 << min(retry - 1, 20)))
    return exp * (0.5 + 0.5 * random())
  }

  /// Seconds from a `Retry-After` header holding delta-seconds; nil for dates or junk.
  package static func retryAfterSeconds(_ value: String?) -> Double? {
    guard let v = value?.trimmingSpaces, let n = Double(v), n >= 0 else { return nil }
    return n
  }
}

/// Wraps a transport with a ``RetryPolicy``.
package final class RetryingTransport: HTTPTransport {
  let base: any HTTPTransport
  private let policy: RetryPolicy
  private let sleep: @Sendable (Double) -> Void
  private let now: @Sendable () -> Double

  package init(
    _ base: any HTTPTransport, policy: RetryPolicy, sleep: @escaping @Sendable (Double) -> Void,
    now: @escaping @Sendable () -> Double = monotonicSeconds
  ) {
    self.base = base
    self.policy = policy
    self.sleep = sleep
    self.now = now
  }

  package func prepare(_ url: String) {
    base.prepare(url)
  }

  package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
    guard request.retryable else { return try base.send(request) }
    let start = now()
    var attempt = 1
    while true {
      var wait: Double
      do {
        let response = try base.send(request)
        guard policy.isRetryable(response, to: request), attempt < policy.maxAttempts else {
          return response
        }
        wait = policy.backoff(retry: attempt)
        if let after = RetryPolicy.retryAfterSeconds(response.header("Retry-After")) {
          if after > policy.maxRetryAfter { return response }
          wait = max(wait, after)
        }
        if now() - start + wait > policy.deadline { return response }
      } catch {
        guard error.isRetryable else { throw error }
        guard attempt < policy.maxAttempts else {
          throw attempt == 1
            ? error : .gaveUp(purpose: request.purpose, url: request.url, attempts: attempt, last: error.cause)
        }
        wait = policy.backoff(retry: attempt)
        if now() - start + wait > policy.deadline {
          throw .gaveUp(purpose: request.purpose, url: request.url, attempts: attempt, last: error.cause)
        }
      }
      sleep(wait)
      attempt += 1
    }
  }
}
