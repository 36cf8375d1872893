/// An assertion signed with the Entra app's certificate (`AZURE_CLIENT_CERTIFICATE_PATH`,
/// PEM or PKCS#12 opened with `AZURE_CLIENT_CERTIFICATE_PASSWORD`).
package struct ClientCertificateLink: EntraLink {
  package static let name = "client-certificate"
  package static let settings =
    AzureSettings.application + [
      AzureSettings.certificatePath, AzureSettings.certificatePassword, AzureSettings.sendCertificateChain,
      AzureSettings.certificateRS256,
    ]
  package var client: EntraClient

  package init(client: EntraClient) { self.client = client }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings.isSet(AzureSettings.certificatePath) else {
      return .skipped("AZURE_CLIENT_CERTIFICATE_PATH is not set")
    }
    guard EntraClient.clientID(input.settings) != nil else {
      return .skipped("AZURE_CLIENT_CERTIFICATE_PATH is set but no app is named (AZURE_CLIENT_ID or --azure-client-id)")
    }
    return .configured("AZURE_CLIENT_CERTIFICATE_PATH is set")
  }

  package init(_ input: LinkInput) throws {
    let settings = input.settings
    guard let path = settings[AzureSettings.certificatePath] else {
      throw ConfigError(
        "The client-certificate credential needs the certificate's path in AZURE_CLIENT_CERTIFICATE_PATH.")
    }
    let application = try EntraClient.application(input.settings)
    let certificate = try EntraCertificate.load(
      path: FileIO.expandTilde(path, home: input.environment["HOME"]),
      password: try settings.secret(AzureSettings.certificatePassword),
      style: settings.isOn(AzureSettings.certificateRS256) ? .rs256 : .ps256,
      sendChain: settings.isOn(AzureSettings.sendCertificateChain))
    client = EntraClient(
      tenantID: application.tenantID, clientID: application.clientID, authorityHost: application.authority,
      auth: .certificate(certificate))
  }

  package var proof: String {
    guard let certificate = client.certificate else { return "" }
    let header = certificate.style == .ps256 ? "PS256, x5t#S256" : "RS256, x5t"
    return
      "with an assertion signed by the certificate from \(certificate.source) (\(header), thumbprint \(certificate.portalThumbprint)); no CI token is used"
  }
}
