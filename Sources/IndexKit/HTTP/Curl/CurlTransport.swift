/// The production transport: libcurl, one easy handle for the worker's whole run.
package final class CurlTransport: HTTPTransport {
  private let handle: Locked<CurlEasyHandle>
  package let options: CurlOptions
  /// Connections being opened ahead of their request, by `host:port`.
  private let preconnections = Locked<[String: Preconnection]>([:])
  /// `host:port` this transport has sent to: libcurl keeps that connection, so preparing
  /// another would waste one.
  private let visited = Locked<Set<String>>([])

  package init(options: CurlOptions) throws(HTTPError) {
    self.handle = Locked(try CurlEasyHandle())
    self.options = options
  }

  /// A transport that verifies TLS against `trust` rather than the store the options and
  /// the system select.
  init(options: CurlOptions, trust: TrustStore) throws(HTTPError) {
    self.handle = Locked(try CurlEasyHandle(trust: trust))
    self.options = options
  }

  package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
    var preconnected: (host: String, port: Int, socket: PreconnectedSocket)?
    if let endpoint = Self.endpoint(request.url) {
      _ = visited.withLock { $0.insert(endpoint.key) }
      if let prepared = preconnections.withLock({ $0.removeValue(forKey: endpoint.key) }), let socket = prepared.take()
      {
        preconnected = (endpoint.host, endpoint.port, socket)
      }
    }
    return try handle.withLock { (h: inout CurlEasyHandle) throws(HTTPError) -> HTTPResponse in
      try h.perform(request, options: options, preconnected: preconnected)
    }
  }

  /// Resolves `url`'s host and opens a TCP connection to it in the background, for the
  /// request to it that comes next (once the CI token it carries has been fetched).
  package func prepare(_ url: String) {
    guard options.preconnect, let endpoint = Self.endpoint(url) else { return }
    guard !visited.withLock({ $0.contains(endpoint.key) }) else { return }
    preconnections.withLock { started in
      guard started[endpoint.key] == nil else { return }
      started[endpoint.key] = Preconnection(host: endpoint.host, port: endpoint.port, timeout: options.connectTimeout)
    }
  }

  /// `host:port` of an http(s) URL; nil for an IPv6 literal (left to libcurl alone).
  static func endpoint(_ url: String) -> (key: String, host: String, port: Int)? {
    guard let parsed = try? WebURL(url, what: "URL"), !parsed.host.isEmpty, !parsed.host.contains(":"),
      !parsed.host.hasPrefix("[")
    else { return nil }
    let host = parsed.host.lowercased()
    let port = parsed.port ?? (parsed.scheme == "https" ? 443 : 80)
    return ("\(host):\(port)", host, port)
  }

  /// How many times this transport's shared trust store parsed its bundle (0 or 1), nil
  /// before the first request or when libcurl's own CA handling is used.
  var bundleParses: Int? {
    handle.withLock { $0.trustStore?.bundleParses }
  }

  /// New TCP connections this transport opened (each may cost a TLS handshake).
  package var connectionsOpened: Int {
    handle.withLock { $0.connectionsOpened }
  }
}
