import Glibc
import Testing

@testable import IndexKit

/// pip.conf, netrc and .pypirc merged into real-world files: comments, other sections and
/// machines, CRLF line ends and a missing final newline are all kept.
@Suite struct PipConfSinkTests {
  func merge(_ existing: String?, _ credentials: [Credential], options: ClientOptions = ClientOptions()) throws -> (
    String?, PlannedOutput
  ) {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/pip/pip.conf"
      if let existing {
        mkdir("\(dir)/pip", 0o700)
        writeFile(path, existing)
      }
      let (text, outputs) = try SinkFixtures.write(
        PipConfSink(path: path, options: options), credentials, context: SinkFixtures.context())
      #expect(fileMode(path) == 0o600)
      return (text, outputs[0])
    }
  }

  @Test(arguments: LineEnding.allCases)
  func mergesIntoARealWorldFile(ending: LineEnding) throws {
    let (text, output) = try merge(
      ending.apply(SinkFixtures.text("pip.conf")), [SinkFixtures.first, SinkFixtures.second])
    #expect(text == ending.apply(SinkFixtures.text("pip.expected.conf")))
    #expect(output.items == ["index-url", "extra-index-url (1 index, 1 kept)"])
    #expect(output.warnings.contains { $0.contains("index-url https://old-mirror.example.com/simple/ was replaced") })
  }

  @Test func createsTheFileAndItsDirectory() throws {
    let (text, _) = try merge(nil, [SinkFixtures.first, SinkFixtures.second])
    #expect(
      text == """
        [global]
        index-url = https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/
        extra-index-url = https://EntraToken:p2@pkgs.dev.azure.com/org/_packaging/other/pypi/simple/

        """)
  }

  @Test func addsKeysAfterTheLastSettingOfGlobal() throws {
    let existing =
      "[global]\ntimeout = 60\n# trailing comment\n\n[install]\nindex-url = https://elsewhere.example/simple/"
    let (text, output) = try merge(existing, [SinkFixtures.first])
    #expect(
      text
        == "[global]\ntimeout = 60\nindex-url = https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n# trailing comment\n\n[install]\nindex-url = https://elsewhere.example/simple/"
    )
    #expect(
      output.warnings == [
        "\(output.destination): [install] sets index-url, which overrides [global] for `pip install`."
      ])
  }

  @Test func noFinalNewlineAfterTheLastKeyGetsOne() throws {
    let (text, _) = try merge("[global]\ntimeout = 60", [SinkFixtures.first])
    #expect(
      text
        == "[global]\ntimeout = 60\nindex-url = https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
    )
  }

  @Test func extraKeepsTheMainIndexAndListsOursBesideTheOthers() throws {
    let (text, output) = try merge(
      SinkFixtures.text("pip.conf"), [SinkFixtures.first], options: ClientOptions(extra: true))
    #expect(text?.contains("index_url = https://old-mirror.example.com/simple/\n") == true)
    #expect(
      text?.contains(
        "extra-index-url =\n    https://mirror.internal.example/simple/\n    https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/\n    https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\ntrusted-host"
      ) == true)
    #expect(output.warnings.isEmpty)
    let (_, publicMain) = try merge(
      "[global]\nindex-url = https://pypi.org/simple\n", [SinkFixtures.first], options: ClientOptions(extra: true))
    #expect(publicMain.warnings == [ClientVariables.dependencyConfusionWarning])
  }

  @Test func aStaleExtraEntryOfOurIndexIsRemoved() throws {
    let stale =
      "[global]\nextra-index-url =\n    https://EntraToken:old@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n    https://mirror.example/simple/\ntimeout = 5\n"
    let (text, output) = try merge(stale, [SinkFixtures.first])
    #expect(
      text
        == "[global]\nextra-index-url = https://mirror.example/simple/\ntimeout = 5\nindex-url = https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
    )
    #expect(output.items == ["index-url", "extra-index-url (1 removed)"])
    let only =
      "[global]\nextra-index-url = https://EntraToken:old@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/"
    #expect(
      try merge(only, [SinkFixtures.first]).0
        == "[global]\nindex-url = https://EntraToken:tok%2Fen%2B1%25@pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n"
    )
  }

  @Test func withNetrcTheURLsCarryNoCredentials() throws {
    var options = ClientOptions()
    options.netrc = NetrcHandOff(path: "/x/.netrc", isDefault: true)
    let (text, _) = try merge(nil, [SinkFixtures.first], options: options)
    #expect(text == "[global]\nindex-url = https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/\n")
  }

  @Test func fileComesFromPIPCONFIGFILEOrTheUserConfig() throws {
    let sink = PipConfSink()
    #expect(try sink.file(in: SinkFixtures.context(["PIP_CONFIG_FILE": "/ci/pip.conf"], home: "/h")) == "/ci/pip.conf")
    #expect(try sink.file(in: SinkFixtures.context(["XDG_CONFIG_HOME": "/x"], home: "/h")) == "/x/pip/pip.conf")
    #expect(try sink.file(in: SinkFixtures.context([:], home: "/h")) == "/h/.config/pip/pip.conf")
    #expect(throws: SinkError.self) {
      try sink.file(in: SinkFixtures.context(["PIP_CONFIG_FILE": "/dev/null"], home: "/h"))
    }
  }

  @Test func venvIsTheActiveEnvironmentsOwnFileOnly() throws {
    let venv = PipConfSink(path: "venv")
    let env = ["VIRTUAL_ENV": "/p/.venv", "PIP_CONFIG_FILE": "/ci/pip.conf", "XDG_CONFIG_HOME": "/x"]
    #expect(try venv.file(in: SinkFixtures.context(env, home: "/h")) == "/p/.venv/pip.conf")
    #expect(venv.anchor(in: SinkFixtures.context(env, home: "/h")) == "/p/.venv")
    let thrown = #expect(throws: SinkError.self) { try venv.file(in: SinkFixtures.context([:], home: "/h")) }
    #expect(thrown?.description.contains("VIRTUAL_ENV is not set") == true)
    try withTemporaryDirectory { dir in
      let outputs = try venv.plan(
        [SinkFixtures.first], in: SinkFixtures.context(["VIRTUAL_ENV": dir], home: "\(dir)/home"))
      #expect(outputs.count == 1 && outputs[0].destination == "\(dir)/pip.conf")
    }
  }
}

@Suite struct NetrcSinkTests {
  let corp = SinkFixtures.credential(
    "https://pypi.corp.example/_packaging/x/pypi/simple/", name: "corp", username: "ci", password: "p2")

  func merge(_ existing: String?, _ credentials: [Credential]) throws -> (String?, PlannedOutput) {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/.netrc"
      if let existing { writeFile(path, existing, mode: 0o644) }
      let (text, outputs) = try SinkFixtures.write(
        NetrcSink(handOff: NetrcHandOff(path: path, isDefault: false)), credentials, context: SinkFixtures.context())
      #expect(fileMode(path) == 0o600)
      return (text, outputs[0])
    }
  }

  @Test(arguments: LineEnding.allCases)
  func mergesByMachineIntoARealWorldFile(ending: LineEnding) throws {
    let (text, output) = try merge(ending.apply(SinkFixtures.text("netrc")), [SinkFixtures.first, corp])
    #expect(text == ending.apply(SinkFixtures.text("netrc.expected")))
    #expect(output.items == ["machine pkgs.dev.azure.com", "machine pypi.corp.example"])
    #expect(output.warnings.count == 1 && output.warnings[0].contains("`default` entry"))
    #expect(output.content.secretParts == ["tok/en+1%", "p2"])
  }

  @Test func newFileAndAppendsWithoutADefaultEntry() throws {
    #expect(
      try merge(nil, [SinkFixtures.first]).0 == "machine pkgs.dev.azure.com login EntraToken password tok/en+1%\n")
    #expect(
      try merge("machine a.example login x password y", [SinkFixtures.first]).0
        == "machine a.example login x password y\nmachine pkgs.dev.azure.com login EntraToken password tok/en+1%\n")
  }

  @Test func oneEntryPerHostForOneRegistryAndUser() throws {
    // Two feeds of one Azure DevOps organisation: the first token serves both.
    let (text, output) = try merge(nil, [SinkFixtures.first, SinkFixtures.second])
    #expect(output.items == ["machine pkgs.dev.azure.com"])
    #expect(text == "machine pkgs.dev.azure.com login EntraToken password tok/en+1%\n")
    let otherUser = SinkFixtures.credential(
      "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/", username: "someone")
    let error = #expect(throws: SinkError.self) { try merge(nil, [SinkFixtures.first, otherUser]) }
    #expect(error?.message.contains("one credential per host") == true)
  }

  @Test(arguments: ["has space", "quo\"te", "back\\slash", "#hash", "ünï", ""])
  func refusesTokensNetrcReadersDisagreeOn(password: String) {
    #expect(throws: SinkError.self) {
      try NetrcSink(handOff: NetrcHandOff(path: "/tmp/n", isDefault: false)).plan(
        [SinkFixtures.credential(password: password)], in: SinkFixtures.context())
    }
  }

  @Test func pathComesFromNETRCOrHome() throws {
    #expect(
      try NetrcSink.handOff(path: nil, environment: Environment(["NETRC": "/n"]), home: "/h")
        == NetrcHandOff(path: "/n", isDefault: true))
    #expect(
      try NetrcSink.handOff(path: nil, environment: Environment([:]), home: "/h")
        == NetrcHandOff(path: "/h/.netrc", isDefault: true))
    #expect(
      try NetrcSink.handOff(path: "~/n", environment: Environment([:]), home: "/h")
        == NetrcHandOff(path: "/h/n", isDefault: false))
  }

  @Test func quotedTokensAndMacdefBodiesAreParsed() throws {
    let existing =
      "macdef upload\nmachine pkgs.dev.azure.com\nput x\n\nmachine \"pkgs.dev.azure.com\" login \"a b\" password \"c\\\"d\"\n"
    #expect(
      try merge(existing, [SinkFixtures.first]).0
        == "macdef upload\nmachine pkgs.dev.azure.com\nput x\n\nmachine pkgs.dev.azure.com login EntraToken password tok/en+1%\n"
    )
  }
}

@Suite struct PypircMergeTests {
  @Test(arguments: LineEnding.allCases)
  func mergesSectionsKeepingOtherKeys(ending: LineEnding) throws {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/.pypirc"
      writeFile(path, ending.apply(SinkFixtures.text("pypirc")))
      let (text, outputs) = try SinkFixtures.write(
        PypircSink(path: path), [SinkFixtures.first, SinkFixtures.second], context: SinkFixtures.context())
      let expected = SinkFixtures.text("pypirc.expected")
      #expect(text == (ending == .crlf ? LineEnding.crlf.apply(expected) : expected))
      #expect(outputs[0].items == ["[feed]", "[other]"])
      #expect(fileMode(path) == 0o600)
    }
  }

  @Test func aPercentInThePasswordWarnsAboutHatch() throws {
    try withTemporaryDirectory { (dir: String) throws in
      let outputs = try PypircSink(path: "\(dir)/.pypirc").plan([SinkFixtures.first], in: SinkFixtures.context())
      #expect(outputs[0].warnings.count == 1 && outputs[0].warnings[0].contains("Hatch"))
      let plain = try PypircSink(path: "\(dir)/.pypirc").plan([SinkFixtures.second], in: SinkFixtures.context())
      #expect(plain[0].warnings.isEmpty)
    }
  }
}

@Suite struct NetrcDocumentTests {
  @Test func aHostNamedLikeAKeywordIsStillAHost() {
    var doc = NetrcDocument(text: "machine default login a password b\nmachine x.example login c password d\n")
    #expect(doc.entries.map(\.host) == ["default", "x.example"])
    #expect(!doc.hasDefault)
    doc.set(host: "x.example", login: "u", password: Secret("p"))
    #expect(doc.text.revealed == "machine default login a password b\nmachine x.example login u password p\n")
  }
}
