import ArgumentParser
import IndexKit

extension IndexKey {
  struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "logout",
      abstract: "Forget what the encrypted store keeps for an index (refresh tokens, PATs), or for every index.",
      discussion: """
        The store is $XDG_DATA_HOME/indexkey/store.fernet (default ~/.local/share/indexkey/),
        encrypted with the key in ACCT_KEY, else one kept by the desktop's Secret Service, else one
        in ~/.config/indexkey-key/store.key (0600). Without a URL the whole store is removed, even
        one no key opens any more. The keyring helper's cached credentials go with it (those of
        the URL's host, or all of them), so the next pip or uv lookup signs in again.
        """)

    @Argument(help: "The index URL whose secrets to forget (default: all).") var url: String?

    func run() throws {
      try ProfileRunner.run { env, console in
        guard let store = SecretStore.live(environment: env, home: env["HOME"], console: console) else {
          throw StoreError("indexkey logout needs HOME (or XDG_DATA_HOME) to find the store.")
        }
        let cache = KeyringHelper.defaultCache(environment: env, home: env["HOME"])
        guard let url else {
          let removed = try store.removeAll()
          console.err(
            removed
              ? "indexkey: removed the encrypted store \(store.path)."
              : "indexkey: there is no encrypted store (\(store.path)); nothing to forget.")
          if let cache, let cached = try? cache.clear(), cached > 0 {
            console.err(
              "indexkey: removed \(cached) cached credential\(cached == 1 ? "" : "s") from \(cache.directory).")
          }
          return
        }
        let web = try WebURL(url, what: "The index URL")
        let index = StoreKey.index(for: web)
        let kinds = try store.remove(index: index)
        console.err(
          kinds.isEmpty
            ? "indexkey: the store keeps nothing for \(index)."
            : "indexkey: forgot \(kinds.joined(separator: ", ")) for \(index).")
        if let cached = cache?.remove(authority: web.authority), cached > 0 {
          console.err("indexkey: removed \(cached) cached credential\(cached == 1 ? "" : "s") for \(web.authority).")
        }
      }
    }
  }
}
