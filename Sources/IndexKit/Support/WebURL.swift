/// An absolute http(s) URL split into the parts indexkey needs.
///
/// Deliberately small: scheme, host, optional port, path and query. Credentials in
/// the URL are refused at parse time, so a secret can never ride along in one.
package struct WebURL: Sendable, Equatable, Hashable, CustomStringConvertible {
  package var scheme: String
  package var host: String
  package var port: Int?
  package var path: String
  package var query: String?

  /// Parses `text`; `what` names the input in the error ("the index URL").
  package init(_ text: String, what: String) throws(ConfigError) {
    let trimmed = text.trimmingSpaces
    if !SingleLine.holds(trimmed) {
      throw ConfigError(
        "\(what) contains a line break or another control character; give the URL on one line (encode such characters as %0A, %09, …)."
      )
    }
    guard let schemeEnd = trimmed.firstRange(of: "://") else {
      throw ConfigError("\(what) '\(trimmed)' is not an absolute URL; give it as https://HOST/PATH.")
    }
    let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
    guard scheme == "https" || scheme == "http" else {
      throw ConfigError(
        "\(what) '\(trimmed)' uses the scheme '\(scheme)'; only https (or http on loopback) is supported.")
    }
    var rest = trimmed[schemeEnd.upperBound...]
    if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    if authority.contains("@") {
      throw ConfigError(
        "\(what) contains credentials (user:password@); remove them — indexkey writes the credentials itself.")
    }
    var hostPart = Substring(authority)
    var port: Int?
    if let colon = hostPart.lastIndex(of: ":"), !hostPart[colon...].contains("]") {
      let digits = hostPart[hostPart.index(after: colon)...]
      guard let p = Int(digits), (1...65535).contains(p) else {
        throw ConfigError("\(what) '\(trimmed)' has an invalid port '\(digits)'.")
      }
      port = p
      hostPart = hostPart[..<colon]
    }
    guard !hostPart.isEmpty,
      hostPart.allSatisfy({ $0.isLetter || $0.isNumber || "-._[]:".contains($0) })
    else {
      throw ConfigError("\(what) '\(trimmed)' has no valid host name.")
    }
    var pathAndQuery = rest[authorityEnd...]
    var query: String?
    if let q = pathAndQuery.firstIndex(of: "?") {
      query = String(pathAndQuery[pathAndQuery.index(after: q)...])
      pathAndQuery = pathAndQuery[..<q]
    }
    self.scheme = scheme
    self.host = hostPart.lowercased()
    self.port = port
    self.path = pathAndQuery.isEmpty ? "/" : String(pathAndQuery)
    self.query = query
  }

  /// `host` or `host:port`: the netloc pip and uv use as a keyring service.
  package var authority: String {
    port.map { "\(host):\($0)" } ?? host
  }

  /// `scheme://authority`.
  package var origin: String { "\(scheme)://\(authority)" }

  package var description: String {
    origin + path + (query.map { "?\($0)" } ?? "")
  }

  /// The path split on `/`, without empty segments.
  package var segments: [String] {
    path.split(separator: "/").map(String.init)
  }

  /// True for an IP literal in 127.0.0.0/8, for `::1`, and for exactly `localhost`
  /// (a name like `127.example.com` is not: it resolves wherever its owner wants).
  package var isLoopback: Bool {
    if host == "localhost" || host == "[::1]" || host == "::1" { return true }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127"
      && octets.allSatisfy {
        !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0.isASCII && $0.isNumber } && (Int($0) ?? 256) <= 255
      }
  }

  /// The same URL with another path (and no query).
  package func with(path: String) -> WebURL {
    var copy = self
    copy.path = path.hasPrefix("/") ? path : "/" + path
    copy.query = nil
    return copy
  }

  /// Adds `name=value` to the query, after any existing parameters.
  package func appendingQuery(_ name: String, _ value: String) -> WebURL {
    var copy = self
    let pair = "\(PercentEncoding.encode(name))=\(PercentEncoding.encode(value))"
    if let q = query, !q.isEmpty {
      copy.query = q.hasSuffix("&") ? q + pair : q + "&" + pair
    } else {
      copy.query = pair
    }
    return copy
  }

  /// The URL with percent-encoded credentials in its authority, as pip reads them.
  package func withCredentials(username: String, password: Secret, usernameIsSecret: Bool = false) -> SecretText {
    let user = PercentEncoding.encode(username)
    let pass = PercentEncoding.encode(password.revealed)
    let tail = path + (query.map { "?\($0)" } ?? "")
    let shownUser: SecretText = usernameIsSecret ? "\(secret: user)" : SecretText(plain: user)
    return "\(scheme)://\(shownUser):\(secret: pass)@\(authority)\(tail)"
  }

  /// Refuses a URL that is not https, unless it points at this machine.
  ///
  /// Used for every endpoint override: a token must never travel in clear text.
  package func requireSecureTransport(_ what: String) throws(ConfigError) {
    if scheme != "https" && !isLoopback {
      throw ConfigError(
        "\(what) '\(self)' is not https; only https endpoints are allowed (plain http only on 127.0.0.1 or localhost).")
    }
  }
}

extension StringProtocol {
  /// The text without leading and trailing spaces, tabs and line breaks.
  var trimmingSpaces: String {
    var s = Substring(self)
    while let f = s.first, f.isWhitespace { s.removeFirst() }
    while let l = s.last, l.isWhitespace { s.removeLast() }
    return String(s)
  }
}
