/// A token kept in a file that something else refreshes (Kubernetes projected tokens,
/// `AZURE_FEDERATED_TOKEN_FILE`, `--identity file:PATH`).
///
/// Read anew on every call.
package struct FileIdentity: IdentitySource {
  package var path: String
  /// How the path was given ("AZURE_FEDERATED_TOKEN_FILE"), for messages.
  package var origin: String

  package init(path: String, origin: String) {
    self.path = path
    self.origin = origin
  }

  package var name: String { "the token file \(path) (\(origin))" }

  package func idToken(audience: String, in context: Context) throws -> Secret {
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
package struct EnvIdentity: IdentitySource {
  package var variable: String

  package init(variable: String) { self.variable = variable }

  package var name: String { "the environment variable \(variable)" }

  package func idToken(audience: String, in context: Context) throws -> Secret {
    guard let value = context.environment[variable] else {
      throw IdentityError(
        "The environment variable \(variable) (named by --identity env:\(variable)) is not set or empty.")
    }
    return try Secret(value).requireJWT(from: "the variable \(variable)")
  }
}

extension FileIdentity {
  /// The file named by a variable (`AZURE_FEDERATED_TOKEN_FILE`, `AWS_WEB_IDENTITY_TOKEN_FILE`).
  static func fromVariable(_ variable: String, in environment: Environment, hint: String) throws -> FileIdentity {
    guard let path = environment[variable] else {
      throw IdentityError("\(variable) is not set. \(hint)")
    }
    return FileIdentity(path: path, origin: variable)
  }

  static let azureHint =
    "On AKS, label the pod with azure.workload.identity/use: \"true\" and give it a service account annotated with azure.workload.identity/client-id, so that the webhook projects the token file."
  static let awsHint =
    "On EKS, annotate the pod's service account with eks.amazonaws.com/role-arn (IRSA); elsewhere write the CI token to a file and export AWS_WEB_IDENTITY_TOKEN_FILE with its path."
}
