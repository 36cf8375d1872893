/// PyPI and TestPyPI trusted publishing (PROTOCOLS.md §9).
///
/// Asks the index for the audience it wants, gets a CI token for it, and mints a
/// 15-minute upload token, used by twine as `__token__` (never handed to installers). Every mint attempt presents a
/// freshly fetched CI token: PyPI refuses a token (`jti`) it has seen before, so a
/// request that may have reached the server is never re-sent as is.
package struct PyPI: Registry {
  package static let name = "pypi"
  package static let aliases = ["testpypi", "trusted-publishing"]
  package static let displayName = "PyPI trusted publishing"
  /// Only the CI identity: nothing else to set.
  package static let settings: [Setting] = []
  package static let username = "__token__"

  package var source: any IdentitySource
  /// Mint attempts in all when the index fails (5xx, 429, no answer).
  package var mintAttempts: Int
  /// Seconds before the second attempt; doubled for each further one.
  package var retryDelay: Double

  package init(source: any IdentitySource, mintAttempts: Int = 3, retryDelay: Double = 1) {
    self.source = source
    self.mintAttempts = max(1, mintAttempts)
    self.retryDelay = retryDelay
  }

  package static func matchesHost(_ url: WebURL) -> Bool {
    ["pypi.org", "www.pypi.org", "upload.pypi.org", "test.pypi.org"].contains(url.host)
  }

  /// The upload URL (`…/legacy/`) or the index's `…/simple/`: both URLs, named
  /// `pypi` or `testpypi` (the `.pypirc` sections twine knows).
  package static func target(for url: WebURL) throws(ConfigError) -> IndexTarget {
    switch url.host {
    case "pypi.org", "www.pypi.org", "upload.pypi.org":
      return IndexTarget(
        given: url, simpleURL: try WebURL("https://pypi.org/simple/", what: "PyPI"),
        uploadURL: try WebURL("https://upload.pypi.org/legacy/", what: "PyPI"), name: "pypi", installable: false)
    case "test.pypi.org":
      return IndexTarget(
        given: url, simpleURL: url.with(path: "/simple/"), uploadURL: url.with(path: "/legacy/"), name: "testpypi",
        installable: false)
    default:
      let segments = url.segments
      guard let last = segments.last, last == "legacy" || last == "simple" else {
        throw ConfigError(
          "'\(url)' is not a trusted-publishing upload URL; expected https://upload.pypi.org/legacy/ or https://test.pypi.org/legacy/ (or another index's …/legacy/)."
        )
      }
      let base = segments.dropLast().map { "/" + $0 }.joined()
      return IndexTarget(
        given: url, simpleURL: url.with(path: base + "/simple/"), uploadURL: url.with(path: base + "/legacy/"),
        name: url.host.hasPrefix("test.") ? "testpypi" : "pypi", installable: false)
    }
  }

  package static func make(settings: Settings, identity: IdentitySpec) throws -> PyPI {
    PyPI(source: try identity.source(environment: settings.environment))
  }

  /// Where the index serves its trusted-publishing endpoints: the upload host.
  static func oidcBase(_ index: IndexTarget) -> String {
    let upload = index.uploadURL ?? index.simpleURL
    let segments = upload.segments.dropLast()
    return upload.origin + segments.map { "/" + $0 }.joined() + "/_/oidc"
  }

  /// One minted token per index host (PyPI or TestPyPI), whatever the URL's spelling.
  package func sharedExchange(for index: IndexTarget) -> String? { Self.oidcBase(index) }

  package func credential(for index: IndexTarget, in context: Context) throws -> Credential {
    let base = Self.oidcBase(index)
    let host = (index.uploadURL ?? index.simpleURL).authority
    source.prepare(in: context)  // GitHub's connection opens during the audience lookup
    let audience = try fetchAudience(base: base, host: host, in: context)
    var attempt = 1
    var last: (token: Secret, problem: String)?
    while true {
      let token = try freshToken(audience: audience, in: context)
      if let last, last.token == token {
        // GitLab's id_tokens, Bitbucket's and CircleCI's preset tokens are one value per
        // job: the failed request may have reached the index, which accepts a token once.
        throw ExchangeError.unavailable(
          "PyPI (\(host)) could not mint an upload token: \(last.problem) \(source.name) gives the same CI token for every request, and PyPI accepts a token only once, so indexkey does not send it again (the failed request may have used it up). Rerun the job for a new token; PyPI's status is at https://status.python.org/."
        )
      }
      let claims = JWTClaims(token: token)
      let requestedAt = context.clock.now()
      let outcome = try mint(token, base: base, in: context)
      switch outcome {
      case .minted(let minted, let expires):
        return Credential(
          index: index, registry: Self.name, username: Self.username, password: minted,
          expiresAt: expires ?? requestedAt + 900, warnings: PyPIRefusal.warnings(for: claims))
      case .refused(let response):
        throw PyPIRefusal.refusal(response, host: host, claims: claims, source: source)
      case .failed(let problem):
        guard attempt < mintAttempts else {
          throw ExchangeError.unavailable(
            "PyPI (\(host)) could not mint an upload token after \(attempt) attempt\(attempt == 1 ? "" : "s"), each with a fresh CI token; the last: \(problem) Wait a few minutes and try again; PyPI's status is at https://status.python.org/."
          )
        }
        last = (token, problem)
        context.sleep(retryDelay * Double(1 << (attempt - 1)))
        attempt += 1
      }
    }
  }

  /// `GET …/_/oidc/audience` → `{"audience": "pypi"}`.
  func fetchAudience(base: String, host: String, in context: Context) throws -> String {
    let endpoint = base + "/audience"
    var request = HTTPRequest(url: endpoint, purpose: "PyPI trusted-publishing audience request")
    request.setHeader("Accept", "application/json")
    let response = try context.transport.send(request)
    let message = (try? JSON(parsing: response.body, document: "PyPI audience error"))?["message"]?.stringValue
    let said = message.map { " (\(Refusal.clean($0)))" } ?? ""
    switch response.status {
    case 200:
      let document = "PyPI trusted-publishing audience response"
      do {
        return try response.jsonObject(document, endpoint: endpoint).string("audience", in: document)
      } catch let error as JSONError {
        throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
      }
    case 403:
      throw ExchangeError.refused(
        "\(host) has trusted publishing turned off right now\(said): \(endpoint) answered HTTP 403. Try again later, or upload with an API token."
      )
    case 404:
      throw ExchangeError.refused(
        "\(host) does not offer trusted publishing: \(endpoint) answered HTTP 404. Check the upload URL (https://upload.pypi.org/legacy/ or https://test.pypi.org/legacy/)."
      )
    default:
      throw ExchangeError.unavailable(
        "\(host) answered the trusted-publishing audience request (\(endpoint)) with HTTP \(response.status)\(said); the index may be down or in maintenance. Try again later; PyPI's status is at https://status.python.org/."
      )
    }
  }

  /// A new CI token; a missing token in a fork's pull request gets its own explanation.
  func freshToken(audience: String, in context: Context) throws -> Secret {
    do {
      return try source.freshToken(audience: audience, in: context)
    } catch let error as IdentityError
      where error.exitStatus == .noIdentity && PyPIRefusal.isForkPullRequest(context.environment)
    {
      throw IdentityError(
        "This job runs for a pull request from a fork, and GitHub gives such jobs no OIDC token even with `permissions: id-token: write`, so trusted publishing cannot work here. Publish from an event forks cannot trigger: a tag push, a release, or workflow_dispatch."
      )
    }
  }

  enum MintOutcome {
    case minted(Secret, expires: UnixTime?)
    /// The index answered with a refusal (4xx other than 429): final.
    case refused(HTTPResponse)
    /// The index failed (5xx, 429, garbage, no answer): worth a fresh attempt.
    case failed(String)
  }

  /// `POST …/_/oidc/mint-token` with `{"token": JWT}`, sent exactly once.
  func mint(_ token: Secret, base: String, in context: Context) throws(HTTPError) -> MintOutcome {
    let endpoint = base + "/mint-token"
    var request = HTTPRequest(
      method: .post, url: endpoint, body: Array(JSON.object([("token", .string(token.revealed))]).serialized().utf8),
      purpose: "PyPI trusted-publishing token request")
    request.setHeader("Content-Type", "application/json")
    request.setHeader("Accept", "application/json")
    request.retryable = false
    let response: HTTPResponse
    do {
      response = try context.transport.send(request)
    } catch  where error.isRetryable {
      return .failed(error.description)
    }
    if response.isServerFailure {
      return .failed("\(endpoint) answered HTTP \(response.status).")
    }
    guard let body = try? JSON(parsing: response.body, document: "PyPI token response"), case .object = body else {
      return response.status == 200 || response.status >= 500
        ? .failed("\(endpoint) answered HTTP \(response.status) with a body that is not JSON.")
        : .refused(response)
    }
    guard response.status == 200 else { return .refused(response) }
    guard let minted = body["token"]?.stringValue, !minted.isEmpty else {
      return .failed("\(endpoint) answered HTTP 200 without a token.")
    }
    return .minted(Secret(minted), expires: body["expires"]?.intValue.flatMap(ServerTime.instant))
  }
}
