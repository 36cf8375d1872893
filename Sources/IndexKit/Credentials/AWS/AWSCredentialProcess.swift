internal import Glibc

/// `credential_process`: a command (split like a POSIX shell would, run without one, as
/// botocore does) that prints `{"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken"?, "Expiration"?}` on stdout.
package struct AWSCredentialProcess: Sendable {
  package var command: String
  package var profile: String
  package static let timeout = 60.0

  package init(command: String, profile: String) {
    self.command = command
    self.profile = profile
  }

  var display: String { "the credential_process of the AWS profile '\(profile)'" }

  package func run(in context: Context) throws -> AWSSession {
    let arguments = try Self.split(command, profile: profile)
    let output: ProcessOutput
    do {
      output = try context.processRunner.run(arguments, environment: context.environment, timeout: Self.timeout)
    } catch .couldNotStart(_, let code) where code == ENOENT {
      throw IdentityError("Could not run \(display): '\(arguments[0])' was not found.")
    } catch {
      throw IdentityError("Could not run \(display): \(error.description)")
    }
    guard output.status == 0 else {
      let detail = ProcessToken.stderrExcerpt(output.stderr)
      throw IdentityError(
        "\(display) failed with exit status \(output.status)\(detail.isEmpty ? " and printed nothing on stderr" : ": \(detail)")."
      )
    }
    let document = "output of \(display)"
    let session: AWSSession
    do throws(DocumentError) {
      let json = try JSON(parsing: output.stdout, document: document).requireObject(document)
      guard json["Version"]?.intValue == 1 else {
        throw DocumentError(document: document, problem: "has no \"Version\": 1 (the only version the AWS SDKs read)")
      }
      session = try AWSSession.fromJSON(json, document: document, principal: display)
    } catch {
      throw IdentityError(error.description)
    }
    try Freshness.check(
      "keys", from: display, stated: session.expiresAt, token: nil, now: context.clock.now(), exitStatus: .noIdentity)
    return session
  }

  /// The words of `command` as a POSIX shell splits them: blanks separate, single quotes
  /// keep everything, double quotes keep all but `\"` and `\\`, a backslash escapes the next
  /// character.
  ///
  /// No expansion of any kind.
  package static func split(_ command: String, profile: String) throws(ConfigError) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = Array(command).makeIterator()
    let unclosed = ConfigError(
      "The credential_process of the AWS profile '\(profile)' has an unclosed quote or a trailing backslash.")
    while let c = iterator.next() {
      switch c {
      case " ", "\t", "\n":
        if inWord { words.append(word) }
        word = ""
        inWord = false
      case "'":
        inWord = true
        while true {
          guard let q = iterator.next() else { throw unclosed }
          if q == "'" { break }
          word.append(q)
        }
      case "\"":
        inWord = true
        while true {
          guard let q = iterator.next() else { throw unclosed }
          if q == "\"" { break }
          if q == "\\" {
            guard let next = iterator.next() else { throw unclosed }
            if next != "\"" && next != "\\" && next != "$" && next != "`" { word.append(q) }
            word.append(next)
          } else {
            word.append(q)
          }
        }
      case "\\":
        guard let next = iterator.next() else { throw unclosed }
        inWord = true
        word.append(next)
      default:
        inWord = true
        word.append(c)
      }
    }
    if inWord { words.append(word) }
    guard !words.isEmpty else {
      throw ConfigError("The credential_process of the AWS profile '\(profile)' is empty.")
    }
    return words
  }
}
