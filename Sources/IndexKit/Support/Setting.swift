/// One configuration input of a registry or credential link, declared once: its flag, the
/// environment variables that stand in for it, whether it is secret, and its help.
///
/// Everything else is derived from the declarations: the command line's options and help,
/// the keyring helper's table of variables, `indexkey doctor`'s lists of variables set and
/// missing, and the keyring cache key's scope.
///
/// ```swift
/// static let clientID = Setting.value("azure-client-id", "ID", env: ["AZURE_CLIENT_ID"], help: "Entra application (client) id.")
/// let id = settings[clientID]   // the flag, else AZURE_CLIENT_ID
/// ```
package struct Setting: Sendable, Hashable {
  package enum Kind: Sendable, Hashable {
    /// `--name VALUE`; the placeholder names the value in help ("ID", "URL").
    case value(placeholder: String)
    /// `--name` alone; a variable turns it on with 1, true, yes or on.
    case toggle
  }

  package enum Secrecy: Sendable, Hashable {
    case plain
    /// From the environment only (never argv); only its digest enters the cache key.
    case secret
    /// Like ``secret``, or read from the file `NAME_FILE` names.
    case secretOrFile
  }

  /// The long flag without dashes; nil for a setting the environment alone gives.
  package var flag: String?
  /// The variables read when the flag is not given, first set wins.
  package var variables: [String]
  package var kind: Kind
  package var secrecy: Secrecy
  /// The variable names a file whose contents decide the identity (a key or certificate
  /// file): its digest enters the cache key, so a replaced file is not served a stale token.
  package var namesIdentityFile: Bool
  /// One sentence for `--help` and the keyring help, without the variable names.
  package var help: String

  package init(
    flag: String?, variables: [String], kind: Kind, secrecy: Secrecy = .plain, namesIdentityFile: Bool = false,
    help: String
  ) {
    self.flag = flag
    self.variables = variables
    self.kind = kind
    self.secrecy = secrecy
    self.namesIdentityFile = namesIdentityFile
    self.help = help
  }

  /// `--flag VALUE`, else the first of `env`.
  package static func value(
    _ flag: String, _ placeholder: String, env: [String] = [], identityFile: Bool = false, help: String
  )
    -> Setting
  {
    Setting(
      flag: flag, variables: env, kind: .value(placeholder: placeholder), namesIdentityFile: identityFile, help: help)
  }

  /// `--flag` alone turns it on.
  package static func toggle(_ flag: String, env: [String] = [], help: String) -> Setting {
    Setting(flag: flag, variables: env, kind: .toggle, help: help)
  }

  /// A variable with no flag.
  package static func variable(_ name: String, identityFile: Bool = false, help: String) -> Setting {
    Setting(
      flag: nil, variables: [name], kind: .value(placeholder: "VALUE"), namesIdentityFile: identityFile, help: help)
  }

  /// A variable with no flag that turns something on (1, true, yes, on).
  package static func switchVariable(_ name: String, help: String) -> Setting {
    Setting(flag: nil, variables: [name], kind: .toggle, help: help)
  }

  /// A secret: environment only, optionally `NAME_FILE`.
  package static func secret(_ name: String, file: Bool, help: String) -> Setting {
    Setting(
      flag: nil, variables: [name], kind: .value(placeholder: "VALUE"), secrecy: file ? .secretOrFile : .secret,
      help: help)
  }

  package var isSecret: Bool { secrecy != .plain }

  /// Every variable name this setting reads, `NAME_FILE` included.
  package var variableNames: [String] {
    secrecy == .secretOrFile ? variables.flatMap { [$0, $0 + "_FILE"] } : variables
  }

  /// For messages: `--flag` or the first variable.
  package var label: String { flag.map { "--" + $0 } ?? variables.first ?? "" }
}

extension Array where Element == Setting {
  /// These settings without repeats, in order.
  package var unique: [Setting] {
    var seen: Set<Setting> = []
    return filter { seen.insert($0).inserted }
  }

  /// The environment variables they read, each once, in order.
  package var variableNames: [String] {
    var seen: Set<String> = []
    return flatMap(\.variableNames).filter { seen.insert($0).inserted }
  }
}
