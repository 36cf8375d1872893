import Glibc

@testable import IndexKit

/// A throwaway CA, a certificate it signed for 127.0.0.1, and a second CA that signed
/// nothing, made with the openssl command in a fresh directory.
struct TestCertificates {
  let directory: String
  var ca: String { directory + "/ca.pem" }
  var otherCA: String { directory + "/other-ca.pem" }
  var leaf: String { directory + "/leaf.pem" }
  var leafKey: String { directory + "/leaf.key" }

  init(in directory: String) throws {
    self.directory = directory
    let runner = SpawnProcessRunner()
    let env = Environment(["PATH": "/usr/bin:/bin"])
    func openssl(_ arguments: String) throws {
      let out = try runner.run(["sh", "-c", "cd '\(directory)' && " + arguments], environment: env, timeout: 20)
      guard out.status == 0 else { throw ConfigError("openssl failed: \(String(decoding: out.stderr, as: UTF8.self))") }
    }
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
    try openssl("openssl req -x509 \(ec) -keyout ca.key -out ca.pem -subj '/CN=indexkey test CA' -days 2")
    try openssl("openssl req -x509 \(ec) -keyout other-ca.key -out other-ca.pem -subj '/CN=indexkey other CA' -days 2")
    try openssl(
      "openssl req -new \(ec) -keyout leaf.key -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
        + "| openssl x509 -req -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -copy_extensions copy -out leaf.pem")
  }

  /// A directory holding `certificates` under their subject-hash names, as c_rehash makes.
  func hashedDirectory(_ name: String, holding certificates: [String]) throws -> String {
    let path = directory + "/" + name
    mkdir(path, 0o755)
    for certificate in certificates {
      let out = try SpawnProcessRunner().run(
        ["openssl", "x509", "-noout", "-subject_hash", "-in", certificate],
        environment: Environment(["PATH": "/usr/bin:/bin"]),
        timeout: 10)
      let hash = String(decoding: out.stdout, as: UTF8.self).trimmingSpaces
      writeFile("\(path)/\(hash).0", readFile(certificate) ?? "")
    }
    return path
  }
}

/// `openssl s_server -www` on a free loopback port: answers every GET with 200 over TLS.
final class TLSServer {
  let port: Int
  private let pid: pid_t
  var url: String { "https://127.0.0.1:\(port)/" }

  init(certificate: String, key: String) throws {
    port = try Self.freePort()
    var pid = pid_t()
    let arguments = [
      "openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet",
    ]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
    var argv = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    guard posix_spawnp(&pid, "openssl", &actions, nil, &argv, environ) == 0 else {
      throw ConfigError("could not start openssl s_server")
    }
    self.pid = pid
    let deadline = monotonicSeconds() + 5
    while !Self.accepts(port) {
      guard monotonicSeconds() < deadline else {
        stop()
        throw ConfigError("openssl s_server did not start listening")
      }
      realSleep(0.02)
    }
  }

  func stop() {
    kill(pid, SIGKILL)  // SIGTERM may be blocked in the mask the child inherited
    var status: Int32 = 0
    waitpid(pid, &status, 0)
  }

  private static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard bound else { throw ConfigError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  private static func accepts(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
