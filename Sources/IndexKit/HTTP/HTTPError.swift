/// A request that produced no usable HTTP response.
package enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible, UserFacingError {
  /// A refused connection or another failure to reach the host. Retryable.
  case connection(purpose: String, url: String, detail: String)
  /// The host name did not resolve. Retryable: resolvers fail for a moment too.
  case dns(purpose: String, url: String, detail: String)
  /// The connection was reset or closed before a complete response. Retryable.
  case reset(purpose: String, url: String, detail: String)
  /// The TLS handshake failed for a reason other than verification. Retryable.
  case handshake(purpose: String, url: String, detail: String)
  /// The connect or total timeout elapsed. Retryable.
  case timeout(purpose: String, url: String, seconds: Double)
  /// The body ended before its announced length. Retryable.
  case truncated(purpose: String, url: String)
  /// Certificate verification failed. Never retried: retrying cannot fix trust.
  case tls(purpose: String, url: String, detail: String)
  /// The server sent more than the cap. Not retried.
  case bodyTooLarge(purpose: String, url: String, limit: Int)
  /// The overall deadline ran out while retrying; carries the last failure in words.
  case gaveUp(purpose: String, url: String, attempts: Int, last: String)
  /// libcurl refused an option or failed to start: a local problem.
  case setup(detail: String)
  /// libcurl.so.4 could not be loaded. Exit 7.
  case libcurlMissing(detail: String)
  /// The libcurl found is older than the oldest supported (`minimum`). Exit 7.
  case libcurlTooOld(found: String, minimum: String)

  package var isRetryable: Bool {
    switch self {
    case .connection, .dns, .reset, .handshake, .timeout, .truncated: true
    case .tls, .bodyTooLarge, .gaveUp, .setup, .libcurlMissing, .libcurlTooOld: false
    }
  }

  package var exitStatus: ExitStatus {
    switch self {
    case .libcurlMissing, .libcurlTooOld: .library
    default: .network
    }
  }

  package var description: String {
    switch self {
    case .connection(let purpose, let url, let detail):
      "The \(purpose) to \(url) failed: \(detail). Check the network, proxy settings (https_proxy, no_proxy) and the host name."
    case .dns(let purpose, let url, let detail):
      "The \(purpose) to \(url) failed: the host name did not resolve (\(detail)). Check the URL's host, the DNS settings and any proxy (https_proxy, no_proxy)."
    case .reset(let purpose, let url, let detail):
      "The \(purpose) to \(url) failed: the connection was reset or closed before the response was complete (\(detail)). A proxy or load balancer may be cutting connections; try again."
    case .handshake(let purpose, let url, let detail):
      "The \(purpose) to \(url) failed during the TLS handshake (\(detail)). The server or a proxy broke off the handshake; try again, and check https_proxy if it persists."
    case .timeout(let purpose, let url, let seconds):
      "The \(purpose) to \(url) timed out after \(Self.format(seconds)) s. The service may be slow or unreachable; retry later or raise --timeout."
    case .truncated(let purpose, let url):
      "The \(purpose) to \(url) returned a truncated response (the connection closed before the announced length)."
    case .tls(let purpose, let url, let detail):
      "The \(purpose) to \(url) failed TLS verification: \(detail). If a proxy or private CA intercepts TLS, point SSL_CERT_FILE (or CURL_CA_BUNDLE / REQUESTS_CA_BUNDLE) at its CA bundle."
    case .bodyTooLarge(let purpose, let url, let limit):
      "The \(purpose) to \(url) returned more than \(limit / 1024) KiB; refusing to read a response that large."
    case .gaveUp(let purpose, let url, let attempts, let last):
      "The \(purpose) to \(url) failed after \(attempts) attempts; the last one: \(last)"
    case .setup(let detail):
      "Could not set up the HTTP client: \(detail)."
    case .libcurlMissing(let detail):
      "libcurl could not be loaded (\(detail)); install it (libcurl4 on Debian and Ubuntu, libcurl on Fedora and RHEL)."
    case .libcurlTooOld(let found, let minimum):
      "libcurl \(found) is older than \(minimum), the oldest indexkey supports; install a newer libcurl (Debian 12, Ubuntu 22.04, RHEL 9 and later have one)."
    }
  }

  /// The cause alone, without the request (for "failed after N attempts" messages).
  package var cause: String {
    switch self {
    case .connection(_, _, let detail): detail
    case .dns(_, _, let detail): "the host name did not resolve (\(detail))"
    case .reset(_, _, let detail): "the connection was reset (\(detail))"
    case .handshake(_, _, let detail): "the TLS handshake failed (\(detail))"
    case .timeout(_, _, let seconds): "timed out after \(Self.format(seconds)) s"
    case .truncated: "the response was truncated"
    case .tls(_, _, let detail): "TLS verification failed: \(detail)"
    case .bodyTooLarge(_, _, let limit): "the response exceeded \(limit / 1024) KiB"
    case .gaveUp(_, _, _, let last): last
    case .setup(let detail): detail
    case .libcurlMissing, .libcurlTooOld: description
    }
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(saturatingInt(seconds)) : String(seconds)
  }
}
