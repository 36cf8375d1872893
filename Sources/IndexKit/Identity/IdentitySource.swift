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

/// An `--identity` value: `auto`, a CI name (`github`), or `KIND:ARGUMENT` (`file:PATH`, `env:NAME`).
public struct IdentitySpec: Sendable, Equatable {
  public var kind: String
  public var argument: String?

  public static let auto = IdentitySpec(kind: "auto", argument: nil)

  public init(kind: String, argument: String?) {
    self.kind = kind
    self.argument = argument
  }

  public init(parsing text: String) throws(ConfigError) {
    if let colon = text.firstIndex(of: ":") {
      kind = String(text[..<colon])
      argument = String(text[text.index(after: colon)...])
    } else {
      kind = text
      argument = nil
    }
    guard let entry = IdentitySources.entry(kind) else {
      throw ConfigError("--identity '\(text)' is not understood; use one of: \(IdentitySources.usage).")
    }
    if entry.takesArgument != (argument != nil) || argument == "" {
      throw ConfigError("--identity '\(text)' is not understood; use one of: \(IdentitySources.usage).")
    }
  }

  /// The source this spec names (``AmbientIdentity`` for `auto`).
  public func source(environment: Environment) throws(ConfigError) -> any IdentitySource {
    guard let entry = IdentitySources.entry(kind) else {
      throw ConfigError("--identity '\(kind)' is not understood; use one of: \(IdentitySources.usage).")
    }
    return try entry.make(argument ?? "", environment)
  }
}

/// The `--identity` kinds and how each source is built.
public enum IdentitySources {
  public struct Entry: Sendable {
    public var kind: String
    public var takesArgument: Bool
    public var usage: String
    public var make: @Sendable (String, Environment) throws(ConfigError) -> any IdentitySource
  }

  public static let all: [Entry] = [
    Entry(kind: "auto", takesArgument: false, usage: "auto") { _, _ in AmbientIdentity() },
    Entry(kind: "github", takesArgument: false, usage: "github") { _, _ in AmbientIdentity(only: "github") },
    Entry(kind: "file", takesArgument: true, usage: "file:PATH") { path, _ in
      FileIdentity(path: path, origin: "--identity file:")
    },
    Entry(kind: "env", takesArgument: true, usage: "env:NAME") { (name, _) throws(ConfigError) in
      guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw ConfigError("--identity env:\(name) does not name a valid environment variable.")
      }
      return EnvIdentity(variable: name)
    },
  ]

  static func entry(_ kind: String) -> Entry? { all.first { $0.kind == kind } }

  static var usage: String { all.map(\.usage).joined(separator: ", ") }
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
