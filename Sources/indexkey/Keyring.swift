import ArgumentParser
import IndexKit

enum KeyringMode: String, CaseIterable, ExpressibleByArgument {
  case password, creds
}

enum KeyringOutput: String, CaseIterable, ExpressibleByArgument {
  case plain, json
}

/// The keyring CLI's options; accepted before the operation (`keyring --mode=creds get …`,
/// as pip runs it) or after it (`keyring get S --mode creds`, as uv runs it).
struct KeyringOptions: ParsableArguments {
  @Option(help: "password: print the password (needs USERNAME); creds: the username, then the password.")
  var mode: KeyringMode = .password

  @Option(help: "plain: one value per line; json: {\"username\": …, \"password\": …}.")
  var output: KeyringOutput = .plain

  @Flag(help: "Neither read nor write the credential cache (also: INDEXKEY_NO_CACHE=1).")
  var noCache = false

  func query(service: String, username: String?) -> KeyringQuery {
    Self.query(mode: mode, output: output, service: service, username: username)
  }

  static func query(mode: KeyringMode, output: KeyringOutput, service: String, username: String?) -> KeyringQuery {
    KeyringQuery(
      service: service, username: username, mode: mode == .creds ? .creds : .password,
      output: output == .json ? .json : .plain)
  }
}

extension IndexKey {
  struct Keyring: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "keyring",
      abstract:
        "Be the `keyring` executable pip and uv run (--keyring-provider subprocess): index credentials, cached until shortly before they expire.",
      discussion: """
        Install the link once, outside the virtualenv you install into (pip
        skips a keyring in its own environment's scripts directory):
          indexkey keyring install ~/.local/bin
          pip install --keyring-provider subprocess --index-url URL PKG
          UV_KEYRING_PROVIDER=subprocess UV_INDEX_FEED_USERNAME=EntraToken \\
            uv pip install --default-index feed=URL PKG

        SERVICE is an index URL (install or upload) or a bare HOST[:PORT].
        The answer carries the registry's own username (EntraToken, …)
        whatever USERNAME says. A service indexkey does not handle gets
        exit 1 and no output, as keyring does for "not found".

        A keyring call takes no flags; the environment configures it:
          (registry)           the registry's own variables, listed below
          INDEXKEY_IDENTITY    as --identity (auto, github, file:PATH, env:NAME)
          INDEXKEY_REGISTRY    HOST[:PORT]=REGISTRY entries (space or comma
                               separated) for hosts indexkey does not
                               recognise, e.g. pkgs.example.com=azure-artifacts
          INDEXKEY_NO_CACHE=1  as --no-cache
          XDG_CACHE_HOME       the cache is $XDG_CACHE_HOME/indexkey, else
                               ~/.cache/indexkey

        Registry tokens are cached per index, identity and CI job until a
        quarter of their lifetime (at most 10 minutes) is left; a cached
        answer makes no network request. CI OIDC tokens are never cached.
        Errors are one line on stderr (uv shows it; pip 26.2 and later do
        not).

        The variables each registry reads (as login reads them; every
        --FLAG of login has its variable, or none and then cannot be set
        here):
        """ + SettingsCatalog.variableHelp,
      subcommands: [Get.self, Clear.self, Install.self, Set.self, Del.self])

    @OptionGroup var options: KeyringOptions
  }
}

extension IndexKey.Keyring {
  struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "get",
      abstract: "Print the credential for SERVICE (exit 1 and no output when indexkey does not handle it).")

    @OptionGroup var options: KeyringOptions

    @Argument(help: "An index URL or HOST[:PORT].")
    var service: String

    @Argument(help: "The username the client knows (ignored: the registry's own is used).")
    var username: String?

    func validate() throws {
      if let problem = options.query(service: service, username: username).usageProblem {
        throw ValidationError(problem)
      }
    }

    func run() throws {
      let query = options.query(service: service, username: username)
      try Runner.finish(Runner.keyringHelper(noCache: options.noCache).get(query))
    }
  }

  struct Clear: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Remove every cached credential.")

    func run() throws {
      try Runner.finish(Runner.keyringHelper(noCache: false).clear())
    }
  }

  struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "install",
      abstract: "Create DIR/keyring, a link to this indexkey, for pip and uv to find on PATH.",
      discussion:
        "Choose a directory outside the virtualenv you install into: pip ignores a keyring executable in its own environment's scripts directory (uv does not)."
    )

    @Argument(help: "A directory on PATH, outside the target virtualenv (e.g. ~/.local/bin).")
    var directory: String

    func run() throws {
      try Runner.keyringInstall(directory)
    }
  }

  /// `keyring set`: pip runs it after a password prompt; indexkey stores nothing.
  struct Set: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", shouldDisplay: false)
    @Argument var service: String
    @Argument var username: String

    func run() throws {
      try Runner.refuseStore("set")
    }
  }

  /// `keyring del`: forgets the cached credential, so the next lookup mints a new one.
  struct Del: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "del", abstract: "Forget the cached credential for SERVICE, so the next lookup gets a new one.")
    @Argument(help: "An index URL or HOST[:PORT].") var service: String
    @Argument(help: "The username the client knows (ignored).") var username: String

    func run() throws {
      try Runner.finish(Runner.keyringHelper(noCache: false).delete(service: service))
    }
  }
}
