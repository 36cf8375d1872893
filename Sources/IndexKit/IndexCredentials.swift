/// IndexKit's public surface: one index's credential, minted the way `indexkey token URL` mints
/// it (the same plan, credential chains, checks and errors), for a Swift program that wants an
/// index's password without running the executable.
///
/// Everything else in the module is `package`: the `indexkey` executable and the tests see it,
/// a dependent package does not.
///
/// ```swift
/// import IndexKit
///
/// let credential = try IndexCredentials.mint(
///   forIndex: "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/",
///   environment: ProcessInfo.processInfo.environment)
/// request.setBasicAuth(credential.username, credential.password.revealed)
/// ```
public enum IndexCredentials {
  /// The credential for the index at `url`.
  ///
  /// In CI the password is masked before it is returned, as the executable masks it
  /// (`::add-mask::` on stderr in GitHub Actions, `##vso[task.setsecret]` in Azure Pipelines),
  /// so a later log line cannot show it. Nothing else is printed unless a sign-in needs the
  /// user (a device code on the terminal).
  ///
  /// - Parameters:
  ///   - url: the index URL as pip would be given it (or the registry's upload URL).
  ///   - registry: the registry's name (`azure-artifacts`, `google`, `aws`, …) when the URL's host
  ///     does not say it (a proxy, a private domain); what `--registry` takes.
  ///   - environment: the variables to read: the CI's identity, the registries' settings
  ///     (`INDEXKEY_*`, `AZURE_*`, `GOOGLE_*`, `AWS_*`, …), `HOME` for laptop sign-ins.
  ///   - timeout: seconds each HTTP request may take.
  /// - Returns: the index's credential: its URLs, username, password, expiry and warnings.
  /// - Throws: ``IndexCredentials/Failure`` with indexkey's one-sentence message and exit code.
  public static func mint(
    forIndex url: String, registry: String? = nil, environment: [String: String], timeout: Double = 30
  )
    throws(Failure) -> Credential
  {
    let environment = Environment(environment)
    var options = LoginOptions()
    options.urls = [url]
    options.registry = registry
    do {
      var plan = try Planner.plan(options, environment: environment)
      plan.sinks = []
      let context = try Context.live(environment: environment, timeout: timeout)
      let report = login(plan, in: context)
      guard let outcome = report.results.first?.outcome else {
        throw ConfigError("No index to mint a credential for; give an index URL.")
      }
      let credential = try outcome.get()
      return Credential(
        indexURL: credential.index.simpleURL.description, uploadURL: credential.index.uploadURL?.description,
        username: credential.username, password: Password(credential.password.revealed),
        expiresAt: credential.expiresAt, warnings: credential.warnings)
    } catch {
      let reported = asUserFacing(error)
      throw Failure(message: reported.message, exitCode: reported.exitStatus.rawValue)
    }
  }

  /// A short-lived credential for one index.
  public struct Credential: Sendable {
    /// Where pip and uv install from (with a trailing slash).
    public let indexURL: String
    /// Where twine uploads to, when the registry has one.
    public let uploadURL: String?
    public let username: String
    public let password: Password
    /// When the registry said the password stops working, in seconds since 1970; nil when it did
    /// not say.
    public let expiresAt: Double?
    /// Things the caller should know although the exchange worked (full sentences).
    public let warnings: [String]
  }

  /// A password that prints as `***`: interpolating it into a message or a log cannot leak it.
  public struct Password: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The raw value; use it only to put the password where it is meant to go.
    public let revealed: String
    public var description: String { "***" }
    public var debugDescription: String { "Password(***)" }

    init(_ revealed: String) {
      self.revealed = revealed
    }
  }

  /// Why no credential was minted: indexkey's one-sentence message (never a secret) and the
  /// exit code the executable would end with (DESIGN.md §5).
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32
    public var description: String { message }
  }
}
