internal import COpenSSL

extension OpenSSL {
  /// The digests the crypto layer uses.
  enum DigestKind {
    case sha1, sha256

    var md: OpaquePointer? {
      switch self {
      case .sha1: return EVP_sha1()
      case .sha256: return EVP_sha256()
      }
    }
  }

  /// One-shot digest of `bytes`.
  static func digest(_ bytes: [UInt8], _ kind: DigestKind) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let ok = bytes.withUnsafeBytes { input in
      out.withUnsafeMutableBufferPointer { output in
        EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, kind.md, nil)
      }
    }
    // Hashing memory with a built-in digest fails only if libcrypto itself is broken.
    precondition(ok == 1, "EVP_Digest failed: \(drainErrors())")
    return Array(out.prefix(Int(length)))
  }

  /// One-shot HMAC-SHA-256 of `data` under `key`.
  static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
    // HMAC() wants real pointers even for empty input; lengths stay the true ones.
    let keyBytes = key.isEmpty ? [0] : key
    let dataBytes = data.isEmpty ? [0] : data
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let result = keyBytes.withUnsafeBufferPointer { k in
      dataBytes.withUnsafeBufferPointer { d in
        out.withUnsafeMutableBufferPointer { o in
          HMAC(
            EVP_sha256(), k.baseAddress, Int32(key.count), d.baseAddress, data.count, o.baseAddress,
            &length)
        }
      }
    }
    precondition(result != nil, "HMAC failed: \(drainErrors())")
    return Array(out.prefix(Int(length)))
  }
}
