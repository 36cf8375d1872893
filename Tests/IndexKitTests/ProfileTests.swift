import Testing

@testable import IndexKit

@Suite struct MsgpackTests {
  @Test func encodesAcctsShapeAsPythonsMsgpackDoes() {
    let data = JSON.object([("indexkey", .object([("default", .object([("n", .integer(5))]))]))])
    let bytes = Msgpack.encode(data)
    #expect(Array(bytes.prefix(10)) == [0x81, 0xa8] + Array("indexkey".utf8))
    #expect(
      bytes == [0x81, 0xa8] + Array("indexkey".utf8) + [0x81, 0xa7] + Array("default".utf8) + [0x81, 0xa1, 0x6e, 0x05])
  }

  @Test func decodesEveryTypeFromKnownBytes() throws {
    // {"a": [1, -2, 1.5, true, nil, "x"], "b": bin "hi"} as Python's msgpack writes it.
    let bytes: [UInt8] = [
      0x82, 0xa1, 0x61, 0x96, 0x01, 0xfe, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc3, 0xc0, 0xa1, 0x78, 0xa1, 0x62, 0xc4,
      0x02, 0x68, 0x69,
    ]
    let value = try Msgpack.decode(bytes)
    #expect(
      value
        == .object([
          ("a", .array([.integer(1), .integer(-2), .double(1.5), .bool(true), .null, .string("x")])),
          ("b", .string("hi")),
        ]))
    #expect(try Msgpack.decode(Msgpack.encode(value)) == value)
    let empty = JSON.object([("", .string("")), ("list", .array([])), ("map", .object([]))])
    #expect(
      Msgpack.encode(empty) == [0x83, 0xa0, 0xa0, 0xa4] + Array("list".utf8) + [0x90, 0xa3] + Array("map".utf8) + [0x80]
    )
    #expect(try Msgpack.decode(Msgpack.encode(empty)) == empty)
  }

  @Test(arguments: [
    ([0x81, 0xa1] as [UInt8], "one complete msgpack document"),
    ([0x80, 0x80], "one complete msgpack document"),
    ([0x81, 0xa1, 0x61, 0xd4, 0x01, 0x02], "extension type"),
    ([0x81, 0xa1, 0x61, 0xa2, 0xff, 0xfe], "not UTF-8"),
    ([0x81, 0xc3, 0x01], "neither text nor a number"),
  ])
  func refusesWhatAcctNeverWrites(bytes: [UInt8], reason: String) {
    #expect { try Msgpack.decode(bytes) } throws: { "\($0)".contains(reason) }
  }

  /// Found by fuzzing: a map32 header claiming 0x63726574 entries made msgpack-c ask for
  /// 128 GiB before reading one of them.
  @Test func refusesLengthsThatPromiseMoreThanTheBytesHold() throws {
    let found = try #require(
      Base64.decode(
        "gahpbmRleGtleYGkZmVlZIepaW5kZXhfdXJs2TtodHRwczovL3BrZ3MuZGV2LmF6dXJlLmNvbS9vcmcvX3BhY2thZ2luZy9mZWVkL3B5cGkvc2ltcGxlL7NhenVyZV9jbGkmbnRfc2VjcmV0q2Z1elN1YnN0cmluZ3otc99jcmV0oW4BoWbLP/gAAAAAAAChYiWhoXrDwGySAaN0d28="
      ))
    #expect(!Msgpack.declaresNoMoreThanItHolds(found))
    #expect { try Msgpack.decode(found) } throws: { "\($0)".contains("one complete msgpack document") }
    for header: [UInt8] in [
      [0xdf, 0xff, 0xff, 0xff, 0xff], [0xdd, 0x7f, 0, 0, 0], [0xdc, 0xff, 0xff], [0xde, 0, 9, 0xc0, 0xc0, 0xc0],
      [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], [0xc6, 0, 0, 1, 0], [0xc9, 0, 0, 0, 9, 1],
    ] {
      #expect(!Msgpack.declaresNoMoreThanItHolds(header), "\(header)")
    }
    // Lengths that the bytes do hold pass, including every width of header.
    let wide: [UInt8] = [0xdf, 0, 0, 0, 1, 0xda, 0, 1, 0x61, 0xdd, 0, 0, 0, 2, 0xc0, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0]
    #expect(Msgpack.declaresNoMoreThanItHolds(wide))
    #expect(try Msgpack.decode(wide) == .object([("a", .array([.null, .double(0)]))]))
  }
}

@Suite struct YAMLTests {
  @Test(arguments: [
    ("", JSON.null), ("~", .null), ("null", .null), ("yes", .bool(true)), ("Off", .bool(false)), ("TRUE", .bool(true)),
    ("42", .integer(42)), ("-7", .integer(-7)), ("0x1f", .integer(31)), ("010", .integer(8)), ("1_000", .integer(1000)),
    ("1.5", .double(1.5)), ("-.5", .double(-0.5)), ("1.0e+3", .double(1000)), (".inf", .double(.infinity)),
    ("1e3", .string("1e3")), ("abc", .string("abc")), ("12ab", .string("12ab")), ("0.1.2", .string("0.1.2")),
  ])
  func resolvesPlainScalarsAsPyYAMLDoes(text: String, expected: JSON) {
    #expect(YAML.resolve(text) == expected)
  }

  @Test func quotedScalarsAreAlwaysText() throws {
    let value = try YAML.parse(Array("a: '123'\nb: \"yes\"\nc: |\n  multi\n  line\n".utf8))
    #expect(value == .object([("a", .string("123")), ("b", .string("yes")), ("c", .string("multi\nline\n"))]))
  }

  @Test func rendersWhatReadsBackTheSame() throws {
    let tricky = [
      "yes", "123", "", "a: b", "#x", "multi\nline", "2026-01-31", "null", " lead", "trail ", "ünïcode", "- dash",
      "{x}", "s3cr:et",
    ]
    let data = JSON.object(
      tricky.enumerated().map { ("k\($0.offset)", .string($0.element)) } + [
        ("n", .integer(3)), ("f", .double(0.25)), ("t", .bool(true)), ("z", .null),
        ("list", .array([.string("a"), .integer(1)])),
        ("nested", .object([("deep", .object([("x", .string("y"))]))])),
      ])
    #expect(try YAML.parse(Array(YAML.render(data).utf8)) == data)
  }

  @Test(arguments: [
    ("a: [1, 2\n", "not valid YAML"),
    ("a: 1\na: 2\n", "the key 'a' twice"),
    ("a: 1\n---\nb: 2\n", "more than one YAML document"),
    (
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
      "too many values"
    ),
    (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nested too deeply"),
  ])
  func refusesBadDocuments(text: String, reason: String) {
    #expect { try YAML.parse(Array(text.utf8)) } throws: { "\($0)".contains(reason) }
  }
}

@Suite struct AcctFileTests {
  static let data = JSON.object([
    ("indexkey", .object([("ci", .object([("index_url", .string("https://x.example/simple/"))]))]))
  ])

  @Test func fernetOverMsgpackRoundTrips() throws {
    let key = FernetKey.generate()
    let contents = try AcctFile.open(AcctFile.seal(Self.data, key: key, now: 1_700_000_000), key: key.encoded)
    #expect(contents.data == Self.data)
    #expect(contents.crypto == .fernet && contents.serial == .msgpack)
  }

  @Test func readsTheJSONSerialForm() throws {
    let key = FernetKey.generate()
    let token = Fernet.encrypt(Array(Self.data.serialized().utf8), key: key, now: 0)
    let contents = try AcctFile.open(Array(token.utf8), key: key.encoded)
    #expect(contents.data == Self.data && contents.serial == .json)
  }

  @Test func readsTheAESGCM256Form() throws {
    let raw = SecureRandom.bytes(32)
    let nonce = SecureRandom.bytes(12)
    let bytes = nonce + OpenSSL.sealGCM(Msgpack.encode(Self.data), key: raw, nonce: nonce)
    let contents = try AcctFile.open(bytes, key: Secret(Base64.encode(raw)))
    #expect(contents.data == Self.data && contents.crypto == .aesgcm256)
    #expect { try AcctFile.open(bytes, key: Secret(Base64.encode(SecureRandom.bytes(32)))) } throws: {
      "\($0)".contains("aesgcm256")
    }
  }

  @Test func plaintextThatIsNeitherFormIsNamed() {
    let key = FernetKey.generate()
    let token = Fernet.encrypt(Array("plain text".utf8), key: key, now: 0)
    #expect { try AcctFile.open(Array(token.utf8), key: key.encoded) } throws: {
      "\($0)".contains("neither a msgpack map")
    }
  }
}

@Suite struct ProfileBookTests {
  static func book(_ yaml: String) throws -> ProfileBook { try ProfileBook(data: try YAML.parse(Array(yaml.utf8))) }

  @Test func readsProfilesAndOverlaysTheirSettings() throws {
    let book = try Self.book(
      """
      indexkey:
        one:
          index_url: https://a.example/simple/
          azure_client_id: id
          azure_client_secret: s3cret
          retries: 3
          empty:
        two:
          index_url: [https://b.example/simple/, https://c.example/simple/]
      aws:
        default: {x: 1}
      """)
    #expect(book.profiles.map(\.name) == ["one", "two"])
    let one = try book.named("one", file: "f")
    #expect(one.indexURLs == ["https://a.example/simple/"])
    #expect(one.variables.map(\.name) == ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "RETRIES"])
    #expect(one.secrets == ["s3cret"])
    let env = one.overlay(on: Environment(["AZURE_CLIENT_ID": "old", "HOME": "/h"]))
    #expect(env.values == ["AZURE_CLIENT_ID": "id", "AZURE_CLIENT_SECRET": "s3cret", "RETRIES": "3", "HOME": "/h"])
    #expect(try book.named("two", file: "f").indexURLs.count == 2)
  }

  @Test(arguments: [
    ("azure_client_secret", true), ("azure_devops_ext_pat", true), ("chainguard_python_token", true),
    ("indexkey_password", true),
    ("google_application_credentials", true), ("azure_client_certificate_password", true),
    ("aws_secret_access_key", true),
    ("indexkey_username", true), ("azure_client_id", false), ("aws_access_key_id", false), ("azure_tenant_id", false),
    ("azure_federated_token_file", false), ("aws_region", false), ("registry", false), ("index_url", false),
  ])
  func knowsWhichSettingsAreSecrets(key: String, secret: Bool) {
    #expect(Profile.isSecret(key) == secret)
  }

  @Test(arguments: [
    ("- a list\n", "holds an array, not a mapping of providers"),
    ("aws: {default: {}}\n", "has no 'indexkey' profiles (it has aws)"),
    ("indexkey: [a]\n", "as an array"),
    ("indexkey: {p: 3}\n", "has a profile 'p' that is a number"),
    ("indexkey: {p: {AZURE_CLIENT_ID: x}}\n", "in lower case"),
    ("indexkey: {p: {index_url: 5}}\n", "index_url that is a number"),
    ("indexkey: {p: {azure_client_id: [a, b]}}\n", "a setting is one value"),
  ])
  func refusesMalformedBooks(yaml: String, reason: String) {
    #expect { try Self.book(yaml) } throws: { "\($0)".contains(reason) }
  }

  @Test func anUnknownProfileListsTheKnownOnes() throws {
    let book = try Self.book("indexkey: {a: {}, b: {}}\n")
    #expect { try book.named("c", file: "p.fernet") } throws: {
      "\($0)" == "The profile file p.fernet has no indexkey profile 'c'; it has: a, b."
    }
  }

  @Test func googleCredentialsMayBeAMapping() throws {
    let profile = try Self.book("indexkey: {g: {google_application_credentials: {type: service_account}}}\n").named(
      "g", file: "f")
    #expect(
      profile.variables == [
        .init(name: "GOOGLE_APPLICATION_CREDENTIALS", value: Secret(#"{"type":"service_account"}"#), isSecret: true)
      ])
  }
}

@Suite struct ProfileLoginTests {
  @Test func aProfilesPlainSettingsAreFlagsTheCommandLineOverrides() throws {
    let profile = try ProfileBook(
      data: try YAML.parse(
        Array(
          "indexkey: {p: {index_url: 'https://x.example/simple/', registry: jfrog, aws_region: eu-west-1, indexkey_password: pw}}\n"
            .utf8))
    )
    .named("p", file: "f")
    var given = LoginOptions()
    given.settings["aws-region"] = .value("us-east-1")
    given.profiles = ["p"]
    let single = try ProfileLogin.options(for: profile, from: given, file: "f")
    #expect(single.urls == ["https://x.example/simple/"])
    #expect(single.registry == "jfrog")
    #expect(single.settings["aws-region"] == .value("us-east-1"))
    #expect(single.settings["indexkey-password"] == nil, "secrets never become flags")
    #expect(single.profiles.isEmpty)
  }

  @Test func aMissingURLNamesIndexURL() throws {
    let profile = try ProfileBook(data: try YAML.parse(Array("indexkey: {p: {azure_client_id: x}}\n".utf8))).named(
      "p", file: "f")
    #expect { try ProfileLogin.options(for: profile, from: LoginOptions(), file: "f.fernet") } throws: {
      "\($0)".contains("has no index_url")
    }
  }

  @Test func hintsNameTheSettingInLowerCase() {
    #expect(
      ProfileLogin.settingHint("Azure needs a tenant: set AZURE_TENANT_ID or pass --azure-tenant-id.")
        == " In the profile, set azure_tenant_id.")
    #expect(ProfileLogin.settingHint("no variables here") == "")
  }
}

@Suite struct ProfileCommandTests {
  @Test func encryptMasksTheNewKeyInCIAndWritesA0600File() throws {
    try withTemporaryDirectory { dir in
      writeFile("\(dir)/p.yml", "indexkey: {ci: {index_url: 'https://x.example/simple/', indexkey_password: pw}}\n")
      let captured = CapturingConsole()
      try ProfileCommands.encrypt(
        "\(dir)/p.yml", output: nil, keyFromEnvironment: false, environment: Environment(["GITHUB_ACTIONS": "true"]),
        console: captured.console, now: 1_700_000_000)
      let key = captured.stdout.trimmingSpaces
      #expect(captured.stderr.hasPrefix("::add-mask::\(key)\n"))
      #expect(fileMode("\(dir)/p.yml.fernet") == 0o600)
      let file = try ProfileFile.open("\(dir)/p.yml.fernet", key: Secret(key))
      #expect(try file.book.named("ci", file: "f").secrets == ["pw"])
    }
  }

  @Test func showingSecretsInCIMasksThemFirst() throws {
    try withTemporaryDirectory { dir in
      let key = FernetKey.generate()
      let data = try YAML.parse(Array("indexkey: {ci: {azure_client_secret: s3cret, azure_client_id: id}}\n".utf8))
      writeFile("\(dir)/p.fernet", String(decoding: AcctFile.seal(data, key: key, now: 0), as: UTF8.self))
      let captured = CapturingConsole()
      try ProfileCommands.decrypt(
        "\(dir)/p.fernet", output: nil, showSecrets: true,
        environment: Environment(["GITHUB_ACTIONS": "true", "ACCT_KEY": key.encoded.revealed]),
        console: captured.console)
      #expect(captured.stderr == "::add-mask::s3cret\n")
      #expect(try YAML.parse(Array(captured.stdout.utf8)) == data)
    }
  }
}
