internal import CSecretLoader

/// The desktop's Secret Service (GNOME Keyring, KWallet), where the store's key lives on a
/// desktop.
///
/// A seam: ``LibsecretService`` talks to the real one; tests may pass another.
package protocol SecretService: Sendable {
  /// The secret stored under `account`, nil when there is none.
  func lookup(account: String) throws(SecretServiceError) -> Secret?
  /// Stores (or replaces) the secret under `account`.
  func store(account: String, label: String, secret: Secret) throws(SecretServiceError)
}

/// Why the Secret Service could not be used; the text completes "… because …".
package struct SecretServiceError: Error, Equatable, Sendable, CustomStringConvertible {
  package var reason: String
  package init(_ reason: String) { self.reason = reason }
  package var description: String { reason }
}

/// libsecret, loaded on first use (see `Sources/CSecretLoader/include/csecret.h`).
package struct LibsecretService: SecretService {
  static let service = "indexkey"

  /// The Secret Service of the session, or nil when no D-Bus session bus answers (CI
  /// runners, servers, containers): then libsecret is not even loaded.
  package static func ifSessionBusAnswers(_ environment: Environment) -> LibsecretService? {
    var address = environment["DBUS_SESSION_BUS_ADDRESS"]
    if address == nil, let runtime = environment["XDG_RUNTIME_DIR"] {
      address = "unix:path=\(runtime)/bus"
    }
    guard let address, csecret_bus_answers(address) == 1 else { return nil }
    return LibsecretService()
  }

  package func lookup(account: String) throws(SecretServiceError) -> Secret? {
    var found: UnsafeMutablePointer<CChar>?
    var error = [CChar](repeating: 0, count: 512)
    guard csecret_lookup(Self.service, account, &found, &error, error.count) == 0 else {
      throw SecretServiceError(String(cBuffer: error))
    }
    guard let found else { return nil }
    defer { csecret_free(found) }
    return Secret(String(cString: found))
  }

  package func store(account: String, label: String, secret: Secret) throws(SecretServiceError) {
    var error = [CChar](repeating: 0, count: 512)
    guard csecret_store(label, Self.service, account, secret.revealed, &error, error.count) == 0 else {
      throw SecretServiceError(String(cBuffer: error))
    }
  }
}
