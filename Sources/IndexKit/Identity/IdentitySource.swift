/// Where a CI OIDC token comes from.
///
/// Every call fetches a **fresh** token for the audience asked for; nothing is cached,
/// because CI tokens live minutes and PyPI refuses a token it has seen before. An empty
/// audience asks for the CI's default audience (`indexkey claims` without `--audience`).
///
/// ```swift
/// let token = try source.idToken(audience: "api://AzureADTokenExchange", in: context)
/// ```
package protocol IdentitySource: Sendable {
  /// What the source is, for messages: "GitHub Actions OIDC", "the file /var/run/…".
  var name: String { get }
  func idToken(audience: String, in context: Context) throws -> Secret

  /// A token will be asked for after something else is done (PyPI's audience lookup):
  /// a source that fetches it over HTTP may open that connection meanwhile.
  func prepare(in context: Context)
}

extension IdentitySource {
  package func prepare(in context: Context) {}
}

/// Why no identity token could be had: exit 3.
package struct IdentityError: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus

  package init(_ message: String, exitStatus: ExitStatus = .noIdentity) {
    self.message = message
    self.exitStatus = exitStatus
  }

  package var description: String { message }
}

/// An `--identity` value: `auto`, a CI name (`github`), or `KIND:ARGUMENT` (`file:PATH`, `env:NAME`,
/// `command:CMD`, `azure-pipelines:SERVICE_CONNECTION_ID`).
package struct IdentitySpec: Sendable, Equatable {
  package var kind: String
  package var argument: String?

  package static let auto = IdentitySpec(kind: "auto", argument: nil)

  package init(kind: String, argument: String?) {
    self.kind = kind
    self.argument = argument
  }

  package init(parsing text: String) throws(ConfigError) {
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
    let argumentFits = entry.takesArgument ? argument != nil : (argument == nil || entry.optionalArgument)
    if !argumentFits || argument == "" {
      throw ConfigError("--identity '\(text)' is not understood; use one of: \(IdentitySources.usage).")
    }
  }

  /// The source this spec names (``AmbientIdentity`` for `auto`).
  package func source(environment: Environment) throws(ConfigError) -> any IdentitySource {
    guard let entry = IdentitySources.entry(kind) else {
      throw ConfigError("--identity '\(kind)' is not understood; use one of: \(IdentitySources.usage).")
    }
    return try entry.make(argument ?? "", environment)
  }
}

/// The `--identity` kinds and how each source is built.
package enum IdentitySources {
  package struct Entry: Sendable {
    package var kind: String
    /// True when `KIND:ARGUMENT` is required.
    package var takesArgument: Bool
    /// True when `KIND` and `KIND:ARGUMENT` are both accepted (the argument is then optional).
    package var optionalArgument: Bool
    package var usage: String
    package var make: @Sendable (String, Environment) throws(ConfigError) -> any IdentitySource

    package init(
      kind: String, takesArgument: Bool, optionalArgument: Bool = false, usage: String,
      make: @escaping @Sendable (String, Environment) throws(ConfigError) -> any IdentitySource
    ) {
      self.kind = kind
      self.takesArgument = takesArgument
      self.optionalArgument = optionalArgument
      self.usage = usage
      self.make = make
    }

    /// An entry for a CI or runtime that ``AmbientIdentity`` can also detect: `--identity NAME`
    /// skips detection and uses that detector's source even when its marker variable is absent.
    static func ci(_ kind: String) -> Entry {
      Entry(kind: kind, takesArgument: false, usage: kind) { _, _ in AmbientIdentity(only: kind) }
    }
  }

  package static let all: [Entry] = [
    Entry(kind: "auto", takesArgument: false, usage: "auto") { _, _ in AmbientIdentity() },
    .ci("github"),
    .ci("gitlab"),
    .ci("buildkite"),
    .ci("circleci"),
    .ci("bitbucket"),
    Entry(
      kind: "azure-pipelines", takesArgument: false, optionalArgument: true,
      usage: "azure-pipelines[:SERVICE_CONNECTION_ID]"
    ) { id, _ in
      AmbientIdentity(only: "azure-pipelines", serviceConnectionID: id.isEmpty ? nil : id)
    },
    .ci("azure-token-file"),
    .ci("aws-token-file"),
    .ci("gcp-metadata"),
    Entry(kind: "file", takesArgument: true, usage: "file:PATH") { path, _ in
      FileIdentity(path: path, origin: "--identity file:")
    },
    Entry(kind: "env", takesArgument: true, usage: "env:NAME") { (name, _) throws(ConfigError) in
      guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
        throw ConfigError("--identity env:\(name) does not name a valid environment variable.")
      }
      return EnvIdentity(variable: name)
    },
    Entry(kind: "command", takesArgument: true, usage: "command:CMD") { command, _ in
      CommandIdentity(command: command)
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
      throw IdentityError(
        "The value from \(source) is not a JWT (expected three dot-separated parts); give the OIDC token itself.")
    }
    return trimmed
  }
}

extension IdentitySpec {
  /// The `--identity` value combined with `--azure-service-connection-id`, which selects
  /// the Azure Pipelines source with that service connection.
  package static func planned(_ text: String?, serviceConnection: String?) throws(ConfigError) -> IdentitySpec {
    var spec = try IdentitySpec(parsing: text ?? "auto")
    guard let connection = serviceConnection, !connection.isEmpty else { return spec }
    switch (spec.kind, spec.argument) {
    case ("auto", _), ("azure-pipelines", nil):
      spec = IdentitySpec(kind: "azure-pipelines", argument: connection)
    case ("azure-pipelines", let given?) where given == connection:
      break
    case ("azure-pipelines", _):
      throw ConfigError(
        "--azure-service-connection-id \(connection) and --identity \(text ?? "") name different service connections; give one."
      )
    default:
      throw ConfigError(
        "--azure-service-connection-id applies to the Azure Pipelines identity, but --identity \(text ?? "") chose another source; drop one of them."
      )
    }
    return spec
  }
}
