internal import Glibc

/// The Azure CLI's login: `az account get-access-token --resource R --output json`
/// (`--tenant` with `AZURE_TENANT_ID`), stopped after ``timeout`` seconds (PROTOCOLS.md §11).
///
/// az prints `accessToken` with `expires_on` (epoch seconds, az 2.54 and later) and
/// `expiresOn` (local time, older ones). Its failures become one sentence saying what to run;
/// its own words are quoted with anything shaped like a token removed.
package struct AzureCLI: Sendable {
  package var tenantID: String?
  package var timeout: Double
  /// The program; `az` from PATH.
  package var executable: String

  package init(tenantID: String? = nil, timeout: Double = Self.defaultTimeout, executable: String = "az") {
    self.tenantID = tenantID
    self.timeout = timeout
    self.executable = executable
  }

  /// azure-identity's AzureCliCredential waits 10 s; az's own start-up takes a good part of that.
  package static let defaultTimeout = 30.0

  package static func make(_ environment: Environment) throws(ConfigError) -> AzureCLI {
    var cli = AzureCLI(tenantID: environment["AZURE_TENANT_ID"])
    if let text = environment["INDEXKEY_AZURE_CLI_TIMEOUT"] {
      guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
        throw ConfigError("INDEXKEY_AZURE_CLI_TIMEOUT '\(text)' is not a positive number of seconds.")
      }
      cli.timeout = seconds
    }
    return cli
  }

  /// Whether `az` is on PATH (a look at the directories, nothing run).
  package static func isInstalled(_ environment: Environment, executable: String = "az") -> Bool {
    Executables.find(executable, path: environment["PATH"]) != nil
  }

  package var arguments: [String] {
    var args = [executable, "account", "get-access-token", "--resource", AzureAccessToken.resource, "--output", "json"]
    if let tenantID { args += ["--tenant", tenantID] }
    return args
  }

  package func accessToken(in context: Context) throws -> AzureAccessToken {
    let output: ProcessOutput
    do {
      output = try context.processRunner.run(arguments, environment: context.environment, timeout: timeout)
    } catch .couldNotStart(_, let code) where code == ENOENT {
      throw AzureCLIError.notInstalled
    } catch .timedOut {
      throw AzureCLIError.timedOut(timeout)
    } catch {
      throw AzureCLIError.failed("\(error.description)")
    }
    guard output.status == 0 else { throw Self.explain(output.stderr, tenantID: tenantID) }
    return try Self.parse(output.stdout, now: context.clock.now())
  }

  static func parse(_ stdout: [UInt8], now: UnixTime) throws -> AzureAccessToken {
    let document = "the output of az account get-access-token"
    let body: JSON
    do {
      body = try JSON(parsing: stdout, document: document).requireObject(document)
    } catch {
      throw AzureCLIError.failed("az printed something that is not its JSON answer (\(error.description))")
    }
    guard let token = body["accessToken"]?.stringValue, !token.isEmpty else {
      throw AzureCLIError.failed("az's answer has no accessToken")
    }
    var stated: UnixTime?
    if let epoch = ManagedIdentity.number(body["expires_on"]) {
      stated = ServerTime.instant(epoch)
    } else if let local = body["expiresOn"]?.stringValue {
      stated = Self.localTime(local)
    }
    let secret = Secret(token)
    let expiresAt = try Freshness.check(
      "an access token", from: "the Azure CLI", stated: stated, token: secret, now: now)
    return AzureAccessToken(value: secret, expiresAt: expiresAt, holder: .person)
  }

  /// `2026-12-05 09:12:33.123456` in the machine's time zone, as older az versions print it.
  static func localTime(_ text: String) -> UnixTime? {
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" || $0 == "." || $0 == "T" })
    guard parts.count >= 6, let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
      let hour = Int32(parts[3]), let minute = Int32(parts[4]), let second = Int32(parts[5])
    else { return nil }
    var t = tm()
    t.tm_year = year - 1900
    t.tm_mon = month - 1
    t.tm_mday = day
    t.tm_hour = hour
    t.tm_min = minute
    t.tm_sec = second
    t.tm_isdst = -1
    let epoch = mktime(&t)
    return epoch == -1 ? nil : UnixTime(epoch)
  }

  /// One sentence from az's stderr: not signed in, a sign-in that expired or was revoked
  /// (with the AADSTS code), or az's own words.
  static func explain(_ stderr: [UInt8], tenantID: String?) -> AzureCLIError {
    let text = String(decoding: stderr, as: UTF8.self)
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    let first = lines.first.map { $0.hasPrefix("ERROR: ") ? String($0.dropFirst(7)) : $0 } ?? ""
    if text.contains("Please run 'az login'") || text.contains("Please run \"az login\"") {
      return .notSignedIn
    }
    if let command = lines.first(where: { $0.hasPrefix("az login") }) {
      let code = first.split(separator: ":").first.map(String.init).flatMap { $0.hasPrefix("AADSTS") ? $0 : nil }
      return .signInNeeded(code: code, command: command)
    }
    return .failed("az account get-access-token failed: \(ProcessToken.redactingTokens(String(first.prefix(300))))")
  }
}

/// Why the Azure CLI gave no token; each case a sentence saying what to do (exit 3).
package enum AzureCLIError: UserFacingError, Equatable {
  case notInstalled
  case notSignedIn
  /// The CLI's sign-in expired or was revoked; `command` is the `az login …` it suggests.
  case signInNeeded(code: String?, command: String)
  case timedOut(Double)
  case failed(String)

  package var description: String {
    switch self {
    case .notInstalled:
      "The Azure CLI (az) is not installed or not on PATH; install it (https://aka.ms/InstallAzureCLI) and run az login, or sign in with indexkey's device code."
    case .notSignedIn:
      "The Azure CLI is not signed in; run az login."
    case .signInNeeded(let code, let command):
      "The Azure CLI's sign-in has expired or was revoked\(code.map { " (\($0))" } ?? ""); run \(command)."
    case .timedOut(let seconds):
      "The Azure CLI did not answer within \(HTTPError.format(seconds)) s (az account get-access-token); check that az works in a terminal, or raise INDEXKEY_AZURE_CLI_TIMEOUT."
    case .failed(let text):
      "The Azure CLI gave no token: \(text)."
    }
  }

  package var exitStatus: ExitStatus { .noIdentity }
}

/// Programs looked up on PATH without running them.
enum Executables {
  /// The first executable regular file named `name` in the directories of `path`.
  static func find(_ name: String, path: String?) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/\(name)"
      var st = stat()
      if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
        return candidate
      }
    }
    return nil
  }
}
