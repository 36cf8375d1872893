internal import Glibc

/// The gcloud CLI's active account: `gcloud auth print-access-token`, as the Artifact
/// Registry keyring plugin falls back to.
///
/// The child gets the whole environment (`CLOUDSDK_*` included) and is stopped after
/// ``timeout`` seconds.
///
/// gcloud refreshes a token that has less than 300 s left before printing it, so what it
/// prints is trusted for that long and no longer (it does not print the expiry).
package struct GcloudCLI: Sendable {
  package var program: String
  package var timeout: Double
  package static let defaultTimeout = 30.0
  /// gcloud's `_CREDENTIALS_EXPIRY_WINDOW`: a printed token lives at least this long.
  package static let guaranteedLifetime = 300.0

  package init(program: String = "gcloud", timeout: Double = Self.defaultTimeout) {
    self.program = program
    self.timeout = timeout
  }

  /// The executable on `PATH`, or nil: the probe's question, without running it.
  package static func find(onPath path: String?) -> String? {
    for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/gcloud"
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }

  package func accessToken(in context: Context) throws -> GoogleToken {
    let output: ProcessOutput
    do {
      output = try context.processRunner.run(
        [program, "auth", "print-access-token"], environment: context.environment, timeout: timeout)
    } catch .couldNotStart(_, let code) where code == ENOENT {
      throw IdentityError(
        "The gcloud CLI ('\(program)') was not found; install the Google Cloud CLI and run `gcloud auth login`.")
    } catch {
      throw IdentityError(
        "Could not get an access token from the gcloud CLI: \(error.description)", exitStatus: .network)
    }
    let stderr = String(decoding: output.stderr, as: UTF8.self)
    guard output.status == 0 else {
      if stderr.contains("do not currently have an active account") {
        throw IdentityError(
          "The gcloud CLI has no active account; run `gcloud auth login` (or `gcloud config set account ACCOUNT`).")
      }
      if stderr.contains("Reauthentication") || stderr.contains("invalid_grant")
        || stderr.contains("There was a problem refreshing")
      {
        throw IdentityError(
          "The gcloud CLI's sign-in has expired or was revoked (\(ProcessToken.stderrExcerpt(output.stderr))); run `gcloud auth login`."
        )
      }
      let detail = ProcessToken.stderrExcerpt(output.stderr)
      throw IdentityError(
        "`gcloud auth print-access-token` failed with exit status \(output.status)\(detail.isEmpty ? "" : ": \(detail)")."
      )
    }
    let lines = String(decoding: output.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).map {
      $0.trimmingSpaces
    }.filter { !$0.isEmpty }
    guard lines.count == 1, let token = lines.first, !token.contains(" ") else {
      throw IdentityError(
        "`gcloud auth print-access-token` printed \(lines.count) lines where one access token was expected; check its configuration (a --format in the active configuration?)."
      )
    }
    return GoogleToken(value: Secret(token), expiresAt: context.clock.now() + Self.guaranteedLifetime)
  }
}
