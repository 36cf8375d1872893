import IndexKit

/// Shared helpers for the registry tests: GitHub-style claims, a CI identity that counts
/// its tokens, and a context around a stub transport.
enum RegistryFixtures {
  static let now: UnixTime = 1_790_000_000

  /// The claims of a push to main in octo-org/app, as GitHub Actions issues them.
  static func githubClaims(audience: String, jti: String, extra: [(String, JSON)] = []) -> [(String, JSON)] {
    let workflow = "octo-org/app/.github/workflows/release.yml@refs/heads/main"
    var claims: [(String, JSON)] = [
      ("iss", .string("https://token.actions.githubusercontent.com")),
      ("sub", .string("repo:octo-org/app:ref:refs/heads/main")),
      ("aud", .string(audience)),
      ("jti", .string(jti)),
      ("repository", .string("octo-org/app")),
      ("repository_owner", .string("octo-org")),
      ("repository_owner_id", .string("9919")),
      ("workflow_ref", .string(workflow)),
      ("job_workflow_ref", .string(workflow)),
      ("ref", .string("refs/heads/main")),
      ("iat", .integer(Int64(now))),
      ("exp", .integer(Int64(now) + 300)),
    ]
    for (name, value) in extra {
      claims.removeAll { $0.0 == name }
      if value != .null { claims.append((name, value)) }
    }
    return claims
  }

  static func context(_ transport: StubTransport, environment: [String: String] = [:]) -> Context {
    Context(
      transport: transport, environment: Environment(environment), clock: FixedClock(now), sleep: { _ in },
      console: CapturingConsole().console, home: "/nonexistent")
  }

  static func response(_ status: Int, _ json: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "application/json")], text: json)
  }

  static func url(_ text: String) -> WebURL {
    // Test inputs are literals known to parse.
    (try? WebURL(text, what: "test URL")) ?? { fatalError("bad test URL \(text)") }()
  }
}

/// A CI identity that hands out a new token (new `jti`) on every call and records the
/// audiences asked for, so tests can prove no token is reused.
final class CountingIdentity: IdentitySource {
  private let state = Locked<(audiences: [String], tokens: [String])>(([], []))
  let claims: @Sendable (_ audience: String, _ jti: String) -> [(String, JSON)]

  init(
    claims: @escaping @Sendable (_ audience: String, _ jti: String) -> [(String, JSON)] = { audience, jti in
      RegistryFixtures.githubClaims(audience: audience, jti: jti)
    }
  ) {
    self.claims = claims
  }

  var name: String { "the test CI" }
  var audiences: [String] { state.withLock { $0.audiences } }
  var tokens: [String] { state.withLock { $0.tokens } }

  func idToken(audience: String, in context: Context) throws -> Secret {
    let token = state.withLock { s -> String in
      let jti = "jti-\(s.tokens.count + 1)"
      let t = unsignedJWT(claims(audience, jti))
      s.audiences.append(audience)
      s.tokens.append(t)
      return t
    }
    return Secret(token)
  }
}

/// A CI identity that is not there.
struct MissingIdentity: IdentitySource {
  var name: String { "GitHub Actions OIDC" }
  func idToken(audience: String, in context: Context) throws -> Secret {
    throw IdentityError("GitHub Actions did not give this job an OIDC token.")
  }
}
