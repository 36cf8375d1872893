import Glibc
import IndexKit

/// A tiny HTTP/1.1 server on 127.0.0.1 for testing the real curl transport.
///
/// Each accepted connection is served on its own thread: requests are read one after
/// another (keep-alive), and `respond` returns the raw bytes to send back (or nil to
/// close the connection without answering).
final class LoopbackServer: @unchecked Sendable {
  struct Received: Sendable {
    var requestLine: String
    var headers: [String: String]
    var body: [UInt8]
    var connection: Int
  }

  let port: UInt16
  private let listener: Int32
  private let respond: @Sendable (Received) -> [UInt8]?
  private let state = Locked<(requests: [Received], connections: Int)>(([], 0))

  init(respond: @escaping @Sendable (Received) -> [UInt8]?) throws {
    self.respond = respond
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    self.listener = listener
    var one: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) }
    }
    listen(listener, 16)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
    }
    port = UInt16(bigEndian: addr.sin_port)
    let box = Unmanaged.passRetained(self)
    var thread = pthread_t()
    pthread_create(
      &thread, nil,
      { arg in
        guard let arg else { return nil }
        let server = Unmanaged<LoopbackServer>.fromOpaque(arg).takeRetainedValue()
        server.acceptLoop()
        return nil
      }, box.toOpaque())
    pthread_detach(thread)
  }

  var url: String { "http://127.0.0.1:\(port)" }
  var requests: [Received] { state.withLock { $0.requests } }
  var connections: Int { state.withLock { $0.connections } }

  /// Wakes the accept loop, which then closes the listening socket itself: closing it
  /// here could let the number be reused by another server while the loop still uses it.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
  }

  private func acceptLoop() {
    defer { close(listener) }
    while true {
      let fd = accept(listener, nil, nil)
      if fd < 0 {
        if errno == EINTR { continue }
        return
      }
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      let id = state.withLock { s -> Int in
        s.connections += 1
        return s.connections
      }
      let job = Unmanaged.passRetained(ConnectionJob(server: self, fd: fd, id: id))
      var thread = pthread_t()
      pthread_create(
        &thread, nil,
        { arg in
          guard let arg else { return nil }
          let job = Unmanaged<ConnectionJob>.fromOpaque(arg).takeRetainedValue()
          job.server.serve(job.fd, id: job.id)
          return nil
        }, job.toOpaque())
      pthread_detach(thread)
    }
  }

  private final class ConnectionJob {
    let server: LoopbackServer
    let fd: Int32
    let id: Int
    init(server: LoopbackServer, fd: Int32, id: Int) {
      self.server = server
      self.fd = fd
      self.id = id
    }
  }

  private func serve(_ fd: Int32, id: Int) {
    defer { close(fd) }
    var buffer: [UInt8] = []
    while true {
      guard let headerEnd = readUntilHeaders(fd, &buffer) else { return }
      let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
      buffer.removeFirst(headerEnd + 4)
      let lines = head.split(separator: "\r\n").map(String.init)
      var headers: [String: String] = [:]
      for line in lines.dropFirst() {
        if let c = line.firstIndex(of: ":") {
          headers[line[..<c].lowercased()] = String(line[line.index(after: c)...]).trimmingCharacters()
        }
      }
      let length = Int(headers["content-length"] ?? "0") ?? 0
      while buffer.count < length {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { return }
        buffer += chunk[0..<n]
      }
      let body = Array(buffer[..<length])
      buffer.removeFirst(length)
      let received = Received(requestLine: lines.first ?? "", headers: headers, body: body, connection: id)
      state.withLock { $0.requests.append(received) }
      guard let reply = respond(received) else { return }
      var sent = 0
      while sent < reply.count {
        let n = reply[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { return }
        sent += n
      }
      if String(decoding: reply.prefix(512), as: UTF8.self).contains("Connection: close") { return }
    }
  }

  private func readUntilHeaders(_ fd: Int32, _ buffer: inout [UInt8]) -> Int? {
    while true {
      if buffer.count >= 4 {
        for i in 0...(buffer.count - 4)
        where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
          return i
        }
      }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let n = read(fd, &chunk, chunk.count)
      if n <= 0 { return nil }
      buffer += chunk[0..<n]
    }
  }

  /// A complete HTTP/1.1 response.
  static func response(_ status: Int, _ body: String, headers: [String: String] = [:]) -> [UInt8] {
    var text = "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\n"
    for (k, v) in headers { text += "\(k): \(v)\r\n" }
    return Array((text + "\r\n" + body).utf8)
  }
}

extension String {
  func trimmingCharacters() -> String {
    var s = Substring(self)
    while s.first == " " { s.removeFirst() }
    while s.last == " " || s.last == "\r" { s.removeLast() }
    return String(s)
  }
}
