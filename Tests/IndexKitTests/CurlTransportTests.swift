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
    var request = HTTPRequest(method: .post, url: server.url + "/token", body: Array("a=1&b=2".utf8), purpose: "test request")
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
    let server = try LoopbackServer { _ in Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort".utf8) }
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
      try CurlTransport(options: bad).send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/", purpose: "test request"))
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
