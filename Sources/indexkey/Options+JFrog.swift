import ArgumentParser
import IndexKit

struct JFrogOptions: ParsableArguments {
  @Option(help: "OIDC integration (Provider Name) to exchange the CI token with.")
  var jfrogOidcProvider: String?

  @Option(help: "Audience of the CI token the integration expects (GitHub's default is https://github.com/OWNER).")
  var jfrogOidcAudience: String?

  @Option(help: "JFrog platform URL (without /artifactory); default JF_URL, else taken from the index URL.")
  var jfrogUrl: String?

  @Option(help: "JFrog project key sent with the exchange; default JF_PROJECT.")
  var jfrogProject: String?

  @Option(help: "Username to send with JF_ACCESS_TOKEN; default JF_USER, else the token's subject.")
  var jfrogUsername: String?

  @Option(help: "Use this JFrog credential instead of the first configured one (\(JFrogChain.chain.names.joined(separator: ", "))); default INDEXKEY_JFROG_CREDENTIAL.")
  var jfrogCredential: String?

  func apply(to options: inout LoginOptions) {
    options.flags["jfrog-credential"] = jfrogCredential
    options.flags["jfrog-oidc-provider"] = jfrogOidcProvider
    options.flags["jfrog-oidc-audience"] = jfrogOidcAudience
    options.flags["jfrog-url"] = jfrogUrl
    options.flags["jfrog-project"] = jfrogProject
    options.flags["jfrog-username"] = jfrogUsername
  }
}
