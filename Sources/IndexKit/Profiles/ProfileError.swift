/// A profile file or profile that cannot be used: one sentence naming the file or profile,
/// what is wrong and what to do.
///
/// Exit 2 (6 when an output file cannot be written).
package struct ProfileError: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus

  package init(_ message: String, exitStatus: ExitStatus = .usage) {
    self.message = message
    self.exitStatus = exitStatus
  }

  package var description: String { message }

  /// About the decrypted bytes; completes "… its decrypted data …".
  static func plaintext(_ reason: String) -> ProfileError { ProfileError("its decrypted data \(reason)") }

  /// This error's text as the end of a sentence about `subject` ("The profile file X …").
  func about(_ subject: String) -> ProfileError {
    let text = message.hasSuffix(".") ? String(message.dropLast()) : message
    return ProfileError("\(subject) \(text).", exitStatus: exitStatus)
  }
}
