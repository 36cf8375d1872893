import Testing

@testable import IndexKit

@Suite struct RetryTests {
  final class Clock: Sendable {
    let t = Locked(0.0)
    let sleeps = Locked<[Double]>([])
    func sleep(_ s: Double) {
      sleeps.withLock { $0.append(s) }
      t.withLock { $0 += s }
    }
    func now() -> Double { t.withLock { $0 } }
  }

  func retrying(_ stub: StubTransport, _ clock: Clock, _ policy: RetryPolicy = RetryPolicy(random: { 0.5 }))
    -> RetryingTransport
  {
    RetryingTransport(stub, policy: policy, sleep: { clock.sleep($0) }, now: { clock.now() })
  }

  let request = HTTPRequest(url: "https://example.test/token", purpose: "token request")

  @Test(arguments: [500, 502, 503, 504, 429])
  func retriesServerFailuresThenSucceeds(status: Int) throws {
    let stub = StubTransport(sequence: [.success(HTTPResponse(status: status)), .success(HTTPResponse(status: 200))])
    let clock = Clock()
    let response = try retrying(stub, clock).send(request)
    #expect(response.status == 200)
    #expect(stub.requests.count == 2)
    #expect(clock.sleeps.withLock { $0 } == [0.375])
  }

  @Test(arguments: [400, 401, 403, 404])
  func neverRetriesOtherClientErrors(status: Int) throws {
    let stub = StubTransport(sequence: [.success(HTTPResponse(status: status)), .success(HTTPResponse(status: 200))])
    let response = try retrying(stub, Clock()).send(request)
    #expect(response.status == status)
    #expect(stub.requests.count == 1)
  }

  @Test func honoursRetryAfter() throws {
    let stub = StubTransport(sequence: [
      .success(HTTPResponse(status: 429, headers: [HTTPHeader("Retry-After", "3")])),
      .success(HTTPResponse(status: 200)),
    ])
    let clock = Clock()
    _ = try retrying(stub, clock).send(request)
    #expect(clock.sleeps.withLock { $0 } == [3])
  }

  @Test func aRetryAfterBeyondTheLimitEndsRetrying() throws {
    let stub = StubTransport(sequence: [
      .success(HTTPResponse(status: 503, headers: [HTTPHeader("Retry-After", "3600")]))
    ])
    let response = try retrying(stub, Clock()).send(request)
    #expect(response.status == 503)
    #expect(stub.requests.count == 1)
  }

  @Test func backoffGrowsExponentiallyAndGivesUpAfterMaxAttempts() throws {
    let failure = HTTPError.connection(purpose: "token request", url: request.url, detail: "Connection refused")
    let stub = StubTransport(sequence: Array(repeating: .failure(failure), count: 5))
    let clock = Clock()
    let error = #expect(throws: HTTPError.self) { try retrying(stub, clock).send(request) }
    #expect(error == .gaveUp(purpose: "token request", url: request.url, attempts: 4, last: "Connection refused"))
    #expect(stub.requests.count == 4)
    #expect(clock.sleeps.withLock { $0 } == [0.375, 0.75, 1.5])
  }

  @Test func stopsAtTheDeadline() throws {
    let failure = HTTPError.timeout(purpose: "token request", url: request.url, seconds: 30)
    let stub = StubTransport(sequence: Array(repeating: .failure(failure), count: 5))
    let clock = Clock()
    let policy = RetryPolicy(maxAttempts: 10, baseDelay: 10, maxDelay: 100, deadline: 25, random: { 0.5 })
    // Waits 7.5 s then 15 s; the next wait (30 s) would pass the 25 s deadline.
    #expect(throws: HTTPError.self) { try retrying(stub, clock, policy).send(request) }
    #expect(stub.requests.count == 3)
  }

  @Test(arguments: [
    HTTPError.tls(purpose: "p", url: "u", detail: "unable to get local issuer certificate"),
    HTTPError.bodyTooLarge(purpose: "p", url: "u", limit: 1024),
  ])
  func neverRetriesTLSOrOversizedBodies(error: HTTPError) throws {
    let stub = StubTransport(sequence: [.failure(error), .success(HTTPResponse(status: 200))])
    #expect(throws: error) { try retrying(stub, Clock()).send(request) }
    #expect(stub.requests.count == 1)
  }
}
