import Glibc
import Testing

@testable import IndexKit

/// A user's .pypirc, pip.conf and .netrc are theirs: every byte we do not own comes back
/// exactly, invalid UTF-8 and a byte-order mark included, and a file that is not the kind
/// we edit is refused (exit 6) and left as it was.
@Suite struct UserFileBytesTests {
  enum Kind: String, CaseIterable, CustomStringConvertible {
    case pypirc, pipConf, netrc
    var description: String { rawValue }

    func sink(_ path: String) -> any Sink {
      switch self {
      case .pypirc: PypircSink(path: path)
      case .pipConf: PipConfSink(path: path)
      case .netrc: NetrcSink(handOff: NetrcHandOff(path: path, isDefault: false))
      }
    }
  }

  /// Writes `existing` (when given), runs the sink for `credentials`, returns the file's bytes.
  static func write(_ kind: Kind, _ existing: [UInt8]?, _ credentials: [Credential] = [SinkFixtures.first]) throws
    -> [UInt8]
  {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/file"
      if let existing { try writeBytes(path, existing) }
      _ = try SinkFixtures.write(kind.sink(path), credentials, context: SinkFixtures.context())
      return try #require(try FileIO.read(path))
    }
  }

  static func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    #expect(written == bytes.count)
  }

  static let invalid: [UInt8] = [0xFF, 0xFE, 0xC3, 0x28, 0x80]

  @Test func invalidUTF8InAPypircIsKept() throws {
    let existing =
      Array("[distutils]\nindex-servers =\n    pypi\n\n# caf".utf8) + Self.invalid
      + Array("\n[pypi]\nusername = __token__\npassword = x".utf8) + Self.invalid + [0x0A]
    let written = try Self.write(.pypirc, existing)
    #expect(written.count > existing.count)
    #expect(
      written.starts(with: Array("[distutils]\nindex-servers =\n    pypi\n    feed\n\n# caf".utf8) + Self.invalid))
    #expect(contains(written, Array("password = x".utf8) + Self.invalid + [0x0A]))
  }

  @Test func aByteOrderMarkIsRecognisedAndKept() throws {
    let existing = ByteText.byteOrderMark + Array("[distutils]\nindex-servers =\n    pypi\n".utf8)
    let written = String(decoding: try Self.write(.pypirc, existing), as: UTF8.self)
    #expect(written.hasPrefix("\u{FEFF}[distutils]\nindex-servers =\n    pypi\n    feed\n"))
    #expect(written.split(separator: "\n").filter { $0.hasSuffix("[distutils]") }.count == 1, "one [distutils] section")
  }

  @Test func invalidUTF8InANetrcIsKept() throws {
    let existing =
      Array("machine other.example login u password p".utf8) + Self.invalid + Array("\n# note ".utf8) + Self.invalid + [
        0x0A
      ]
    let written = try Self.write(.netrc, existing)
    #expect(written.starts(with: existing))
  }

  @Test(arguments: Kind.allCases)
  func aFileOfAnotherKindIsRefusedAndLeftAlone(kind: Kind) throws {
    let binary: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00] + Array("[global]\n".utf8) + Self.invalid
    let prose = Array("Dear diary,\ntoday I wrote no configuration.\n".utf8)
    for existing in [binary, prose] {
      try withTemporaryDirectory { (dir: String) throws in
        let path = "\(dir)/file"
        try Self.writeBytes(path, existing)
        let error = try #require(throws: SinkError.self) {
          try SinkFixtures.write(kind.sink(path), [SinkFixtures.first], context: SinkFixtures.context())
        }
        #expect(error.exitStatus == .output)
        #expect(error.message.hasPrefix("Refusing to change \(path): it is not "))
        #expect(!error.message.contains("diary"), "the file's content is never quoted")
        #expect(try FileIO.read(path) == existing)
      }
    }
  }

  @Test func keysBeforeAnySectionAreNotINI() {
    #expect(IniDocument(text: "index-url = x\n[global]\n").problem == "line 1 comes before any [section]")
    #expect(IniDocument(text: "; comment\n\n[global]\nkey = v\n  continued\n").problem == nil)
    #expect(
      NetrcDocument(text: "machine a login b password c\nmacdef init\ncd /\n\ndefault login x password y\n").problem
        == nil)
    #expect(NetrcDocument(text: "machine a login b sandwich c\n").problem == "word 5 is not login, account or password")
  }
}

/// Generated existing files: writing our entry twice changes only our entry's bytes.
@Suite struct UserFilePropertyTests {
  /// A small deterministic generator (xorshift), so failures reproduce.
  struct Generator {
    var state: UInt64
    mutating func next(_ n: Int) -> Int {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return Int(state % UInt64(n))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
  }

  static let fragments: [[UInt8]] = [
    Array("naïve".utf8), Array("日本語".utf8), [0xFF, 0xC3, 0x28], Array(String(repeating: "x", count: 5000).utf8),
    Array("a=b".utf8),
    Array("  spaced  ".utf8), Array("%(interp)s".utf8),
  ]

  /// An INI file with comments, duplicate sections, odd bytes and long lines.
  static func ini(_ g: inout Generator) -> [UInt8] {
    var lines: [[UInt8]] = []
    for _ in 0..<(1 + g.next(6)) {
      lines.append(Array("[\(g.pick(["global", "install", "pypi", "other", "global"]))]".utf8))
      for _ in 0..<g.next(4) {
        switch g.next(4) {
        case 0: lines.append(Array("# ".utf8) + g.pick(fragments))
        case 1: lines.append([])
        case 2: lines.append(Array("key\(g.next(9)) = ".utf8) + g.pick(fragments))
        default: lines.append(Array("opt: ".utf8) + g.pick(fragments))
        }
      }
    }
    return assemble(lines, &g)
  }

  /// A netrc with other machines, comments and odd bytes in its tokens.
  static func netrc(_ g: inout Generator) -> [UInt8] {
    var lines: [[UInt8]] = []
    for n in 0..<(1 + g.next(5)) {
      if g.next(3) == 0 { lines.append(Array("# ".utf8) + g.pick(fragments)) }
      let password = g.pick(fragments).filter { $0 > 0x20 && $0 != 0x23 }
      lines.append(Array("machine host\(n).example login u\(n) password p".utf8) + password)
    }
    return assemble(lines, &g)
  }

  /// Lines joined with LF or CRLF, maybe a BOM first, maybe no final newline.
  static func assemble(_ lines: [[UInt8]], _ g: inout Generator) -> [UInt8] {
    let eol: [UInt8] = g.next(2) == 0 ? [0x0A] : [0x0D, 0x0A]
    var out: [UInt8] = g.next(4) == 0 ? ByteText.byteOrderMark : []
    for line in lines { out += line + eol }
    if g.next(3) == 0 { out.removeLast(eol.count) }
    return out
  }

  @Test(arguments: UserFileBytesTests.Kind.allCases)
  func writingTwiceChangesOnlyOurBytes(kind: UserFileBytesTests.Kind) throws {
    var g = Generator(state: 0x9E37_79B9_7F4A_7C15)
    for _ in 0..<30 {
      let existing = kind == .netrc ? Self.netrc(&g) : Self.ini(&g)
      let first = try UserFileBytesTests.write(kind, existing, [SinkFixtures.credential(password: "first1")])
      let second = try UserFileBytesTests.write(kind, first, [SinkFixtures.credential(password: "second")])
      #expect(
        second == replacing(first, Array("first1".utf8), with: Array("second".utf8)),
        "the second write changes only the password")
      switch kind {
      case .pypirc:
        // the index-servers list gains one line; everything else of the file comes first, as it was
        let listed = first.count - existing.count
        #expect(listed > 0)
      case .pipConf:
        #expect(contains(first, Array("index-url = https://EntraToken:first1@".utf8)))
      case .netrc:
        let body = existing.last == 0x0A ? existing : existing + (existing.contains(0x0D) ? [0x0D, 0x0A] : [0x0A])
        #expect(first.starts(with: body), "other machines' bytes are kept in front of ours")
      }
      #expect(first.starts(with: ByteText.byteOrderMark) == existing.starts(with: ByteText.byteOrderMark))
      let kept = strippingOurs(existing, kind: kind) == strippingOurs(first, kind: kind)
      #expect(kept, "every line not ours is kept, byte for byte")
    }
  }

  /// The file without the lines we own (our section's or machine's, and the name we list),
  /// line ends aside: what must survive our writes unchanged.
  func strippingOurs(_ bytes: [UInt8], kind: UserFileBytesTests.Kind) -> [UInt8] {
    var out: [UInt8] = []
    var inOurs = false
    var sectionOfOurs = false
    let body = bytes.starts(with: ByteText.byteOrderMark) ? Array(bytes.dropFirst(3)) : bytes
    for var line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
      if line.last == 0x0D { line = line.dropLast() }
      let text = String(decoding: line, as: UTF8.self).trimmingSpaces
      if text.isEmpty { continue }  // a blank line we add to separate, or a final newline we add
      if kind == .netrc {
        if text.hasPrefix("machine pkgs.dev.azure.com") { continue }
      } else {
        if text.hasPrefix("[") && text.hasSuffix("]") {
          inOurs = text == "[feed]" || text == "[distutils]"
          sectionOfOurs = kind == .pipConf && text == "[global]"
        }
        if inOurs || text == "feed" { continue }
        if sectionOfOurs && (text.hasPrefix("index-url") || text.hasPrefix("extra-index-url") || text == "[global]") {
          continue
        }
      }
      out += line + [0x0A]
    }
    return out
  }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
  guard needle.count <= haystack.count else { return false }
  return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

func replacing(_ bytes: [UInt8], _ old: [UInt8], with new: [UInt8]) -> [UInt8] {
  var out: [UInt8] = []
  var i = 0
  while i < bytes.count {
    if i + old.count <= bytes.count, bytes[i..<(i + old.count)].elementsEqual(old) {
      out += new
      i += old.count
    } else {
      out.append(bytes[i])
      i += 1
    }
  }
  return out
}

/// A symlink planted at the destination after the file was read (between planning and
/// writing) is never followed: the write is refused (exit 6) and the link's target kept.
@Suite struct SymlinkRaceTests {
  @Test(arguments: UserFileBytesTests.Kind.allCases)
  func aSymlinkPlantedBeforeTheWriteIsNotFollowed(kind: UserFileBytesTests.Kind) throws {
    try withTemporaryDirectory { (dir: String) throws in
      let path = "\(dir)/file"
      let victim = "\(dir)/victim"
      writeFile(victim, "precious\n")
      let context = SinkFixtures.context()
      let outputs = try kind.sink(path).plan([SinkFixtures.first], in: context)
      #expect(symlink(victim, path) == 0)
      let error = try #require(throws: SinkError.self) {
        try OutputWriter.apply(outputs, credentials: [SinkFixtures.first], dryRun: false, in: context)
      }
      #expect(error.exitStatus == .output)
      #expect(readFile(victim) == "precious\n")
      var st = stat()
      #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
    }
  }
}

/// Inputs the fuzzer found, kept as tests.
@Suite struct FuzzFindingsTests {
  /// A file ending inside a `macdef` body: a machine appended there would be part of the
  /// macro (it runs to the first empty line), so an empty line ends the macro first.
  @Test func anEntryAfterAnUnterminatedMacroIsNotSwallowed() {
    var doc = NetrcDocument(text: "machine a login b password c\nmacdef init\ncd /pub\n")
    doc.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    let once = doc.text.revealed
    #expect(
      once
        == "machine a login b password c\nmacdef init\ncd /pub\n\nmachine pkgs.example.com login user password secret\n"
    )
    var again = NetrcDocument(text: once)
    again.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    #expect(again.text.revealed == once)
  }

  /// Found by fuzzing: a `[distutils]` header on the file's last line, with no newline after it.
  @Test func aLastLineSectionHeaderWithoutNewlineIsEditedOnceOnly() throws {
    let found = try #require(
      Base64.decode(
        "IyBwaHAgY29uZmlndXJhdGlvbiBmb3IgdGhl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5VtnbG9iYWydnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnZ2dnSMgdHdpbmUgY29uZmlndXJhdGlvbgpbZGlzdHV0aWxzXQ=="
      ))
    for bytes in [found, Array("[distutils]".utf8), Array("# x\n[distutils]".utf8)] {
      var doc = IniDocument(bytes: bytes)
      #expect(doc.problem == nil)
      doc.ensureListed("feed", key: "index-servers", in: "distutils", defaults: ["pypi"])
      doc.setValue("password", ["secret"], in: "feed")
      let once = doc.text.revealedBytes
      var again = IniDocument(bytes: once)
      again.ensureListed("feed", key: "index-servers", in: "distutils", defaults: ["pypi"])
      again.setValue("password", ["secret"], in: "feed")
      #expect(again.text.revealed == String(decoding: once, as: UTF8.self))
    }
  }

  /// Found by fuzzing: a password whose quote never closes runs to the end of the file, so a
  /// machine appended after it would be read (by Python's netrc too) as part of that password.
  @Test func aQuoteThatNeverClosesMakesTheFileNotEditable() throws {
    let found = try #require(
      Base64.decode(
        "IyBjcmVudGlhbHMgZm9yIHRoZWxkIG1hY3JidWlsZCBtYWNoKW5lCm1hY2hpbmUgZ3RpaHViLmNvbQogIGxvZ2luIENoYXJhY3RlZWRlbnRpZWZneGlubyBwYXNzd29yZCAidWlvLHI="
      ))
    #expect(NetrcDocument(bytes: found).problem == "word 6 opens a quote that never closes")
    #expect(
      NetrcDocument(text: "machine a login b password \"c\\\"").problem == "word 6 opens a quote that never closes")
    #expect(NetrcDocument(text: "machine a login b password \"c d\"").problem == nil)
    #expect(throws: SinkError.self) { try NetrcDocument.editing(found, file: "/home/u/.netrc") }
  }
  /// Found by fuzzing: `machine #a` names the host `#a` (Python's netrc reads a value there, not
  /// a comment), so the machine appended after it is ours and a second write finds it.
  @Test func aValueThatStartsWithAHashIsAValueNotAComment() {
    var doc = NetrcDocument(text: "machine #a")
    #expect(doc.problem == nil)
    #expect(doc.entries.map(\.host) == ["#a"])
    doc.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    let once = doc.text.revealed
    #expect(once == "machine #a\nmachine pkgs.example.com login user password secret\n")
    var again = NetrcDocument(text: once)
    again.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    #expect(again.text.revealed == once)

    let values = NetrcDocument(text: "machine h login #u password #p # a comment\n")
    #expect(NetrcDocument.tokenize(values.scalars).map(\.text) == ["machine", "h", "login", "#u", "password", "#p"])
  }
  /// Found by fuzzing: a last `machine` with no host is a file Python's netrc refuses ("missing
  /// 'machine' name"); appending after it would make the next word its host.
  @Test func aMachineWithoutAHostMakesTheFileNotEditable() {
    let found = "#dentials for the build mach\u{BA}ne\nmachine\n"
    #expect(NetrcDocument(text: found).problem == "word 1 (machine) has no name after it")
    #expect(NetrcDocument(text: "machine a login b\nmachine").problem == "word 5 (machine) has no name after it")
    #expect(NetrcDocument(text: "machine a login b\n").problem == nil)
  }
}
