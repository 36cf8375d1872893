import ArgumentParser
import IndexKit
import Testing

@testable import indexkey

/// The quick reader must read every line it accepts exactly as ArgumentParser does, and
/// know every option ArgumentParser knows for `login` and `token`.
@Suite struct QuickLineTests {
  static let url = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"

  /// ArgumentParser's reading of `arguments`, in the quick reader's terms.
  func slow(_ arguments: [String]) throws -> QuickLine {
    let command = try IndexKey.parseAsRoot(RegistryFlags.rewrite(arguments))
    switch command {
    case let login as IndexKey.Login:
      return .login(login.inputs.loginOptions, timeout: login.network.timeout)
    case let token as IndexKey.Token:
      return .token(token.inputs.loginOptions, timeout: token.network.timeout)
    case let get as IndexKey.Keyring.Get:
      return .keyringGet(get.options.query(service: get.service, username: get.username), noCache: get.options.noCache)
    default:
      Issue.record("unexpected command \(type(of: command)) for \(arguments)")
      throw ValidationError("unexpected")
    }
  }

  /// Long options and whether each takes a value, from the OPTIONS list of `--help`.
  func documented(_ command: any ParsableCommand.Type) -> [String: Bool] {
    let help = IndexKey.helpMessage(for: command, columns: 100_000)
    var found: [String: Bool] = [:]
    for line in help.split(separator: "\n") where line.hasPrefix("  --") {
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      let name = String(words[0].dropFirst(2))
      guard name != "help" && name != "version", name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else { continue }
      found[name] = words.count > 1 && words[1].hasPrefix("<")
    }
    return found
  }

  /// Which of those repeat is shown by reading them twice: the lines below compare.
  @Test func theTableIsEveryOptionOfLoginAndToken() {
    let table = QuickLine.loginOptions.mapValues { $0 != .flag }
    #expect(documented(IndexKey.Login.self) == table)
    #expect(documented(IndexKey.Token.self) == table)
  }

  /// Every option alone, in both spellings, before and after the URL; arrays repeated.
  static var loginLines: [[String]] {
    var lines: [[String]] = [[url], [url, url + "x/"]]
    for (name, kind) in QuickLine.loginOptions.sorted(by: { $0.key < $1.key }) {
      let value = name == "timeout" ? "12.5" : "v-\(name)"
      switch kind {
      case .flag:
        lines += [[url, "--\(name)"], ["--\(name)", url]]
      case .value:
        lines += [[url, "--\(name)", value], ["--\(name)=\(value)", url], ["--\(name)=\(name == "timeout" ? "-1" : "-x")", url]]
      case .values:
        lines += [["--\(name)", "a", url, "--\(name)=b,c"], [url, "--\(name)", value]]
      }
    }
    // everything at once
    var all = [url]
    for (name, kind) in QuickLine.loginOptions.sorted(by: { $0.key < $1.key }) where name != "show-secrets" {
      all += kind == .flag ? ["--\(name)"] : ["--\(name)", name == "timeout" ? "3" : "x"]
    }
    lines.append(all)
    return lines
  }

  @Test(arguments: loginLines)
  func loginLinesReadAlike(_ line: [String]) throws {
    let quick = try #require(QuickLine.parse(["login"] + line), "refused: \(line)")
    #expect(quick == (try slow(["login"] + line)))
  }

  @Test func tokenLinesReadAlike() throws {
    for line in [[Self.url], [Self.url, "--identity", "env:T", "--timeout=4"], ["--registry", "pypi", Self.url]] {
      let quick = try #require(QuickLine.parse(["token"] + line))
      #expect(quick == (try slow(["token"] + line)))
    }
  }

  /// The shapes pip and uv run, and options anywhere.
  static let keyringLines: [[String]] = [
    ["get", "https://h/simple/", "user"],
    ["--mode=creds", "--output=json", "get", "https://h/simple/"],
    ["--mode=creds", "--output=json", "get", "https://h/simple/", "user"],
    ["get", "https://h/simple/", "--mode", "creds"],
    ["get", "--mode", "creds", "h:8080"],
    ["get", "https://h/simple/", "user", "--no-cache"],
    ["--no-cache", "get", "https://h/simple/", "user"],
    ["--output", "plain", "get", "h", "u"],
  ]

  @Test(arguments: keyringLines)
  func keyringLinesReadAlike(_ line: [String]) throws {
    let quick = try #require(QuickLine.parse(["keyring"] + line), "refused: \(line)")
    #expect(quick == (try slow(["keyring"] + line)))
    #expect(QuickLine.keyring(line) == quick)
  }

  /// Lines left to ArgumentParser: help, errors, and anything not certain.
  @Test(arguments: [
    ["login", "--help"], ["login", url, "--registry="], ["login", url, "--write", "a", "-x"], ["login", "-h"], ["login", url, "--timeout", "soon"],
    ["login", url, "--registry"], ["login", url, "--registry", "--json"], ["login", url, "--registry", "a", "--registry", "b"],
    ["login", url, "--bogus"], ["login", url, "--json=yes"], ["login", url, "--json", "--json"], ["login", url, "-"],
    ["login", "--", url], ["token", url, url], ["token", url, "--write", "shell"], ["token", url, "--dry-run"],
    ["keyring", "get"], ["keyring", "get", "S"], ["keyring", "get", "S", "u", "v"], ["keyring", "set", "S", "u"],
    ["keyring", "get", "S", "u", "--mode", "all"], ["keyring", "get", "S", "u", "--mode", "creds", "--mode=creds"],
    ["doctor", url], ["claims"], ["--version"], [],
  ])
  func linesLeftToArgumentParser(_ line: [String]) {
    #expect(QuickLine.parse(line) == nil)
  }
}
