import Synchronization

/// The production transport: libcurl, one easy handle for the worker's whole run.
public final class CurlTransport: HTTPTransport {
  private let handle: Mutex<CurlEasyHandle>
  public let options: CurlOptions

  public init(options: CurlOptions) throws(HTTPError) {
    self.handle = Mutex(try CurlEasyHandle())
    self.options = options
  }

  public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
    try handle.withLock { (h: inout CurlEasyHandle) throws(HTTPError) -> HTTPResponse in
      try h.perform(request, options: options)
    }
  }

  /// New TCP connections this transport opened (each may cost a TLS handshake).
  public var connectionsOpened: Int {
    handle.withLock { $0.connectionsOpened }
  }
}
