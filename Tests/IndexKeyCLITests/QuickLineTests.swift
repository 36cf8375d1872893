import ArgumentParser
import IndexKit
import Testing

@testable import indexkey

/// The quick reader of `keyring get` must read every line it accepts exactly as
/// ArgumentParser does, know every option ArgumentParser knows for it, and leave every
/// other command line to ArgumentParser.
@Suite struct QuickLineTests {
  static let url = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"

  /// ArgumentParser's reading of `arguments`, in the quick reader's terms.
  func slow(_ arguments: [String]) throws -> QuickLine {
    let command = try IndexKey.parseAsRoot(arguments)
    guard let get = command as? IndexKey.Keyring.Get else {
      Issue.record("unexpected command \(type(of: command)) for \(arguments)")
      throw ValidationError("unexpected")
    }
    return QuickLine(
      query: get.options.query(service: get.service, username: get.username), noCache: get.options.noCache)
  }

  /// Long options and whether each takes a value, from the OPTIONS list of `--help`.
  func documented(_ command: any ParsableCommand.Type) -> [String: Bool] {
    let help = IndexKey.helpMessage(for: command, columns: 100_000)
    var found: [String: Bool] = [:]
    for line in help.split(separator: "\n") where line.hasPrefix("  --") {
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      let name = String(words[0].dropFirst(2))
      guard name != "help" && name != "version", name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else {
        continue
      }
      found[name] = words.count > 1 && words[1].hasPrefix("<")
    }
    return found
  }

  @Test func theTableIsEveryOptionOfKeyringGet() {
    #expect(documented(IndexKey.Keyring.Get.self) == QuickLine.options.mapValues { $0 == .value })
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

  /// Lines left to ArgumentParser: every other command, help, errors, and anything not certain.
  @Test(arguments: [
    ["login", url], ["login", url, "--registry", "pypi"], ["token", url], ["token", url, "--timeout=4"],
    ["keyring", "get"], ["keyring", "get", "S"], ["keyring", "get", "S", "u", "v"], ["keyring", "set", "S", "u"],
    ["keyring", "get", "S", "u", "--mode", "all"], ["keyring", "get", "S", "u", "--mode", "creds", "--mode=creds"],
    ["keyring", "get", "S", "u", "--mode="], ["keyring", "get", "S", "u", "--mode"],
    ["keyring", "get", "S", "u", "-h"],
    ["keyring", "get", "S", "u", "--no-cache", "--no-cache"], ["keyring", "get", "S", "u", "--no-cache=yes"],
    ["keyring", "get", "S", "u", "--bogus"], ["keyring", "--help"], ["keyring", "clear"],
    ["doctor", url], ["claims"], ["--version"], [],
  ])
  func linesLeftToArgumentParser(_ line: [String]) {
    #expect(QuickLine.parse(line) == nil)
  }
}
