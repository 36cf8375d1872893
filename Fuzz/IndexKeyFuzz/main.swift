// libFuzzer driver for every parser that reads untrusted bytes. Built only by `make fuzz`
// (INDEXKEY_FUZZ=1 adds this target to the package; see Package.swift), with
// `-sanitize=fuzzer,address`. The target is chosen with INDEXKEY_FUZZ_TARGET; its seed
// corpus is Fuzz/corpus/<name>/. libFuzzer's own flags (-max_total_time=…) pass through.
//
// Adding a parser: add one entry to `targets` below and a Fuzz/corpus/<name>/ directory with
// a few real inputs. `make fuzz` runs every entry.
import Glibc

@testable import IndexKit

/// name → what to do with one input.
///
/// Each checks what must hold for any input (bytes kept, nothing traps); a violated check
/// is a crash libFuzzer reports and keeps.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
  "json": { bytes in
    guard let json = try? JSON(parsing: bytes, document: "fuzz") else { return }
    _ = try? JSON(parsing: Array(json.serialized().utf8), document: "fuzz again")
  },
  "jwt": { bytes in
    let claims = JWTClaims(token: Secret(String(decoding: bytes, as: UTF8.self)))
    _ = claims?.expiresAt
    _ = claims?.presented
    _ = Freshness.expiry(stated: 0, token: Secret(String(decoding: bytes, as: UTF8.self)))
  },
  "sts-xml": { bytes in
    _ = try? AWSSTS.credentials(from: bytes)
    _ = AWSSTS.error(from: bytes)
  },
  "ini": { bytes in
    var doc = IniDocument(bytes: bytes)
    check(doc.text.revealedBytes == bytes, "an INI document read and written unchanged keeps every byte")
    let editable = doc.problem == nil  // the sinks refuse the others, untouched
    _ = doc.values(of: "index-url", in: "global")
    doc.ensureListed("feed", key: "index-servers", in: "distutils", defaults: ["pypi"])
    doc.setValue("password", ["secret"], in: "feed")
    let once = doc.text.revealedBytes
    var again = IniDocument(bytes: once)
    again.ensureListed("feed", key: "index-servers", in: "distutils", defaults: ["pypi"])
    again.setValue("password", ["secret"], in: "feed")
    check(!editable || again.text.revealedBytes == once, "writing our section a second time changes nothing")
  },
  "netrc": { bytes in
    var doc = NetrcDocument(bytes: bytes)
    check(doc.text.revealedBytes == bytes, "a netrc read and written unchanged keeps every byte")
    let editable = doc.problem == nil  // the sinks refuse the others, untouched
    doc.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    let once = doc.text.revealedBytes
    var again = NetrcDocument(bytes: once)
    again.set(host: "pkgs.example.com", login: "user", password: Secret("secret"))
    check(!editable || again.text.revealedBytes == once, "writing our machine a second time changes nothing")
  },
  "url": { bytes in
    guard let url = try? WebURL(String(decoding: bytes, as: UTF8.self), what: "fuzz") else { return }
    _ = url.segments
    _ = try? WebURL(url.description, what: "fuzz again")
  },
  "external-account": { bytes in
    if let json = try? JSON(parsing: bytes, document: "fuzz") {
      _ = try? ExternalAccount(json: json, path: "/fuzz.json", environment: Environment([:]))
    }
    _ = try? ExecutableResponse(parsing: String(decoding: bytes, as: UTF8.self), origin: "fuzz", now: 1_800_000_000)
  },
  "service-account-key": { bytes in
    guard let json = try? JSON(parsing: bytes, document: "fuzz") else { return }
    _ = try? GoogleServiceAccountKey(
      json: json, contents: Secret(String(decoding: bytes, as: UTF8.self)), path: "/fuzz.json")
  },
  "keyring": { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    _ = KeyringServices.parse(text)
    for line in text.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      guard words.count >= 2 else { continue }
      let query = KeyringQuery(
        service: words[0], username: words[1], mode: KeyringQuery.Mode(rawValue: words.last ?? "") ?? .password,
        output: KeyringQuery.Output(rawValue: words.last ?? "") ?? .plain)
      _ = query.answer(username: words[1], password: Secret("p"))
    }
  },
  "cache": { bytes in
    _ = CredentialCache.decode(
      bytes, key: CacheKey(id: String(repeating: "a", count: 64), registry: "r", index: "i"), now: 1_800_000_000)
  },
  "profile": { bytes in
    // An acct file as indexkey reads it: decrypted (Fernet or aesgcm256, under fixed keys), then
    // msgpack or JSON, then the profile book; and a plain YAML profile document.
    _ = try? AcctFile.open(bytes, key: fuzzFernetKey)
    _ = try? AcctFile.open(bytes, key: fuzzGCMKey)
    _ = try? Fernet.decrypt(String(decoding: bytes, as: UTF8.self), key: FernetKey(encoded: fuzzFernetKey))
    if let data = try? Msgpack.decode(bytes) {
      let packed = Msgpack.encode(data)  // compared as bytes: a NaN is never equal to itself
      check(
        (try? Msgpack.decode(packed)).map(Msgpack.encode) == packed,
        "msgpack data written and read again is the same data")
      _ = try? ProfileBook(data: data)
    }
    if let data = try? YAML.parse(bytes) {
      _ = try? ProfileBook(data: data)
      let rendered = YAML.render(data)
      check(
        (try? YAML.parse(Array(rendered.utf8))).map(YAML.render) == rendered,
        "YAML rendered and parsed again is the same data")
    }
  },
  "time": { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    _ = RFC3339.parse(text)
    _ = CodeArtifactClient.expiration(.string(text))
    _ = RetryPolicy.retryAfterSeconds(text)
  },
]

let fuzzFernetKey = Secret("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")
let fuzzGCMKey = Secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")

func check(_ condition: Bool, _ what: String) {
  if !condition {
    let message = Array("invariant broken: \(what)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
  }
}

let selected: @Sendable ([UInt8]) -> Void = {
  let name = getenv("INDEXKEY_FUZZ_TARGET").map { String(cString: $0) } ?? ""
  guard let target = targets[name] else {
    print("Set INDEXKEY_FUZZ_TARGET to one of: \(targets.keys.sorted().joined(separator: ", ")).")
    exit(2)
  }
  return target
}()

/// One input, as libFuzzer hands it over.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  selected(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
  return 0
}

/// libFuzzer's entry point for a program with its own `main` (SwiftPM gives every
/// executable one).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
  _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = selected  // an unknown target stops here, before libFuzzer starts
exit(runDriver(&argc, &argv) { data, size in testOneInput(data, size) })
