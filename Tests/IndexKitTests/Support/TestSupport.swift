import Glibc

@testable import IndexKit

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
  var template = Array("/tmp/indexkey-test-XXXXXX".utf8CString)
  guard let made = mkdtemp(&template) else { throw ConfigError("mkdtemp failed") }
  let path = String(cString: made)
  defer { _ = system("rm -rf '\(path)'") }
  return try body(path)
}

func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
  _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
  close(fd)
}

func readFile(_ path: String) -> String? {
  try? FileIO.readText(path)
}

func fileMode(_ path: String) -> mode_t {
  var st = stat()
  stat(path, &st)
  return st.st_mode & 0o777
}

/// The tests' one builder of unsigned JWTs: these claims, a fixed RS256 header and a fixed
/// signature segment (nothing here verifies signatures; registries and sources only decode).
func unsignedJWT(_ claims: JSON, signature: String = "c2lnbmF0dXJlLXNlZ21lbnQ") -> String {
  let header = Base64.encodeURL(Array(#"{"alg":"RS256","kid":"test-key","typ":"JWT"}"#.utf8))
  return "\(header).\(Base64.encodeURL(Array(claims.serialized().utf8))).\(signature)"
}

/// ``unsignedJWT(_:signature:)`` with the claims as members.
func unsignedJWT(_ claims: [(String, JSON)], signature: String = "c2lnbmF0dXJlLXNlZ21lbnQ") -> String {
  unsignedJWT(JSON.object(claims), signature: signature)
}

let githubClaims: JSON = .object([
  ("iss", .string("https://token.actions.githubusercontent.com")),
  ("sub", .string("repo:octo-org/app:ref:refs/heads/main")),
  ("aud", .string("api://AzureADTokenExchange")),
  ("exp", .integer(1_800_000_300)),
  ("iat", .integer(1_800_000_000)),
  ("repository", .string("octo-org/app")),
  ("workflow_ref", .string("octo-org/app/.github/workflows/ci.yml@refs/heads/main")),
  ("job_workflow_ref", .string("octo-org/app/.github/workflows/ci.yml@refs/heads/main")),
])

/// A context over a stub transport, a fixed clock and a capturing console.
func testContext(
  _ transport: StubTransport, env: [String: String] = [:], console: CapturingConsole = CapturingConsole()
)
  -> Context
{
  Context(
    transport: transport, environment: Environment(env), clock: FixedClock(1_800_000_000), sleep: { _ in },
    console: console.console)
}

func form(_ body: [UInt8]) -> [String: String] {
  var out: [String: String] = [:]
  for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
    out[PercentEncoding.decode(kv[0]) ?? kv[0]] = kv.count > 1 ? PercentEncoding.decode(kv[1]) : ""
  }
  return out
}

/// A URL a test wrote by hand; a typo in it stops the run with the URL named.
func fixtureURL(_ text: String) -> WebURL {
  do {
    return try WebURL(text, what: "the test's URL")
  } catch {
    fatalError("fixture URL '\(text)': \(error)")
  }
}

/// The index `registry` makes of a URL a test wrote by hand.
func fixtureTarget(_ registry: any Registry.Type, _ url: String) -> IndexTarget {
  do {
    return try registry.target(for: fixtureURL(url))
  } catch {
    fatalError("fixture index '\(url)' for \(registry.name): \(error)")
  }
}
