/// One header line; an array of these keeps order and repeats.
package struct HTTPHeader: Sendable, Equatable {
  package var name: String
  package var value: String

  package init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// An HTTP request as a plain value: what the transport sends and what tests record.
package struct HTTPRequest: Sendable, Equatable {
  package enum Method: String, Sendable {
    case get = "GET"
    case post = "POST"
    case put = "PUT"
  }

  package var method: Method
  package var url: String
  package var headers: [HTTPHeader]
  package var body: [UInt8]
  /// What the request is for, in words ("Entra token request"), used in errors.
  package var purpose: String
  /// False when sending the same request twice is wrong (it carries a single-use
  /// token): ``RetryingTransport`` then sends it once and the caller retries itself.
  package var retryable = true
  /// The root element a 2xx XML answer must have; another one (a proxy's HTML page) is
  /// retried like a body that does not parse.
  package var expectedRoot: String?
  /// Seconds this request may take at most (connecting included), when shorter than the
  /// transport's own limits: a metadata server that is not there must not hold a run up.
  package var timeout: Double?

  package init(
    method: Method = .get, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [],
    purpose: String
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.purpose = purpose
  }

  /// The first header with this name, compared case-insensitively.
  package func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// Adds or replaces a header.
  package mutating func setHeader(_ name: String, _ value: String) {
    headers.removeAll { $0.name.lowercased() == name.lowercased() }
    headers.append(HTTPHeader(name, value))
  }
}

/// What came back: status, headers in order, and the (capped) body.
package struct HTTPResponse: Sendable, Equatable {
  package var status: Int
  package var headers: [HTTPHeader]
  package var body: [UInt8]

  package init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  package init(status: Int, headers: [HTTPHeader] = [], text: String) {
    self.init(status: status, headers: headers, body: Array(text.utf8))
  }

  /// The first header with this name, compared case-insensitively.
  package func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// Whether the body is the JSON or XML document `request` asks for with its `Accept`
  /// (and ``HTTPRequest/expectedRoot``); true for any other type.
  package func parses(for request: HTTPRequest) -> Bool {
    guard let accept = request.header("Accept")?.lowercased() else { return true }
    if accept.contains("json") { return (try? JSON(parsing: body, document: "response")) != nil }
    if accept.contains("xml") {
      guard let root = try? XML(parsing: body, document: "response") else { return false }
      return request.expectedRoot.map { $0 == root.name } ?? true
    }
    return true
  }

  /// The body as UTF-8 text (invalid bytes replaced).
  package var text: String { String(decoding: body, as: UTF8.self) }
}
