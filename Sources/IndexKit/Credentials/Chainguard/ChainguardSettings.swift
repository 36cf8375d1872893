/// What the Chainguard links read, declared once.
public enum ChainguardSettings {
  public static let identity = Setting.value(
    "chainguard-identity", "ID", env: ["CHAINGUARD_IDENTITY"],
    help: "Chainguard identity to assume (ORG_ID/IDENTITY_ID).")
  public static let issuer = Setting.value(
    "chainguard-issuer", "URL", help: "Chainguard STS issuer; default https://issuer.enforce.dev.")
  public static let oidcAudience = Setting.value(
    "chainguard-oidc-audience", "AUDIENCE",
    help: "Audience of the CI token the identity expects; default issuer.enforce.dev.")
  public static let audience = Setting.value(
    "chainguard-audience", "AUDIENCE", help: "Audience of the Chainguard token to request; default libraries.cgr.dev.")
  public static let pullIdentity = Setting.variable(
    "CHAINGUARD_PYTHON_IDENTITY_ID", help: "A pull token's identity (its username).")
  public static let pullToken = Setting.secret(
    "CHAINGUARD_PYTHON_TOKEN", file: true, help: "A pull token (its password).")
}
