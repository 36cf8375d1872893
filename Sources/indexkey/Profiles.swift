import ArgumentParser
import IndexKit

extension IndexKey {
  struct Profiles: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "profiles",
      abstract: "acct-compatible encrypted profiles: long-lived settings and secrets for `login --profile`.",
      discussion: """
        A profile file is acct's format: YAML of PROVIDER: {PROFILE: {key: value}}, serialised with
        msgpack and encrypted with Fernet. indexkey's provider is `indexkey`; each profile names its
        index_url (one URL or a list) and the settings flags and environment variables give, spelled
        as the variables are in lower case:

          indexkey:
            feed:
              index_url: https://pkgs.dev.azure.com/ORG/_packaging/FEED/pypi/simple/
              azure_tenant_id: 00000000-0000-0000-0000-000000000000
              azure_client_id: 11111111-1111-1111-1111-111111111111
              azure_client_secret: ...

        ACCT_FILE names the encrypted file and ACCT_KEY holds its key, as for acct. Files indexkey
        writes are 0600 (acct encrypt leaves them world-readable under the usual umask).
        """,
      subcommands: [Encrypt.self, Decrypt.self, Edit.self, List.self])
  }
}

extension IndexKey.Profiles {
  struct Encrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Encrypt FILE.yml to FILE.yml.fernet (0600) and print the new key, as acct encrypt does.")

    @Argument(help: "The YAML (or JSON) file to encrypt.") var file: String
    @Option(help: "Where to write (default FILE.fernet).") var output: String?
    @Flag(help: "Encrypt with the key in ACCT_KEY instead of a new one (nothing is printed).") var keyFromEnv = false

    func run() throws {
      try ProfileRunner.run { env, console in
        try ProfileCommands.encrypt(
          file, output: output, keyFromEnvironment: keyFromEnv, environment: env, console: console,
          now: SystemClock().now())
      }
    }
  }

  struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Decrypt FILE.fernet (key in ACCT_KEY) to a 0600 YAML file, or to stdout with --show-secrets.")

    @Argument(help: "The encrypted file.") var file: String
    @Option(help: "Where to write the YAML (default FILE without .fernet; never overwritten).") var output: String?
    @Flag(help: "Print the YAML, secrets included, on stdout instead of writing a file.") var showSecrets = false

    func run() throws {
      try ProfileRunner.run { env, console in
        try ProfileCommands.decrypt(file, output: output, showSecrets: showSecrets, environment: env, console: console)
      }
    }
  }

  struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Open $EDITOR on a decrypted 0600 copy in a private directory; re-encrypt on save; the copy is always removed.")

    @Argument(help: "The encrypted file (key in ACCT_KEY).") var file: String

    func run() throws {
      try ProfileRunner.run { env, console in
        try ProfileEdit.run(file, environment: env, console: console, now: SystemClock().now())
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print each indexkey profile's name and index URL(s), never a value.")

    @Argument(help: "The encrypted file (default: ACCT_FILE; key in ACCT_KEY).") var file: String?

    func run() throws {
      try ProfileRunner.run { env, console in try ProfileCommands.list(file, environment: env, console: console) }
    }
  }
}

/// `--profile` for `login`, `token` and `doctor`.
struct ProfileOptions: ParsableArguments {
  @Option(
    name: .customLong("profile"),
    help:
      "A profile of the encrypted file ACCT_FILE (key in ACCT_KEY); repeat for several (default for token: INDEXKEY_PROFILE)."
  )
  var profiles: [String] = []
}

/// Runs a profile or store command with the live environment; errors print one line and exit with their code.
enum ProfileRunner {
  static func run(_ body: (Environment, Console) throws -> Void) throws {
    let console = Console.standard()
    do {
      try body(Environment(ProcessEnvironment.read()), console)
    } catch let error as any UserFacingError {
      Runner.fail(error, console)
    }
  }
}
