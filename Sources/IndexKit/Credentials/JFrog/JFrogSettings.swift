/// What JFrog and its links read, declared once.
package enum JFrogSettings {
  package static let oidcProvider = Setting.value(
    "jfrog-oidc-provider", "NAME", help: "OIDC integration (Provider Name) to exchange the CI token with.")
  package static let oidcAudience = Setting.value(
    "jfrog-oidc-audience", "AUDIENCE",
    help: "Audience of the CI token the integration expects (GitHub's default is https://github.com/OWNER).")
  package static let url = Setting.value(
    "jfrog-url", "URL", env: ["JF_URL"],
    help: "JFrog platform URL (without /artifactory); default taken from the index URL.")
  package static let project = Setting.value(
    "jfrog-project", "KEY", env: ["JF_PROJECT"], help: "JFrog project key sent with the exchange.")
  package static let username = Setting.value(
    "jfrog-username", "USER", env: ["JF_USER"],
    help: "Username to send with JF_ACCESS_TOKEN; default the token's subject.")
  package static let accessToken = Setting.secret(
    "JF_ACCESS_TOKEN", file: true, help: "A JFrog access token, used as the password.")
}
