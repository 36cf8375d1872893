internal import COpenSSL

extension OpenSSL {
  /// `count` bytes from OpenSSL's CSPRNG.
  static func randomBytes(_ count: Int) -> [UInt8] {
    precondition(count >= 0, "a negative number of random bytes was asked for")
    var out = [UInt8](repeating: 0, count: count)
    guard count > 0 else { return out }
    let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
    // Without working randomness no token, nonce or delimiter is safe; stop here.
    guard ok == 1 else { fatalError("the system random number generator failed: \(drainErrors())") }
    return out
  }
}
