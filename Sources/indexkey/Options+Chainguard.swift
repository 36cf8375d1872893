import ArgumentParser
import IndexKit

struct ChainguardOptions: ParsableArguments {
  @Option(help: "Chainguard identity to assume (ORG_ID/IDENTITY_ID); default CHAINGUARD_IDENTITY.")
  var chainguardIdentity: String?

  @Option(help: "Chainguard STS issuer; default https://issuer.enforce.dev.")
  var chainguardIssuer: String?

  @Option(help: "Audience of the CI token the identity expects; default issuer.enforce.dev.")
  var chainguardOidcAudience: String?

  @Option(help: "Audience of the Chainguard token to request; default libraries.cgr.dev.")
  var chainguardAudience: String?

  @Option(help: "Use this Chainguard credential instead of the first configured one (\(ChainguardChain.chain.names.joined(separator: ", "))); default INDEXKEY_CHAINGUARD_CREDENTIAL.")
  var chainguardCredential: String?

  func apply(to options: inout LoginOptions) {
    options.flags["chainguard-credential"] = chainguardCredential
    options.flags["chainguard-identity"] = chainguardIdentity
    options.flags["chainguard-issuer"] = chainguardIssuer
    options.flags["chainguard-oidc-audience"] = chainguardOidcAudience
    options.flags["chainguard-audience"] = chainguardAudience
  }
}
