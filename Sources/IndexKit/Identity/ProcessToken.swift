internal import Glibc

/// Runs a program that prints an OIDC token on stdout (`buildkite-agent oidc request-token`,
/// `circleci run oidc get`, `--identity command:CMD`) and checks what it printed.
///
/// Failures name the program, its exit status and the last lines of its stderr (with
/// anything shaped like a JWT removed); stdout is never repeated, since it may hold a token.
enum ProcessToken {
  /// - Parameters:
  ///   - arguments: the program and its arguments.
  ///   - display: how to name the command in messages (`buildkite-agent oidc request-token`).
  ///   - environment: the child's whole environment.
  ///   - timeout: seconds before the program is killed.
  ///   - notFound: what to say when the program is not on PATH.
  ///   - context: the process runner to use.
  /// - Returns: the token the program printed, checked to look like a JWT.
  /// - Throws: ``IdentityError`` when the program cannot run, fails, or prints no JWT.
  static func read(
    _ arguments: [String], display: String, environment: Environment, timeout: Double,
    notFound: String, in context: Context
  ) throws -> Secret {
    let output: ProcessOutput
    do {
      output = try context.processRunner.run(arguments, environment: environment, timeout: timeout)
    } catch .couldNotStart(_, let code) where code == ENOENT {
      throw IdentityError(
        "Could not run \(display): '\(arguments.first ?? "")' was not found on PATH.\(notFound.isEmpty ? "" : " " + notFound)"
      )
    } catch {
      throw IdentityError("Could not get an OIDC token from \(display): \(error.description)")
    }
    guard output.status == 0 else {
      let detail = stderrExcerpt(output.stderr)
      throw IdentityError(
        "\(display) failed with exit status \(output.status)\(detail.isEmpty ? " and printed nothing on stderr" : ": \(detail)")."
      )
    }
    let text = String(decoding: output.stdout, as: UTF8.self)
    return try Secret(text).requireJWT(from: "the output of \(display)")
  }

  /// The last non-empty stderr lines (at most 3, 400 characters), JWT-shaped words removed.
  static func stderrExcerpt(_ bytes: [UInt8]) -> String {
    let lines = String(decoding: bytes, as: UTF8.self)
      .split(whereSeparator: \.isNewline)
      .map { $0.trimmingSpaces }
      .filter { !$0.isEmpty }
    var text = lines.suffix(3).joined(separator: " / ")
    text = redactingTokens(text)
    if text.count > 400 { text = String(text.prefix(400)) + "…" }
    return text
  }

  /// Replaces every word that looks like a JWT (three base64url parts, the first a JSON
  /// header: `eyJ…`) with `[token]`; host names and other dotted words stay.
  static func redactingTokens(_ text: String) -> String {
    let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    var out = ""
    var word = ""
    func flush() {
      let parts = word.split(separator: ".", omittingEmptySubsequences: false)
      let jwt = parts.count == 3 && parts[0].hasPrefix("eyJ") && parts[0].count >= 10 && parts[1].count >= 4
      out += jwt ? "[token]" : word
      word = ""
    }
    for c in text {
      if urlSafe.contains(c) {
        word.append(c)
      } else {
        flush()
        out.append(c)
      }
    }
    flush()
    return out
  }
}
