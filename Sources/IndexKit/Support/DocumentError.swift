/// A service's answer (JSON or XML) that could not be read, or lacked what was needed:
/// names the document and the problem, e.g. "The Entra ID token response has no
/// "access_token" field."
package struct DocumentError: Error, Equatable, Sendable, CustomStringConvertible {
  package var document: String
  package var problem: String

  package init(document: String, problem: String) {
    self.document = document
    self.problem = problem
  }

  package var description: String { "The \(document) \(problem)." }
}
