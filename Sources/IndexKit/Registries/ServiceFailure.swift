/// The message for an answer the retries could not fix (5xx, 429), whatever its body says.
enum ServiceFailure {
  /// - Parameters:
  ///   - service: "Google STS", "AWS STS", …
  ///   - endpoint: the endpoint that answered.
  ///   - status: the HTTP status it answered.
  ///   - detail: the service's own error code and text, if it sent any.
  ///   - provider: who runs it, for "… may be having trouble".
  /// - Returns: one sentence naming the endpoint and status and saying to try again later.
  static func message(service: String, endpoint: String, status: Int, detail: String?, provider: String) -> String {
    let said = detail.map { " (\($0))" } ?? ""
    return
      "The \(service) endpoint \(endpoint) answered HTTP \(status)\(said) after retries; \(provider) may be having trouble, try again later."
  }
}
