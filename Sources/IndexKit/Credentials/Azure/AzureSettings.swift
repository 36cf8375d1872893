/// What the Azure links read, declared once.
public enum AzureSettings {
  public static let clientID = Setting.value(
    "azure-client-id", "ID", env: ["AZURE_CLIENT_ID"], help: "Entra application (client) id.")
  public static let tenantID = Setting.value(
    "azure-tenant-id", "ID", env: ["AZURE_TENANT_ID"], help: "Entra tenant id.")
  public static let authorityHost = Setting.value(
    "azure-authority-host", "HOST", env: ["AZURE_AUTHORITY_HOST"],
    help: "Entra authority host; default login.microsoftonline.com.")
  public static let audience = Setting.value(
    "azure-audience", "AUDIENCE",
    help:
      "Audience of the CI token for Entra's federated credential; default api://AzureADTokenExchange (or the sovereign cloud's)."
  )
  public static let certificateRS256 = Setting.toggle(
    "azure-certificate-rs256",
    help: "Sign the certificate assertion RS256 with a SHA-1 x5t instead of PS256 with x5t#S256.")
  public static let clientSecret = Setting.secret(
    "AZURE_CLIENT_SECRET", file: false, help: "The Entra app's client secret.")
  public static let certificatePath = Setting.variable(
    "AZURE_CLIENT_CERTIFICATE_PATH", identityFile: true, help: "The Entra app's certificate and key (PEM or PKCS#12).")
  public static let certificatePassword = Setting.secret(
    "AZURE_CLIENT_CERTIFICATE_PASSWORD", file: false, help: "The password of a PKCS#12 certificate.")
  public static let sendCertificateChain = Setting.switchVariable(
    "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN",
    help: "Send the certificate chain (x5c) for subject name and issuer authentication.")
  public static let personalAccessToken = Setting.secret(
    "AZURE_DEVOPS_EXT_PAT", file: true, help: "An Azure DevOps personal access token, used as the password.")

  /// What every Entra link reads: the app, its tenant and the authority.
  static let application = [clientID, tenantID, authorityHost]
}
