import IndexKit
import Testing

@Suite struct CryptoDigestTests {
  // FIPS 180-2 appendix B / C examples and the empty message.
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func sha256MatchesFIPSVectors(message: String, expected: String) {
    #expect(Hex.lower(Digest.sha256(message.utf8)) == expected)
  }

  @Test func sha256OfAMillionAs() {
    let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    #expect(
      Hex.lower(Digest.sha256(message))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test(arguments: [
    ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
    ),
  ])
  func sha1MatchesFIPSVectors(message: String, expected: String) {
    #expect(Hex.lower(Digest.sha1(message.utf8)) == expected)
  }

  /// RFC 4231 test cases 1–4, 6 and 7 (case 5 is a truncated output, which we never use).
  @Test(arguments: [
    (
      [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    ),
    (
      Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    ),
    (
      [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
    ),
    (
      Array(1...25), [UInt8](repeating: 0xcd, count: 50),
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
    ),
    (
      [UInt8](repeating: 0xaa, count: 131),
      Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    ),
    (
      [UInt8](repeating: 0xaa, count: 131),
      Array(
        ("This is a test using a larger than block-size key and a larger than block-size data. "
          + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
    ),
  ])
  func hmacSHA256MatchesRFC4231(key: [UInt8], data: [UInt8], expected: String) {
    #expect(Hex.lower(Digest.hmacSHA256(key: key, data: data)) == expected)
  }

  @Test func hmacAcceptsEmptyKeyAndData() {
    // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
    #expect(
      Hex.lower(Digest.hmacSHA256(key: [UInt8](), data: [UInt8]()))
        == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
  }

  @Test func hexIsLowercaseTwoDigitsPerByte() {
    #expect(Hex.lower([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    #expect(Hex.lower([UInt8]()) == "")
  }

  @Test(arguments: [
    ("", "", ""), ("f", "Zg==", "Zg"), ("fo", "Zm8=", "Zm8"), ("foo", "Zm9v", "Zm9v"),
    ("foob", "Zm9vYg==", "Zm9vYg"), ("fooba", "Zm9vYmE=", "Zm9vYmE"),
    ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
  ])
  func base64MatchesRFC4648(plain: String, standard: String, url: String) {
    #expect(Base64.encode(Array(plain.utf8)) == standard)
    #expect(Base64.encodeURL(Array(plain.utf8)) == url)
    #expect(Base64.decode(standard) == Array(plain.utf8))
    #expect(Base64.decode(url) == Array(plain.utf8))
  }

  @Test func base64RoundTripsEveryByteAndLength() {
    let all = (0...255).map(UInt8.init)
    for length in 0...all.count {
      let bytes = Array(all.prefix(length))
      #expect(Base64.decode(Base64.encode(bytes)) == bytes)
      #expect(Base64.decode(Base64.encodeURL(bytes)) == bytes)
    }
    #expect(Base64.encodeURL([0xfb, 0xff]) == "-_8")
    #expect(Base64.encode([0xfb, 0xff]) == "+/8=")
  }

  @Test func secureRandomGivesTheAskedLengthAndVaries() {
    #expect(SecureRandom.bytes(0).isEmpty)
    let a = SecureRandom.bytes(32)
    let b = SecureRandom.bytes(32)
    #expect(a.count == 32)
    #expect(a != b)
  }

  @Test func uuidIsVersion4Lowercase() {
    let id = SecureRandom.uuid()
    let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
    #expect(groups == [8, 4, 4, 4, 12])
    #expect(id.allSatisfy { $0 == "-" || ($0.isHexDigit && !$0.isUppercase) })
    let chars = Array(id)
    #expect(chars[14] == "4")
    #expect("89ab".contains(chars[19]))
    #expect(SecureRandom.uuid() != id)
  }
}
