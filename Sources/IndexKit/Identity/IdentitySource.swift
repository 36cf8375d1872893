/// Where a CI OIDC token comes from.
///
/// Every call fetches a **fresh** token for the audience asked for; nothing is cached,
/// because CI tokens live minutes and PyPI refuses a token it has seen before.
///
/// ```swift
/// let token = try source.idToken(audience: "api://AzureADTokenExchange", in: context)
/// ```
public protocol IdentitySource: Sendable {
  /// What the source is, for messages: "GitHub Actions OIDC", "the file /var/run/…".
  var name: String { get }
  func idToken(audience: String, in context: Context) throws -> Secret
}

/// Why no identity token could be had: exit 3.
public struct IdentityError: UserFacingError, Equatable {
  public var message: String
  public var exitStatus: ExitStatus

  public init(_ message: String, exitStatus: ExitStatus = .noIdentity) {
    self.message = message
    self.exitStatus = exitStatus
  }

  public var description: String { message }
}

/// `--identity` values: `auto`, `github`, `file:PATH`, `env:NAME`.
public enum IdentitySpec: Sendable, Equatable {
  case auto
  case github
  case file(String)
  case env(String)

  public init(parsing text: String) throws(ConfigError) {
    if text == "auto" {
      self = .auto
    } else if text == "github" || text == "github-actions" {
      self = .github
    } else if text.hasPrefix("file:"), text.count > 5 {
      self = .file(String(text.dropFirst(5)))
    } else if text.hasPrefix("env:"), text.count > 4 {
      self = .env(String(text.dropFirst(4)))
    } else {
      throw ConfigError("--identity '\(text)' is not understood; use auto, github, file:PATH or env:NAME.")
    }
  }

  /// The source this spec names (``AmbientIdentity`` for `auto`).
  public func source(environment: Environment) throws(ConfigError) -> any IdentitySource {
    switch self {
    case .auto: return AmbientIdentity()
    case .github: return AmbientIdentity(only: .github)
    case .file(let path): return FileIdentity(path: path, origin: "--identity file:")
    case .env(let name):
      guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw ConfigError("--identity env:\(name) does not name a valid environment variable.")
      }
      return EnvIdentity(variable: name)
    }
  }
}

extension Secret {
  /// Checks that a token read from a file, variable or endpoint looks like a JWT.
  func requireJWT(from source: String) throws -> Secret {
    let trimmed = Secret(revealed.trimmingSpaces)
    if trimmed.revealed.isEmpty {
      throw IdentityError("The OIDC token from \(source) is empty.")
    }
    if trimmed.revealed.split(separator: ".", omittingEmptySubsequences: false).count != 3 {
      throw IdentityError("The value from \(source) is not a JWT (expected three dot-separated parts); give the OIDC token itself.")
    }
    return trimmed
  }
}
