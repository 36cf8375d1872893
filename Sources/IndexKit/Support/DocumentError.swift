/// A service's answer (JSON or XML) that could not be read, or lacked what was needed:
/// names the document and the problem, e.g. "The Entra ID token response has no
/// "access_token" field."
public struct DocumentError: Error, Equatable, Sendable, CustomStringConvertible {
  public var document: String
  public var problem: String

  public init(document: String, problem: String) {
    self.document = document
    self.problem = problem
  }

  public var description: String { "The \(document) \(problem)." }
}
