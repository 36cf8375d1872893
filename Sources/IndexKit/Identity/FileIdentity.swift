/// A token kept in a file that something else refreshes (Kubernetes projected tokens,
/// `AZURE_FEDERATED_TOKEN_FILE`, `--identity file:PATH`). Read anew on every call.
public struct FileIdentity: IdentitySource {
  public var path: String
  /// How the path was given ("AZURE_FEDERATED_TOKEN_FILE"), for messages.
  public var origin: String

  public init(path: String, origin: String) {
    self.path = path
    self.origin = origin
  }

  public var name: String { "the token file \(path) (\(origin))" }

  public func idToken(audience: String, in context: Context) throws -> Secret {
    let text: String
    do {
      text = try FileIO.readText(path)
    } catch {
      throw IdentityError("Could not read the OIDC token file given by \(origin): \(error.description).")
    }
    return try Secret(text).requireJWT(from: "the file \(path)")
  }
}

/// A token in an environment variable (`--identity env:NAME`).
public struct EnvIdentity: IdentitySource {
  public var variable: String

  public init(variable: String) { self.variable = variable }

  public var name: String { "the environment variable \(variable)" }

  public func idToken(audience: String, in context: Context) throws -> Secret {
    guard let value = context.environment[variable] else {
      throw IdentityError("The environment variable \(variable) (named by --identity env:\(variable)) is not set or empty.")
    }
    return try Secret(value).requireJWT(from: "the variable \(variable)")
  }
}
