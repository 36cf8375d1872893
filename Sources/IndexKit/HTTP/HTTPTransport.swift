/// Sends one HTTP request and returns the response: the seam every exchange goes through.
///
/// Production uses ``CurlTransport`` (one libcurl handle, connections reused). Tests use
/// ``StubTransport``, which records requests and answers from a closure:
///
/// ```swift
/// let stub = StubTransport { request in
///   HTTPResponse(status: 200, text: #"{"access_token":"t","expires_in":3600}"#)
/// }
/// ```
///
/// A transport answers every HTTP status as a response; it throws ``HTTPError`` only
/// when no complete response arrived (connection, TLS, timeout, oversized body).
package protocol HTTPTransport: AnyObject, Sendable {
  func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse

  /// A request to `url` follows once something else is done (typically: the CI token it
  /// carries is fetched); the transport may open that connection meanwhile. Never fails:
  /// at worst the request connects as usual.
  func prepare(_ url: String)
}

extension HTTPTransport {
  package func prepare(_ url: String) {}
}

/// A transport that answers from a closure and records every request (tests).
package final class StubTransport: HTTPTransport {
  package typealias Handler = @Sendable (HTTPRequest) throws(HTTPError) -> HTTPResponse
  private let handler: Handler
  private let log = Locked<[HTTPRequest]>([])
  private let preparedLog = Locked<[Preparation]>([])

  /// A ``prepare(_:)`` call: the URL, and how many requests had been sent before it.
  package struct Preparation: Sendable, Equatable {
    package var url: String
    package var afterRequests: Int

    package init(url: String, afterRequests: Int) {
      self.url = url
      self.afterRequests = afterRequests
    }
  }

  package init(_ handler: @escaping Handler) {
    self.handler = handler
  }

  /// Answers a fixed sequence of responses or errors, one per request.
  package convenience init(sequence: [Result<HTTPResponse, HTTPError>]) {
    let queue = Locked(sequence[...])
    self.init { (request: HTTPRequest) throws(HTTPError) -> HTTPResponse in
      let next = queue.withLock { $0.popFirst() }
      switch next {
      case .success(let r): return r
      case .failure(let e): throw e
      case nil: return HTTPResponse(status: 599, text: "stub: no response left for \(request.url)")
      }
    }
  }

  package var requests: [HTTPRequest] { log.withLock { $0 } }
  /// The ``prepare(_:)`` calls, in order.
  package var prepared: [Preparation] { preparedLog.withLock { $0 } }

  package func prepare(_ url: String) {
    let sent = log.withLock { $0.count }
    preparedLog.withLock { $0.append(Preparation(url: url, afterRequests: sent)) }
  }

  package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
    log.withLock { $0.append(request) }
    return try handler(request)
  }
}
