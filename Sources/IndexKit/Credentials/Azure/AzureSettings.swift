/// What the Azure links read, declared once.
package enum AzureSettings {
  package static let clientID = Setting.value(
    "azure-client-id", "ID", env: ["AZURE_CLIENT_ID"], help: "Entra application (client) id.")
  package static let tenantID = Setting.value(
    "azure-tenant-id", "ID", env: ["AZURE_TENANT_ID"], help: "Entra tenant id.")
  package static let authorityHost = Setting.value(
    "azure-authority-host", "HOST", env: ["AZURE_AUTHORITY_HOST"],
    help: "Entra authority host; default login.microsoftonline.com.")
  package static let audience = Setting.value(
    "azure-audience", "AUDIENCE",
    help:
      "Audience of the CI token for Entra's federated credential; default api://AzureADTokenExchange (or the sovereign cloud's)."
  )
  package static let certificateRS256 = Setting.toggle(
    "azure-certificate-rs256",
    help: "Sign the certificate assertion RS256 with a SHA-1 x5t instead of PS256 with x5t#S256.")
  package static let clientSecret = Setting.secret(
    "AZURE_CLIENT_SECRET", file: false, help: "The Entra app's client secret.")
  package static let certificatePath = Setting.variable(
    "AZURE_CLIENT_CERTIFICATE_PATH", identityFile: true, help: "The Entra app's certificate and key (PEM or PKCS#12).")
  package static let certificatePassword = Setting.secret(
    "AZURE_CLIENT_CERTIFICATE_PASSWORD", file: false, help: "The password of a PKCS#12 certificate.")
  package static let sendCertificateChain = Setting.switchVariable(
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
    help: "Send the certificate chain (x5c) for subject name and issuer authentication.")
  package static let personalAccessToken = Setting.secret(
    "AZURE_DEVOPS_EXT_PAT", file: true, help: "An Azure DevOps personal access token, used as the password.")

  /// What every Entra link reads: the app, its tenant and the authority.
  static let application = [clientID, tenantID, authorityHost]
  package static let publicClientID = Setting.variable(
    "INDEXKEY_AZURE_PUBLIC_CLIENT_ID",
    help: "An app registered as a public client for device-code sign-in; default the Azure CLI's.")
  package static let cliTimeout = Setting.variable(
    "INDEXKEY_AZURE_CLI_TIMEOUT", help: "Seconds `az account get-access-token` may take.")
  package static let cliConfigDirectory = Setting.variable(
    "AZURE_CONFIG_DIR", help: "The Azure CLI's configuration directory; default ~/.azure.")
  package static let identityEndpoint = Setting.variable(
    "IDENTITY_ENDPOINT", help: "The managed identity endpoint of App Service, Functions, Container Apps or Azure Arc.")
  package static let identityHeader = Setting.secret(
    "IDENTITY_HEADER", file: false, help: "The managed identity endpoint's header.")
  package static let imdsEndpoint = Setting.variable("IMDS_ENDPOINT", help: "Azure Arc's instance metadata endpoint.")
  package static let podIdentityHost = Setting.variable(
    "AZURE_POD_IDENTITY_AUTHORITY_HOST", help: "The instance metadata service for a pod's managed identity.")
  package static let pat = Setting.value(
    "azure-pat", "MODE", env: ["INDEXKEY_AZURE_PAT"],
    help:
      "create: make a personal access token with the signed-in person's Entra token, keep it in the encrypted store and reuse it until a week before it expires (Entra tokens otherwise)."
  )
  package static let patDays = Setting.value(
    "pat-days", "DAYS", env: ["AZURE_DEVOPS_PAT_DURATION"],
    help: "Days a PAT made by --azure-pat create is valid (1–365); default 30.")
  package static let vsspsEndpoint = Setting.value(
    "azure-vssps-endpoint", "URL", env: ["INDEXKEY_AZURE_VSSPS_ENDPOINT"],
    help:
      "The Azure DevOps identity service PATs are made at (the organization is appended); default https://vssps.dev.azure.com."
  )
}
