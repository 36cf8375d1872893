import Glibc
import Testing

@testable import IndexKit

@Suite("CurlTransport against a loopback server")
struct CurlTransportTests {
  let options = CurlOptions(connectTimeout: 2, totalTimeout: 2)

  @Test func sendsHeadersBodyAndUserAgentAndReusesTheConnection() throws {
    let server = try LoopbackServer { _ in LoopbackServer.response(200, #"{"ok":true}"#, headers: ["X-Test": "yes"]) }
    defer { server.stop() }
    let transport = try CurlTransport(options: options)
    var request = HTTPRequest(
      method: .post, url: server.url + "/token", body: Array("a=1&b=2".utf8), purpose: "test request")
    request.setHeader("Content-Type", "application/x-www-form-urlencoded")
    let first = try transport.send(request)
    let second = try transport.send(HTTPRequest(url: server.url + "/again", purpose: "test request"))
    #expect(first.status == 200)
    #expect(first.text == #"{"ok":true}"#)
    #expect(first.header("x-test") == "yes")
    #expect(second.status == 200)
    let received = server.requests
    #expect(received.count == 2)
    #expect(received[0].requestLine == "POST /token HTTP/1.1")
    #expect(received[0].body == Array("a=1&b=2".utf8))
    #expect(received[0].headers["user-agent"] == "indexkey/\(indexkeyVersion)")
    #expect(received[0].headers["expect"] == nil)
    #expect(received[1].requestLine == "GET /again HTTP/1.1")
    #expect(server.connections == 1, "the second request must reuse the first connection")
    #expect(transport.connectionsOpened == 1)
  }

  /// Waits up to two seconds for `condition`.
  func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = monotonicSeconds() + 2
    while !condition() && monotonicSeconds() < deadline { realSleep(0.01) }
    return condition()
  }

  @Test(arguments: ["127.0.0.1", "localhost"])
  func aPreparedConnectionIsOpenedAheadAndCarriesTheRequest(host: String) throws {
    let server = try LoopbackServer { _ in LoopbackServer.response(200, "ok") }
    defer { server.stop() }
    let transport = try CurlTransport(options: options)
    let url = "http://\(host):\(server.port)/token"
    transport.prepare(url)
    // connected before any request was sent
    #expect(eventually { server.connections == 1 })
    #expect(server.requests.isEmpty)
    let response = try transport.send(
      HTTPRequest(method: .post, url: url, body: Array("a=1".utf8), purpose: "test request"))
    #expect(response.status == 200 && response.text == "ok")
    #expect(try transport.send(HTTPRequest(url: url, purpose: "test request")).status == 200)
    // both requests rode the prepared connection: libcurl opened none of its own
    #expect(server.connections == 1)
    #expect(server.requests.map(\.connection) == [1, 1])
    #expect(transport.connectionsOpened == 1)
  }

  @Test func aConnectionClosedWithoutAnAnswerIsNamedAResetAndRetryable() throws {
    let server = try LoopbackServer { _ in nil }
    defer { server.stop() }
    let transport = try CurlTransport(options: options)
    let error = try #require(throws: HTTPError.self) {
      try transport.send(HTTPRequest(url: server.url + "/token", purpose: "test request"))
    }
    guard case .reset = error else {
      Issue.record("expected a reset, got \(error)")
      return
    }
    #expect(error.isRetryable)
    #expect(error.description.contains("the connection was reset or closed before the response was complete"))
  }

  @Test func aHostAlreadyConnectedIsNotPreparedAgain() throws {
    let server = try LoopbackServer { _ in LoopbackServer.response(200, "ok") }
    defer { server.stop() }
    let transport = try CurlTransport(options: options)
    #expect(try transport.send(HTTPRequest(url: server.url + "/a", purpose: "test request")).status == 200)
    transport.prepare(server.url + "/b")
    realSleep(0.2)
    #expect(server.connections == 1)
    #expect(try transport.send(HTTPRequest(url: server.url + "/b", purpose: "test request")).status == 200)
    #expect(server.connections == 1 && transport.connectionsOpened == 1)
  }

  @Test func withPreconnectOffNothingIsOpenedAhead() throws {
    let server = try LoopbackServer { _ in LoopbackServer.response(200, "ok") }
    defer { server.stop() }
    var quiet = options
    quiet.preconnect = false
    let transport = try CurlTransport(options: quiet)
    transport.prepare(server.url + "/token")
    realSleep(0.2)
    #expect(server.connections == 0)
    #expect(try transport.send(HTTPRequest(url: server.url + "/token", purpose: "test request")).status == 200)
    #expect(server.connections == 1)
  }

  @Test func aProxyInTheEnvironmentTurnsPreconnectOff() throws {
    #expect(CurlOptions.proxyConfigured(in: Environment(["https_proxy": "http://proxy:3128"])))
    #expect(CurlOptions.proxyConfigured(in: Environment(["ALL_PROXY": "socks5://proxy"])))
    #expect(
      !CurlOptions.proxyConfigured(in: Environment(["HTTP_PROXY": "http://ignored-by-libcurl", "no_proxy": "*"])))
    let context = try Context.live(
      environment: Environment(["https_proxy": "http://proxy:3128"]), options: options, retry: RetryPolicy())
    let transport = try #require(context.transport as? RetryingTransport)
    #expect(transport.base is CurlTransport && (transport.base as? CurlTransport)?.options.preconnect == false)
  }

  @Test func aPreparedConnectionThatFailsLeavesTheErrorToTheRequest() throws {
    let server = try LoopbackServer { _ in nil }
    let url = server.url
    server.stop()
    realSleep(0.05)
    let transport = try CurlTransport(options: options)
    transport.prepare(url)
    let error = #expect(throws: HTTPError.self) { try transport.send(HTTPRequest(url: url, purpose: "test request")) }
    guard case .connection = error else {
      Issue.record("expected a connection error, got \(String(describing: error))")
      return
    }
  }

  @Test func errorStatusesAreResponsesNotThrows() throws {
    let server = try LoopbackServer { _ in LoopbackServer.response(401, "no") }
    defer { server.stop() }
    let response = try CurlTransport(options: options).send(HTTPRequest(url: server.url, purpose: "test request"))
    #expect(response.status == 401)
  }

  @Test(arguments: [true, false])
  func capsTheResponseBody(announced: Bool) throws {
    let big = String(repeating: "x", count: 4096)
    let server = try LoopbackServer { _ in
      announced
        ? LoopbackServer.response(200, big)
        : Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n\(big)".utf8)
    }
    defer { server.stop() }
    var small = options
    small.maxBodyBytes = 1024
    #expect(throws: HTTPError.bodyTooLarge(purpose: "test request", url: server.url, limit: 1024)) {
      try CurlTransport(options: small).send(HTTPRequest(url: server.url, purpose: "test request"))
    }
  }

  @Test func truncatedBodyIsReportedAsTruncated() throws {
    let server = try LoopbackServer { _ in
      Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort".utf8)
    }
    defer { server.stop() }
    // The server closes the connection after sending less than announced.
    let error = #expect(throws: HTTPError.self) {
      try CurlTransport(options: options).send(HTTPRequest(url: server.url, purpose: "test request"))
    }
    #expect(error == .truncated(purpose: "test request", url: server.url))
    #expect(error?.isRetryable == true)
  }

  @Test func timeoutIsReportedAndRetryable() throws {
    let server = try LoopbackServer { _ in
      sleep(3)
      return LoopbackServer.response(200, "late")
    }
    defer { server.stop() }
    var fast = options
    fast.totalTimeout = 0.5
    let error = #expect(throws: HTTPError.self) {
      try CurlTransport(options: fast).send(HTTPRequest(url: server.url, purpose: "test request"))
    }
    #expect(error == .timeout(purpose: "test request", url: server.url, seconds: 0.5))
    #expect(error?.isRetryable == true)
  }

  @Test func aRequestsOwnShorterTimeoutWins() throws {
    let server = try LoopbackServer { _ in
      sleep(3)
      return LoopbackServer.response(200, "late")
    }
    defer { server.stop() }
    var request = HTTPRequest(url: server.url, purpose: "probe")
    request.timeout = 0.3
    let started = monotonicSeconds()
    let error = #expect(throws: HTTPError.self) { try CurlTransport(options: options).send(request) }
    #expect(error == .timeout(purpose: "probe", url: server.url, seconds: 0.3))
    #expect(monotonicSeconds() - started < 1.5, "the request's 0.3 s, not the transport's 2 s")
  }

  @Test func refusedConnectionIsAConnectionError() throws {
    let server = try LoopbackServer { _ in nil }
    let url = server.url
    server.stop()
    let error = #expect(throws: HTTPError.self) {
      try CurlTransport(options: options).send(HTTPRequest(url: url, purpose: "test request"))
    }
    guard case .connection = error else {
      Issue.record("expected a connection error, got \(String(describing: error))")
      return
    }
  }

  @Test func tlsVerificationFailureIsNotRetryable() throws {
    // A plain-HTTP server spoken to with https fails the handshake, not verification;
    // a CA bundle that does not exist is a TLS trust failure and must not be retried.
    let server = try LoopbackServer { _ in LoopbackServer.response(200, "") }
    defer { server.stop() }
    var bad = options
    bad.caBundle = "/nonexistent/ca.pem"
    let error = #expect(throws: HTTPError.self) {
      try CurlTransport(options: bad).send(
        HTTPRequest(url: "https://127.0.0.1:\(server.port)/", purpose: "test request"))
    }
    #expect(error?.isRetryable == false)
  }

  @Test func caBundleComesFromTheUsualVariables() {
    #expect(CurlOptions.caBundle(from: Environment(["SSL_CERT_FILE": "/a"])) == "/a")
    #expect(CurlOptions.caBundle(from: Environment(["CURL_CA_BUNDLE": "/b"])) == "/b")
    #expect(CurlOptions.caBundle(from: Environment(["REQUESTS_CA_BUNDLE": "/c"])) == "/c")
    #expect(CurlOptions.caBundle(from: Environment([:])) == nil)
  }
}
