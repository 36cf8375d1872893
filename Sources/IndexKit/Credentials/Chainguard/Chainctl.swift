internal import Glibc

/// Chainguard's CLI on a laptop: `chainctl auth token --audience libraries.cgr.dev` prints a
/// short-lived token (chainctl signs in through the browser and refreshes on its own),
/// stopped after ``timeout`` seconds (PROTOCOLS.md §7, §11).
package struct Chainctl: Sendable {
  package var audience: String
  package var timeout: Double
  package var executable: String

  package init(
    audience: String = Chainguard.defaultAudience, timeout: Double = Self.defaultTimeout,
    executable: String = "chainctl"
  ) {
    self.audience = audience
    self.timeout = timeout
    self.executable = executable
  }

  /// What Chainguard's keyring plugin allows chainctl.
  package static let defaultTimeout = 30.0

  package static func isInstalled(_ environment: Environment) -> Bool {
    Executables.find("chainctl", path: environment["PATH"]) != nil
  }

  package var arguments: [String] { [executable, "auth", "token", "--audience", audience] }

  package func token(in context: Context) throws -> (value: Secret, expiresAt: UnixTime?) {
    let output: ProcessOutput
    do {
      output = try context.processRunner.run(arguments, environment: context.environment, timeout: timeout)
    } catch .couldNotStart(_, let code) where code == ENOENT {
      throw ChainctlError.notInstalled
    } catch .timedOut {
      throw ChainctlError.timedOut(timeout)
    } catch {
      throw ChainctlError.failed(error.description)
    }
    guard output.status == 0 else {
      throw ChainctlError.notSignedIn(ProcessToken.stderrExcerpt(output.stderr))
    }
    let text = String(decoding: output.stdout, as: UTF8.self).trimmingSpaces
    guard !text.isEmpty, !text.contains(where: { $0.isWhitespace }) else {
      throw ChainctlError.failed(
        "chainctl auth token printed \(text.isEmpty ? "nothing" : "more than one token") on stdout")
    }
    let token = Secret(text)
    let expiresAt = try Freshness.check(
      "a token", from: "chainctl", stated: nil, token: token, now: context.clock.now())
    return (token, expiresAt)
  }
}

/// Why chainctl gave no token (exit 3), each a sentence saying what to install or run.
package enum ChainctlError: UserFacingError, Equatable {
  case notInstalled
  /// chainctl failed; the text is the end of its stderr.
  case notSignedIn(String)
  case timedOut(Double)
  case failed(String)

  package var description: String {
    switch self {
    case .notInstalled:
      "chainctl is not installed or not on PATH; install it (https://edu.chainguard.dev/chainguard/chainctl-usage/how-to-install-chainctl/) and run chainctl auth login, or set a pull token in CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN."
    case .notSignedIn(let said):
      "chainctl gave no token\(said.isEmpty ? "" : " (it said: \(said))"); run chainctl auth login (with --headless where no browser opens)."
    case .timedOut(let seconds):
      "chainctl auth token did not finish within \(HTTPError.format(seconds)) s (it may be waiting for a browser sign-in); run chainctl auth login in a terminal first."
    case .failed(let text):
      "chainctl gave no token: \(text)."
    }
  }

  package var exitStatus: ExitStatus { .noIdentity }
}
