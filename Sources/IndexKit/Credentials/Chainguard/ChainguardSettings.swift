/// What the Chainguard links read, declared once.
package enum ChainguardSettings {
  package static let identity = Setting.value(
    "chainguard-identity", "ID", env: ["CHAINGUARD_IDENTITY"],
    help: "Chainguard identity to assume (ORG_ID/IDENTITY_ID).")
  package static let issuer = Setting.value(
    "chainguard-issuer", "URL", help: "Chainguard STS issuer; default https://issuer.enforce.dev.")
  package static let oidcAudience = Setting.value(
    "chainguard-oidc-audience", "AUDIENCE",
    help: "Audience of the CI token the identity expects; default issuer.enforce.dev.")
  package static let audience = Setting.value(
    "chainguard-audience", "AUDIENCE", help: "Audience of the Chainguard token to request; default libraries.cgr.dev.")
  package static let pullIdentity = Setting.variable(
    "CHAINGUARD_PYTHON_IDENTITY_ID", help: "A pull token's identity (its username).")
  package static let pullToken = Setting.secret(
    "CHAINGUARD_PYTHON_TOKEN", file: true, help: "A pull token (its password).")
}
