import ArgumentParser
import IndexKit

@main
struct IndexKey: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "indexkey",
    abstract: "Turn a CI job's identity into short-lived credentials for a private Python package index.",
    discussion: """
      Examples:
        # GitHub Actions (permissions: id-token: write), Azure Artifacts; writes
        # the pip, uv, twine, Poetry, PDM and Hatch variables to $GITHUB_ENV
        # and a [feed] section to ~/.pypirc:
        indexkey login https://pkgs.dev.azure.com/ORG/PROJECT/_packaging/FEED/pypi/simple/ --write github-env,pypirc

        # Two indexes at once, exchanged in parallel: PIP_INDEX_URL and
        # PIP_EXTRA_INDEX_URL, UV_DEFAULT_INDEX=internal=… and UV_INDEX=mirror=…,
        # a .pypirc section each:
        indexkey login URL1 URL2 --name internal,mirror --write github-env,pypirc

        # Anywhere, with a token file, into the current shell:
        out=$(indexkey login URL --identity file:/var/run/secrets/token --write shell) && eval "$out"

        # GitLab CI: a 0600 file to source in the same job (nothing secret is
        # printed, since GitLab cannot mask it):
        indexkey login URL --write gitlab-env=/tmp/index.env && . /tmp/index.env

        # See what would be written, secrets hidden:
        indexkey login URL --dry-run --write pypirc

        # Explain the CI token an exchange would present, and check the setup:
        indexkey claims --audience api://AzureADTokenExchange
        indexkey doctor URL

      Exit codes: 0 ok, 2 usage or configuration, 3 no CI identity, 4 exchange refused,
      5 network or service failure, 6 could not write an output, 7 libcurl missing or
      older than 7.76.0.
      """,
    version: indexkeyVersion,
    subcommands: [
      Login.self,
      Token.self,
      Claims.self,
      Doctor.self,
      Keyring.self,
      Profiles.self,
      Logout.self,
    ],
    defaultSubcommand: nil
  )

  /// Started through a link named `keyring` (`indexkey keyring install`), the binary is
  /// the keyring CLI pip and uv run; otherwise indexkey.
  static func main() {
    CoreDumps.disable()  // before any secret is read or minted
    if KeyringLink.isKeyringName(CommandLine.arguments.first) {
      let arguments = Array(CommandLine.arguments.dropFirst())
      if let quick = QuickLine.keyring(arguments) {
        do { try quick.run() } catch { Keyring.exit(withError: error) }
      } else {
        Keyring.main(arguments)
      }
    } else {
      do {
        if let quick = QuickLine.parse(Array(CommandLine.arguments.dropFirst())) {
          try quick.run()
          return
        }
        var command = try parseAsRoot(RegistryFlags.rewrite(Array(CommandLine.arguments.dropFirst())))
        try command.run()
      } catch {
        exitUsingTwoForUsage(error)
      }
    }
  }

  /// Like `exit(withError:)`, but a command line that does not parse exits 2, the code
  /// indexkey uses for every usage or configuration error (ArgumentParser's own is 64).
  static func exitUsingTwoForUsage(_ error: any Error) -> Never {
    if exitCode(for: error) == .validationFailure {
      let message = fullMessage(for: error)
      FileOutput.standardError(message.hasSuffix("\n") ? message : message + "\n")
      exit(withError: ExitCode(2))
    }
    exit(withError: error)
  }
}
