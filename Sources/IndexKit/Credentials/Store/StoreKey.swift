/// What one entry of the encrypted store is for: an index, and the kind of secret kept for
/// it ("azure-refresh-token", "azure-devops-pat", …).
package struct StoreKey: Hashable, Sendable, CustomStringConvertible {
  /// The index, as ``index(for:)`` spells it.
  package var index: String
  package var kind: String

  package init(index: String, kind: String) {
    self.index = index
    self.kind = kind
  }

  /// Keyed by the index URL's scheme, host, port and path (always ending in `/`), so that
  /// `…/simple` and `…/simple/` are one index; the query is not part of it.
  package init(index url: WebURL, kind: String) {
    self.init(index: Self.index(for: url), kind: kind)
  }

  package static func index(for url: WebURL) -> String {
    let path = url.path.hasSuffix("/") ? url.path : url.path + "/"
    return "\(url.scheme)://\(url.authority)\(path)"
  }

  package var description: String { "\(kind) for \(index)" }
}

/// The store could not be read or written.
///
/// The message names the file, the key's origin and what to do; exit 2 when the store or
/// its key is wrong, 6 when it cannot be written.
package struct StoreError: UserFacingError, Equatable {
  package var message: String
  package var exitStatus: ExitStatus
  package init(_ message: String, exitStatus: ExitStatus = .usage) {
    self.message = message
    self.exitStatus = exitStatus
  }
  package var description: String { message }
}
