import ArgumentParser
import IndexKit
import Testing

@testable import indexkey

/// The registries' flags come from their declared settings: every one is accepted by
/// `login`, `token` and `doctor`, in both spellings, and documented in their help.
@Suite struct RegistryFlagsTests {
  static let url = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"

  func options(_ arguments: [String]) throws -> LoginOptions {
    switch try IndexKey.parseAsRoot(RegistryFlags.rewrite(arguments)) {
    case let login as IndexKey.Login: return login.inputs.loginOptions
    case let token as IndexKey.Token: return token.inputs.loginOptions
    case let doctor as IndexKey.Doctor: return doctor.inputs.loginOptions
    case let other: throw ValidationError("unexpected \(type(of: other))")
    }
  }

  @Test(arguments: ["login", "token", "doctor"])
  func everyDeclaredFlagIsReadInBothSpellings(command: String) throws {
    for setting in SettingsCatalog.flags {
      let flag = try #require(setting.flag)
      if setting.kind == .toggle {
        #expect(try options([command, Self.url, "--\(flag)"]).settings == [flag: .on])
      } else {
        #expect(try options([command, "--\(flag)", "v-\(flag)", Self.url]).settings == [flag: .value("v-\(flag)")])
        #expect(try options([command, "--\(flag)=-x", Self.url]).settings == [flag: .value("-x")])
        #expect(
          try options([command, Self.url, "--\(flag)", "a"]).urls == [Self.url], "the value is not taken for a URL")
      }
    }
  }

  @Test func everyDeclaredFlagIsInTheHelpAndNoOtherRegistryFlag() {
    let help = IndexKey.helpMessage(for: IndexKey.Login.self, columns: 100_000)
    let documented = Set(
      help.split(separator: "\n").filter { $0.hasPrefix("  --") }.map { String($0.dropFirst(4).prefix { $0 != " " }) })
    let declared = Set(SettingsCatalog.flags.compactMap(\.flag))
    #expect(declared.isSubset(of: documented))
    #expect(!documented.contains(RegistryFlags.carrier), "the carrier option stays hidden")
  }

  @Test func badRegistryFlagsAreUsageErrors() {
    #expect(throws: (any Error).self) { try options(["login", Self.url, "--azure-client-id"]) }
    #expect(throws: (any Error).self) { try options(["login", Self.url, "--gcp-key-as-password=yes"]) }
    #expect(throws: (any Error).self) { try options(["login", Self.url, "--azure-client-idd", "x"]) }
    // After `--` everything is a URL, even what looks like a registry flag.
    #expect(RegistryFlags.rewrite(["login", "--", "--azure-client-id"]) == ["login", "--", "--azure-client-id"])
    // Other commands are left alone.
    #expect(RegistryFlags.rewrite(["claims", "--azure-client-id", "x"]) == ["claims", "--azure-client-id", "x"])
  }

  @Test func theKeyringHelpListsEveryRegistrysVariables() {
    let help = IndexKey.helpMessage(for: IndexKey.Keyring.self, columns: 100_000)
    for name in SettingsCatalog.all.variableNames {
      #expect(help.contains(name), "\(name)")
    }
  }
}
