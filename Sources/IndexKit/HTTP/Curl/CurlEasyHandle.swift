internal import CCurl
import Glibc

/// Settings the transport applies to every request.
package struct CurlOptions: Sendable, Equatable {
  package var connectTimeout: Double
  package var totalTimeout: Double
  package var userAgent: String
  /// CA bundle path (`SSL_CERT_FILE` and friends); nil: the system trust store.
  package var caBundle: String?
  /// Hashed CA directory (`SSL_CERT_DIR`); nil: the distribution's, if it has one.
  package var caDirectory: String?
  /// Largest response body read, in bytes.
  package var maxBodyBytes: Int
  package var verbose: Bool
  /// Open the exchange host's connection while the CI token is fetched
  /// (``HTTPTransport/prepare(_:)``); off when a proxy is configured, since libcurl then
  /// connects to the proxy instead.
  package var preconnect: Bool

  package init(
    connectTimeout: Double = 10, totalTimeout: Double = 30, userAgent: String = "indexkey/\(indexkeyVersion)",
    caBundle: String? = nil, caDirectory: String? = nil, maxBodyBytes: Int = 1 << 20, verbose: Bool = false,
    preconnect: Bool = true
  ) {
    self.connectTimeout = connectTimeout
    self.totalTimeout = totalTimeout
    self.userAgent = userAgent
    self.caBundle = caBundle
    self.caDirectory = caDirectory
    self.maxBodyBytes = maxBodyBytes
    self.verbose = verbose
    self.preconnect = preconnect
  }

  /// Whether libcurl will use a proxy read from these variables (it reads the lower-case
  /// `http_proxy` only, and both spellings of the others).
  package static func proxyConfigured(in environment: Environment) -> Bool {
    ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"].contains { !(environment[$0] ?? "").isEmpty }
  }

  /// The CA bundle named by `SSL_CERT_FILE`, `CURL_CA_BUNDLE` or `REQUESTS_CA_BUNDLE`.
  package static func caBundle(from environment: Environment) -> String? {
    environment["SSL_CERT_FILE"] ?? environment["CURL_CA_BUNDLE"] ?? environment["REQUESTS_CA_BUNDLE"]
  }

  /// The hashed CA directory named by `SSL_CERT_DIR`.
  package static func caDirectory(from environment: Environment) -> String? {
    environment["SSL_CERT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
  }
}

/// What the callbacks fill while a transfer runs.
private final class TransferBuffer {
  var body: [UInt8] = []
  var headers: [HTTPHeader] = []
  var overflowed = false
  let limit: Int

  init(limit: Int) { self.limit = limit }
}

/// The one type that owns a libcurl easy handle.
///
/// Reused for every request of a worker, so libcurl's connection cache keeps connections open
/// between requests.
final class CurlEasyHandle {
  private let handle: UnsafeMutableRawPointer
  private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
  /// New connections opened by this handle so far (for benchmarks and tests).
  private(set) var connectionsOpened = 0

  /// The store TLS connections verify against, chosen on the first request (nil inside:
  /// libcurl's own CA handling).
  private var trust: SharedStore??
  /// The trust setting to use instead of the one `TrustStore.select` picks (tests).
  private let chosenTrust: TrustStore?

  /// Why libcurl could not be loaded, if it could not (loaded once per process).
  private static let loadFailure: HTTPError? = {
    var reason = [CChar](repeating: 0, count: 512)
    switch ccurl_load(&reason, reason.count) {
    case 0: return nil
    case -2: return .libcurlTooOld(found: String(cBuffer: reason), minimum: LibcurlFeatures.minimum)
    default: return .libcurlMissing(detail: String(cBuffer: reason))
    }
  }()

  init(trust: TrustStore? = nil) throws(HTTPError) {
    chosenTrust = trust
    if let failure = Self.loadFailure {
      throw failure
    }
    guard let h = ccurl_easy_init() else {
      throw .setup(detail: "curl_easy_init failed")
    }
    handle = h
  }

  deinit {
    ccurl_easy_cleanup(handle)
    errorBuffer.deallocate()
  }

  /// Performs one request; an HTTP error status is a response, not a throw.
  ///
  /// - Parameters:
  ///   - request: the method, URL, headers and body to send.
  ///   - options: timeouts, trust store and size limits.
  ///   - preconnected: a socket already connected to the request's host and port
  ///     (``Preconnection``); libcurl uses it instead of connecting, unless it reuses a
  ///     connection it has, in which case the socket is closed.
  /// - Returns: the status, headers and body, whatever the status.
  /// - Throws: ``HTTPError`` when no response came (connection, TLS, timeout, an oversized body).
  func perform(
    _ request: HTTPRequest, options: CurlOptions,
    preconnected: (host: String, port: Int, socket: PreconnectedSocket)? = nil
  ) throws(HTTPError) -> HTTPResponse {
    ccurl_easy_reset(handle)
    errorBuffer[0] = 0
    let buffer = TransferBuffer(limit: options.maxBodyBytes)
    var headerList: UnsafeMutablePointer<curl_slist>?
    var resolveList: UnsafeMutablePointer<curl_slist>?
    let handOff = preconnected.map { SocketHandOff($0.socket) }
    defer {
      ccurl_slist_free_all(headerList)
      ccurl_slist_free_all(resolveList)
      handOff?.closeIfUnused()
    }

    do {
      try set(CURLOPT_URL, string: request.url)
      try set(CURLOPT_NOSIGNAL, 1)
      try set(CURLOPT_FOLLOWLOCATION, 0)
      try check(ccurl_setopt_http_only(handle), "CURLOPT_PROTOCOLS")
      try set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(options.connectTimeout, request.timeout ?? .infinity) * 1000))
      try set(CURLOPT_TIMEOUT_MS, Int(min(options.totalTimeout, request.timeout ?? .infinity) * 1000))
      try set(CURLOPT_USERAGENT, string: options.userAgent)
      try set(CURLOPT_VERBOSE, options.verbose ? 1 : 0)
      // Refuses an announced Content-Length over the cap before reading the body; the
      // write callback enforces the cap for bodies without one.
      try check(ccurl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(options.maxBodyBytes)), "MAXFILESIZE")
      try setTrust(options)
      try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
      switch request.method {
      case .get:
        try set(CURLOPT_HTTPGET, 1)
      case .post, .put:
        if request.method == .put { try set(CURLOPT_CUSTOMREQUEST, string: "PUT") }
        try set(CURLOPT_POST, 1)
        try check(
          ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "POSTFIELDSIZE")
        try request.body.withUnsafeBufferPointer { (buf: UnsafeBufferPointer<UInt8>) throws(HTTPError) in
          try check(
            ccurl_setopt_pointer(
              handle, CURLOPT_COPYPOSTFIELDS,
              UnsafeMutableRawPointer(mutating: buf.baseAddress ?? UnsafePointer(bitPattern: 1))), "COPYPOSTFIELDS")
        }
      }
      var headers = request.headers
      if request.method != .get && !headers.contains(where: { $0.name.lowercased() == "expect" }) {
        headers.append(HTTPHeader("Expect", ""))  // no 100-continue round trip
      }
      for h in headers {
        headerList = ccurl_slist_append(headerList, h.value.isEmpty ? "\(h.name):" : "\(h.name): \(h.value)")
      }
      try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER")
      if let preconnected, let handOff {
        // Pin the name to the address the socket is connected to, then hand the socket over.
        resolveList = ccurl_slist_append(
          nil, "\(preconnected.host):\(preconnected.port):\(preconnected.socket.numericHost)")
        try check(ccurl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList), "CURLOPT_RESOLVE")
        let client = Unmanaged.passUnretained(handOff).toOpaque()
        try check(ccurl_setopt_opensocket(handle, curlOpenSocket), "OPENSOCKETFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, client), "OPENSOCKETDATA")
        try check(ccurl_setopt_sockopt(handle, curlSocketOptions), "SOCKOPTFUNCTION")
        try check(ccurl_setopt_pointer(handle, CURLOPT_SOCKOPTDATA, client), "SOCKOPTDATA")
      }
    }

    let context = Unmanaged.passUnretained(buffer).toOpaque()
    try check(ccurl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "WRITEFUNCTION")
    try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
    try check(ccurl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "HEADERFUNCTION")
    try check(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")

    let code = withExtendedLifetime((buffer, handOff)) { ccurl_easy_perform(handle) }
    var connects = 0
    _ = ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
    connectionsOpened += connects
    guard code == CURLE_OK else {
      throw mapError(code, request: request, options: options, overflowed: buffer.overflowed)
    }
    var status = 0
    _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
    return HTTPResponse(status: status, headers: buffer.headers, body: buffer.body)
  }

  /// Points verification at the process's shared store, or, when there is none, at the
  /// named bundle through libcurl's own option.
  private func setTrust(_ options: CurlOptions) throws(HTTPError) {
    if trust == nil {
      trust = (chosenTrust ?? TrustStore.select(caBundle: options.caBundle, caDirectory: options.caDirectory))?.shared()
    }
    if let store = trust ?? nil {
      try check(ccurl_setopt_trust(handle, store.pointer), "CURLOPT_SSL_CTX_FUNCTION")
    } else if let ca = options.caBundle {
      try set(CURLOPT_CAINFO, string: ca)
    }
  }

  /// The shared store this handle verifies against, once a request chose it.
  var trustStore: SharedStore? { trust ?? nil }

  private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
    try check(ccurl_setopt_long(handle, option, value), "\(option)")
  }

  private func set(_ option: CURLoption, string value: String) throws(HTTPError) {
    try check(ccurl_setopt_string(handle, option, value), "\(option)")
  }

  private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
    guard code == CURLE_OK else {
      throw .setup(detail: "setting \(what): \(String(cString: ccurl_easy_strerror(code)))")
    }
  }

  private func mapError(_ code: CURLcode, request: HTTPRequest, options: CurlOptions, overflowed: Bool) -> HTTPError {
    let detailText = String(cString: errorBuffer)
    var detail = detailText.isEmpty ? String(cString: ccurl_easy_strerror(code)) : detailText
    if code == CURLE_SSL_CACERT_BADFILE, let failure = trustStore?.failure { detail = failure }
    let (purpose, url) = (request.purpose, request.url)
    switch code {
    case CURLE_OPERATION_TIMEDOUT:
      return .timeout(purpose: purpose, url: url, seconds: min(options.totalTimeout, request.timeout ?? .infinity))
    case CURLE_PARTIAL_FILE:
      return .truncated(purpose: purpose, url: url)
    case CURLE_FILESIZE_EXCEEDED:  // an announced Content-Length over the cap
      return .bodyTooLarge(purpose: purpose, url: url, limit: options.maxBodyBytes)
    case CURLE_WRITE_ERROR where overflowed:  // the write callback stopped an unannounced body
      return .bodyTooLarge(purpose: purpose, url: url, limit: options.maxBodyBytes)
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
      CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return .tls(purpose: purpose, url: url, detail: detail)
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
      return .dns(purpose: purpose, url: url, detail: detail)
    case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR:
      return .reset(purpose: purpose, url: url, detail: detail)
    case CURLE_SSL_CONNECT_ERROR:
      return .handshake(purpose: purpose, url: url, detail: detail)
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_FAILED_INIT, CURLE_OUT_OF_MEMORY:
      return .setup(detail: "\(purpose) to \(url): \(detail)")
    default:
      return .connection(purpose: purpose, url: url, detail: detail)
    }
  }
}

private let curlWriteBody: ccurl_write_callback = { data, size, count, context in
  guard let data, let context else { return 0 }
  let buffer = Unmanaged<TransferBuffer>.fromOpaque(context).takeUnretainedValue()
  let n = size * count
  if buffer.body.count + n > buffer.limit {
    buffer.overflowed = true
    return 0
  }
  data.withMemoryRebound(to: UInt8.self, capacity: n) {
    buffer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
  }
  return n
}

/// Hands libcurl the preconnected socket when it asks for one to that very address;
/// any other socket is opened as libcurl would.
private let curlOpenSocket: curl_opensocket_callback = { client, purpose, address in
  guard let address else { return CURL_SOCKET_BAD }
  let a = address.pointee
  if let client, purpose == CURLSOCKTYPE_IPCXN {
    let handOff = Unmanaged<SocketHandOff>.fromOpaque(client).takeUnretainedValue()
    let wanted = handOff.socket.address
    if !handOff.used, Int(a.addrlen) == wanted.count,
      wanted.withUnsafeBytes({ bytes in
        guard let mine = bytes.baseAddress, let theirs = ccurl_sockaddr_bytes(address) else { return false }
        return memcmp(mine, theirs, wanted.count) == 0
      })
    {
      handOff.used = true
      return handOff.socket.fd
    }
  }
  return socket(a.family, a.socktype, a.protocol)
}

/// Tells libcurl not to connect the socket it was handed: it is connected.
private let curlSocketOptions: curl_sockopt_callback = { client, fd, _ in
  guard let client else { return Int32(CURL_SOCKOPT_OK) }
  let handOff = Unmanaged<SocketHandOff>.fromOpaque(client).takeUnretainedValue()
  return handOff.used && fd == handOff.socket.fd ? Int32(CURL_SOCKOPT_ALREADY_CONNECTED) : Int32(CURL_SOCKOPT_OK)
}

private let curlWriteHeader: ccurl_write_callback = { data, size, count, context in
  guard let data, let context else { return 0 }
  let buffer = Unmanaged<TransferBuffer>.fromOpaque(context).takeUnretainedValue()
  let n = size * count
  let line = data.withMemoryRebound(to: UInt8.self, capacity: n) {
    String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
  }.trimmingSpaces
  if line.hasPrefix("HTTP/") {
    buffer.headers.removeAll()  // a new response (after 100 Continue or a proxy CONNECT)
  } else if let colon = line.firstIndex(of: ":") {
    buffer.headers.append(HTTPHeader(String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces))
  }
  return n
}
