import Testing

@testable import IndexKit

@Suite struct FernetTests {
  // The Fernet specification's "generate" vector (PROTOCOLS.md §11).
  static let key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
  static let token =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
  static let now: UnixTime = 499_162_800  // 1985-10-26T01:20:00-07:00

  static func specKey() throws -> FernetKey { try FernetKey(encoded: Secret(key)) }

  @Test func generatesTheSpecificationVector() throws {
    let iv = (0..<16).map { UInt8($0) }
    #expect(Fernet.encrypt(Array("hello".utf8), key: try Self.specKey(), now: Self.now, iv: iv) == Self.token)
  }

  @Test func decryptsTheSpecificationVectorAndReadsItsTimestamp() throws {
    let (plaintext, stamp) = try Fernet.decrypt(Self.token, key: try Self.specKey())
    #expect(plaintext == Array("hello".utf8))
    #expect(stamp == 499_162_800)
  }

  @Test func noAgeLimitUnlessAsked() throws {
    #expect(throws: Never.self) { try Fernet.decrypt(Self.token, key: try Self.specKey(), now: 2_000_000_000) }
    #expect(throws: FernetError.expired) {
      try Fernet.decrypt(Self.token, key: try Self.specKey(), ttl: 60, now: 2_000_000_000)
    }
    #expect(throws: FernetError.fromTheFuture) {
      try Fernet.decrypt(Self.token, key: try Self.specKey(), ttl: 60, now: Self.now - 3600)
    }
  }

  @Test func roundTripsEveryLengthAroundABlock() throws {
    let key = FernetKey.generate()
    for length in [0, 1, 15, 16, 17, 31, 32, 33, 1000] {
      let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7) }
      let token = Fernet.encrypt(message, key: key, now: 1_700_000_000)
      #expect(try Fernet.decrypt(token, key: key).plaintext == message)
    }
  }

  @Test func keysRoundTripThroughTheirText() throws {
    let key = FernetKey.generate()
    #expect(key.encoded.revealed.count == 44)
    #expect(key.encoded.revealed.hasSuffix("="))
    #expect(try FernetKey(encoded: key.encoded) == key)
    #expect(key.encoded.description == "***")
  }

  @Test(arguments: [
    "", "short", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e",
    "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",
    "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=AAAA", "not a key at all, but long enough to fool a length c",
  ])
  func refusesMalformedKeys(_ text: String) {
    #expect(throws: FernetError.malformedKey) { try FernetKey(encoded: Secret(text)) }
  }

  @Test func aWrongKeyIsRefusedBeforeDecrypting() throws {
    #expect(throws: FernetError.wrongKeyOrDamaged) { try Fernet.decrypt(Self.token, key: FernetKey.generate()) }
  }

  @Test func aFlippedBitAnywhereIsRefused() throws {
    let bytes = try #require(Base64.decode(Self.token))
    for index in bytes.indices {
      for bit in [0, 7] {
        var damaged = bytes
        damaged[index] ^= UInt8(1 << bit)
        let token = Base64.encodeURLPadded(damaged)
        #expect(throws: FernetError.self) { try Fernet.decrypt(token, key: try Self.specKey()) }
      }
    }
  }

  @Test func derivedInvalidTokens() throws {
    let key = try Self.specKey()
    let bytes = try #require(Base64.decode(Self.token))
    func tok(_ b: [UInt8]) -> String { Base64.encodeURLPadded(b) }
    // Truncated: a longer token cut by a block (still long enough to parse), and to less than a whole token.
    let long = Fernet.encrypt(Array(repeating: 7, count: 40), key: key, now: Self.now)
    let longBytes = try #require(Base64.decode(long))
    #expect(throws: FernetError.wrongKeyOrDamaged) { try Fernet.decrypt(tok(Array(longBytes.dropLast(16))), key: key) }
    #expect(throws: FernetError.truncated) { try Fernet.decrypt(tok(Array(bytes.dropLast(1))), key: key) }
    #expect(throws: FernetError.truncated) { try Fernet.decrypt(tok(Array(bytes.prefix(40))), key: key) }
    #expect(throws: FernetError.truncated) { try Fernet.decrypt(String(Self.token.prefix(20)), key: key) }
    // Wrong version byte, even with a MAC that matches.
    var v = bytes
    v[0] = 0x81
    #expect(throws: FernetError.wrongVersion(0x81)) { try Fernet.decrypt(tok(v), key: key) }
    // Not base64, and the standard alphabet where Fernet uses the URL-safe one.
    #expect(throws: FernetError.notBase64) { try Fernet.decrypt("gAAAAA*" + Self.token.dropFirst(7), key: key) }
    #expect(throws: FernetError.notBase64) { try Fernet.decrypt(Self.token.replacingAll("_", "/"), key: key) }
    // A ciphertext that is not whole blocks, and one with bad padding, each correctly signed.
    let signing = Array(try #require(Base64.decode(Self.key)).prefix(16))
    func signed(_ body: [UInt8]) -> String { tok(body + OpenSSL.hmacSHA256(key: signing, data: body)) }
    let head = Array(bytes.prefix(25))
    #expect(throws: FernetError.badLength) {
      try Fernet.decrypt(signed(head + [UInt8](repeating: 1, count: 17)), key: key)
    }
    #expect(throws: FernetError.badPadding) {
      try Fernet.decrypt(signed(head + [UInt8](repeating: 1, count: 16)), key: key)
    }
    // Surrounding whitespace (a trailing newline from an editor) is not damage.
    #expect(try Fernet.decrypt(Self.token + "\n", key: key).plaintext == Array("hello".utf8))
  }

  @Test func constantTimeComparison() {
    #expect(OpenSSL.constantTimeEqual([1, 2, 3], [1, 2, 3]))
    #expect(!OpenSSL.constantTimeEqual([1, 2, 3], [1, 2, 4]))
    #expect(!OpenSSL.constantTimeEqual([1, 2, 3], [1, 2]))
    #expect(OpenSSL.constantTimeEqual([], []))
  }

  @Test func aesGCMSealsAndRefusesATamperedTag() throws {
    let key = SecureRandom.bytes(32)
    let nonce = SecureRandom.bytes(12)
    let sealed = OpenSSL.sealGCM(Array("profile".utf8), key: key, nonce: nonce)
    #expect(sealed.count == 7 + 16)
    #expect(OpenSSL.openGCM(sealed, key: key, nonce: nonce) == Array("profile".utf8))
    var damaged = sealed
    damaged[damaged.count - 1] ^= 1
    #expect(OpenSSL.openGCM(damaged, key: key, nonce: nonce) == nil)
    #expect(OpenSSL.openGCM(sealed, key: SecureRandom.bytes(32), nonce: nonce) == nil)
  }
}

extension String {
  fileprivate func replacingAll(_ a: Character, _ b: Character) -> String { String(map { $0 == a ? b : $0 }) }
}
