import IndexKit

/// The command lines run most — `login` and `token` in CI steps, `keyring get` by pip and
/// uv for every index they touch — read directly, without ArgumentParser. Its reflection
/// over some fifty options costs 3–6 ms of a run that otherwise takes a few more.
///
/// Only lines made of known long options and positionals are read here, and only when
/// they are valid; anything else (help, short or unknown options, a missing or invalid
/// value, a repeated single option) returns nil and goes to ArgumentParser, which parses
/// it or explains the error. Tests read the same lines both ways and compare.
enum QuickLine: Equatable {
  case login(LoginOptions, timeout: Double)
  case token(LoginOptions, timeout: Double)
  case keyringGet(KeyringQuery, noCache: Bool)

  enum Kind: Equatable {
    /// `--name VALUE` or `--name=VALUE`, at most once.
    case value
    /// `--name VALUE`, repeatable; the values joined with commas.
    case values
    /// `--name`, no value.
    case flag
  }

  /// Every option of `login` and `token` by long name: the commands' own, then every
  /// registry setting's flag (``SettingsCatalog``).
  static let loginOptions: [String: Kind] = {
    var table: [String: Kind] = [
      "registry": .value, "identity": .value, "azure-service-connection-id": .value,
      "write": .values, "pypirc": .value, "name": .values, "extra": .flag, "clients": .value,
      "json": .flag, "show-secrets": .flag, "dry-run": .flag, "timeout": .value, "profile": .values,
    ]
    for setting in SettingsCatalog.flags {
      if let flag = setting.flag { table[flag] = setting.kind == .toggle ? .flag : .value }
    }
    return table
  }()

  /// Options with a field of their own rather than an entry in `LoginOptions.flags`.
  static let ownFields: Set<String> = [
    "registry", "identity", "azure-service-connection-id", "write", "pypirc", "name", "extra", "clients", "json", "show-secrets",
    "dry-run", "timeout", "profile",
  ]

  /// The options of `keyring get`, before or after `get` and its operands.
  static let keyringOptions: [String: Kind] = ["mode": .value, "output": .value, "no-cache": .flag]

  /// `arguments` without the program name.
  static func parse(_ arguments: [String]) -> QuickLine? {
    guard let verb = arguments.first else { return nil }
    let rest = Array(arguments.dropFirst())
    switch verb {
    case "login":
      return read(rest, loginOptions).flatMap(loginOptions(_:)).map { .login($0.options, timeout: $0.timeout) }
    case "token":
      guard let (options, timeout) = read(rest, loginOptions).flatMap(loginOptions(_:)),
        options.urls.count == 1 || !options.profiles.isEmpty, options.writes.isEmpty, !options.dryRun
      else { return nil }
      return .token(options, timeout: timeout)
    case "keyring":
      return keyring(rest)
    default:
      return nil
    }
  }

  /// `get SERVICE [USERNAME]` with options anywhere, as the `keyring` link receives it
  /// (and as `indexkey keyring` does after its own name).
  static func keyring(_ arguments: [String]) -> QuickLine? {
    guard let line = read(arguments, keyringOptions), line.positionals.first == "get" else { return nil }
    let operands = line.positionals.dropFirst()
    guard let service = operands.first, operands.count <= 2 else { return nil }
    let mode = line.values["mode"]?.first ?? KeyringMode.password.rawValue
    let output = line.values["output"]?.first ?? KeyringOutput.plain.rawValue
    guard let mode = KeyringMode(rawValue: mode), let output = KeyringOutput(rawValue: output) else { return nil }
    let query = KeyringOptions.query(mode: mode, output: output, service: service, username: operands.dropFirst().first)
    guard query.usageProblem == nil else { return nil }
    return .keyringGet(query, noCache: line.flags.contains("no-cache"))
  }

  struct Line {
    var positionals: [String] = []
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
  }

  /// Splits `arguments` by `table`; nil at the first thing it does not know for certain.
  static func read(_ arguments: [String], _ table: [String: Kind]) -> Line? {
    var line = Line()
    var i = 0
    while i < arguments.count {
      let argument = arguments[i]
      i += 1
      guard argument.hasPrefix("-") else {
        line.positionals.append(argument)
        continue
      }
      guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
      var name = String(argument.dropFirst(2))
      var inline: String?
      if let equals = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      }
      guard let kind = table[name] else { return nil }
      switch kind {
      case .flag:
        guard inline == nil, !line.flags.contains(name) else { return nil }
        line.flags.insert(name)
      case .value, .values:
        if kind == .value && line.values[name] != nil { return nil }
        let value: String
        if let inline {
          guard !inline.isEmpty else { return nil }  // ArgumentParser's reading of `--name=` varies
          value = inline
        } else {
          guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
          value = arguments[i]
          i += 1
        }
        line.values[name, default: []].append(value)
      }
    }
    return line
  }

  static func loginOptions(_ line: Line) -> (options: LoginOptions, timeout: Double)? {
    var timeout = 30.0
    if let text = line.values["timeout"]?.first {
      guard let seconds = Double(text) else { return nil }
      timeout = seconds
    }
    var options = LoginOptions()
    options.urls = line.positionals
    options.registry = line.values["registry"]?.first
    options.identity = line.values["identity"]?.first
    options.writes = line.values["write"] ?? []
    options.json = line.flags.contains("json")
    options.showSecrets = line.flags.contains("show-secrets")
    options.dryRun = line.flags.contains("dry-run")
    options.profiles = line.values["profile"] ?? []
    options.serviceConnection = line.values["azure-service-connection-id"]?.first
    options.pypirc = line.values["pypirc"]?.first
    options.names = line.values["name"] ?? []
    options.extra = line.flags.contains("extra")
    options.clients = line.values["clients"]?.first
    for (name, kind) in loginOptions where !ownFields.contains(name) {
      switch kind {
      case .flag: if line.flags.contains(name) { options.settings[name] = .on }
      case .value, .values: if let value = line.values[name]?.first { options.settings[name] = .value(value) }
      }
    }
    return (options, timeout)
  }

  /// Runs the command as its ArgumentParser twin's `run()` would.
  func run() throws {
    switch self {
    case .login(let options, let timeout):
      try Runner.login(options, timeout: timeout)
    case .token(let options, let timeout):
      try Runner.login(options, timeout: timeout, sinks: [PasswordSink()])
    case .keyringGet(let query, let noCache):
      try Runner.finish(Runner.keyringHelper(noCache: noCache).get(query))
    }
  }
}
