import Glibc

/// A TCP connection opened on a thread of its own before its request can be sent: while
/// the CI token is fetched, the exchange host's name is resolved and its TCP handshake
/// done, so the exchange request then costs the TLS handshake and the request alone.
///
/// libcurl takes the socket through `CURLOPT_OPENSOCKETFUNCTION` (see ``SocketHandOff``);
/// TLS, certificate checks and everything above TCP stay libcurl's.
final class Preconnection: @unchecked Sendable {
  let host: String
  let port: Int
  private let timeout: Double
  private var thread: pthread_t?
  // Written by the connecting thread before it ends; read only after `take()` joined it.
  private var connected: PreconnectedSocket?

  /// Starts connecting at once; nil when no thread could be started.
  init?(host: String, port: Int, timeout: Double) {
    self.host = host
    self.port = port
    self.timeout = timeout
    var thread = pthread_t()
    let me = Unmanaged.passRetained(self).toOpaque()
    let rc = pthread_create(
      &thread, nil,
      { arg in
        guard let arg else { return nil }
        let me = Unmanaged<Preconnection>.fromOpaque(arg).takeRetainedValue()
        me.connected = Preconnection.connect(host: me.host, port: me.port, timeout: me.timeout)
        return nil
      }, me)
    guard rc == 0 else {
      Unmanaged<Preconnection>.fromOpaque(me).release()
      return nil
    }
    self.thread = thread
  }

  deinit {
    if let socket = take() { close(socket.fd) }
  }

  /// Waits for the connect to end, then hands over the socket (once): nil when it failed,
  /// and libcurl connects as usual (reporting the real error if there is one).
  func take() -> PreconnectedSocket? {
    if let thread {
      pthread_join(thread, nil)
      self.thread = nil
    }
    defer { connected = nil }
    return connected
  }

  /// Resolves `host` and connects to the first of its IPv4 addresses that answers; every
  /// address but the last gets at most a second.
  ///
  /// IPv4 only: CI runners often have no IPv6 route, and older libcurl releases reject some
  /// IPv6 `CURLOPT_RESOLVE` entries outright, failing the request; a host with no IPv4
  /// address is left to libcurl.
  static func connect(host: String, port: Int, timeout: Double) -> PreconnectedSocket? {
    var hints = addrinfo()
    hints.ai_family = AF_INET
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else { return nil }
    defer { freeaddrinfo(list) }
    var candidates: [addrinfo] = []
    var next: UnsafeMutablePointer<addrinfo>? = list
    while let entry = next {  // IPv4 only: the hints ask for AF_INET
      candidates.append(entry.pointee)
      next = entry.pointee.ai_next
    }
    let deadline = monotonicSeconds() + timeout
    for (i, candidate) in candidates.enumerated() {
      let left = deadline - monotonicSeconds()
      guard left > 0 else { return nil }
      let budget = i == candidates.count - 1 ? left : min(left, 1)
      if let socket = connect(candidate, within: budget) { return socket }
    }
    return nil
  }

  private static func connect(_ address: addrinfo, within seconds: Double) -> PreconnectedSocket? {
    let kind = address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    let fd = socket(address.ai_family, kind, address.ai_protocol)
    guard fd >= 0 else { return nil }
    var ok = Glibc.connect(fd, address.ai_addr, address.ai_addrlen) == 0
    if !ok && errno == EINPROGRESS {
      var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      var status: Int32 = -1
      var length = socklen_t(MemoryLayout<Int32>.size)
      ok =
        poll(&poller, 1, Int32(seconds * 1000)) == 1
        && getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) == 0 && status == 0
    }
    guard ok else {
      close(fd)
      return nil
    }
    let bytes = Array(UnsafeRawBufferPointer(start: address.ai_addr, count: Int(address.ai_addrlen)))
    return PreconnectedSocket(fd: fd, address: bytes, numericHost: numericHost(address))
  }

  private static func numericHost(_ address: addrinfo) -> String {
    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    guard getnameinfo(address.ai_addr, address.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0
    else { return "" }
    return String(cBuffer: text)
  }
}

/// A connected TCP socket and the address it is connected to.
struct PreconnectedSocket {
  var fd: Int32
  /// The peer's socket address, byte for byte, as getaddrinfo gave it.
  var address: [UInt8]
  /// The address as `CURLOPT_RESOLVE` takes it (dotted IPv4).
  var numericHost: String
}

/// What the socket callbacks of one transfer see: the socket to hand over when libcurl
/// asks for one to the same address, and whether it did.
final class SocketHandOff {
  let socket: PreconnectedSocket
  var used = false

  init(_ socket: PreconnectedSocket) { self.socket = socket }

  /// Closes the socket if libcurl did not take it (it reused a connection instead).
  func closeIfUnused() {
    if !used { close(socket.fd) }
  }
}
