import IndexKit

/// `keyring get SERVICE [USERNAME]` read without ArgumentParser.
///
/// pip and uv run this line once for every index they touch, and fix its grammar, so the table
/// below is all of it; ArgumentParser's reflection would cost a few milliseconds of an answer
/// that takes ten when it comes from the cache.
///
/// Only valid lines made of known long options and operands are read here; anything else
/// (help, short or unknown options, a missing or invalid value, a repeated option) returns
/// nil and goes to ArgumentParser, which parses it or explains the error. Tests read the
/// same lines both ways and compare.
struct QuickLine: Equatable {
  var query: KeyringQuery
  var noCache: Bool

  enum Kind: Equatable {
    /// `--name VALUE` or `--name=VALUE`, at most once.
    case value
    /// `--name`, no value, at most once.
    case flag
  }

  /// The options of `keyring get`, before or after `get` and its operands.
  static let options: [String: Kind] = ["mode": .value, "output": .value, "no-cache": .flag]

  /// `arguments` without the program name: `keyring get …`.
  static func parse(_ arguments: [String]) -> QuickLine? {
    guard arguments.first == "keyring" else { return nil }
    return keyring(Array(arguments.dropFirst()))
  }

  /// `get SERVICE [USERNAME]` with options anywhere, as the `keyring` link receives it
  /// (and as `indexkey keyring` does after its own name).
  static func keyring(_ arguments: [String]) -> QuickLine? {
    guard let line = read(arguments), line.operands.first == "get" else { return nil }
    let operands = line.operands.dropFirst()
    guard let service = operands.first, operands.count <= 2 else { return nil }
    let mode = line.values["mode"] ?? KeyringMode.password.rawValue
    let output = line.values["output"] ?? KeyringOutput.plain.rawValue
    guard let mode = KeyringMode(rawValue: mode), let output = KeyringOutput(rawValue: output) else { return nil }
    let query = KeyringOptions.query(mode: mode, output: output, service: service, username: operands.dropFirst().first)
    guard query.usageProblem == nil else { return nil }
    return QuickLine(query: query, noCache: line.flags.contains("no-cache"))
  }

  struct Line {
    var operands: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []
  }

  /// Splits `arguments` by ``options``; nil at the first thing it does not know for certain.
  static func read(_ arguments: [String]) -> Line? {
    var line = Line()
    var i = 0
    while i < arguments.count {
      let argument = arguments[i]
      i += 1
      guard argument.hasPrefix("-") else {
        line.operands.append(argument)
        continue
      }
      guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
      var name = String(argument.dropFirst(2))
      var inline: String?
      if let equals = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      }
      guard let kind = options[name] else { return nil }
      switch kind {
      case .flag:
        guard inline == nil, !line.flags.contains(name) else { return nil }
        line.flags.insert(name)
      case .value:
        guard line.values[name] == nil else { return nil }
        if let inline {
          guard !inline.isEmpty else { return nil }  // ArgumentParser's reading of `--name=` varies
          line.values[name] = inline
        } else {
          guard i < arguments.count, !arguments[i].hasPrefix("-") else { return nil }
          line.values[name] = arguments[i]
          i += 1
        }
      }
    }
    return line
  }

  /// Runs the command as `indexkey keyring get`'s `run()` would.
  func run() throws {
    try Runner.finish(Runner.keyringHelper(noCache: noCache).get(query))
  }
}
