/// The metadata server's access token for the attached service account (GCE, GKE workload
/// identity, Cloud Run, Cloud Functions, Cloud Build): `GET /computeMetadata/v1/instance/
/// service-accounts/default/token` with `Metadata-Flavor: Google`, used as it is.
///
/// Its scopes are read first (`…/default/scopes`): a VM created with narrow access scopes
/// hands out tokens Artifact Registry refuses, which is better said before any is written.
package struct GoogleMetadataToken: Sendable {
  /// `host` or `host:port` (`GCE_METADATA_HOST`, default `metadata.google.internal`).
  package var host: String
  package var timeout: Double

  package init(host: String = GoogleMetadataIdentity.defaultHost, timeout: Double = 3) {
    self.host = host
    self.timeout = timeout
  }

  package init(environment: Environment) {
    self.init(host: GoogleMetadataIdentity(environment: environment).host)
  }

  /// Scopes that let a token read or write Artifact Registry.
  static let sufficientScopes: Set<String> = [
    GoogleHosts.cloudPlatformScope, "https://www.googleapis.com/auth/cloud-platform.read-only",
  ]

  private func get(_ leaf: String, purpose: String, in context: Context) throws -> HTTPResponse {
    let url: WebURL
    do {
      url = try WebURL(
        "http://\(host)/computeMetadata/v1/instance/service-accounts/default/\(leaf)", what: "The metadata server URL")
    } catch {
      throw IdentityError("GCE_METADATA_HOST '\(host)' is not a host name: \(error.description)")
    }
    var request = HTTPRequest(url: url.description, purpose: purpose)
    request.setHeader("Metadata-Flavor", "Google")
    request.timeout = timeout
    let response: HTTPResponse
    do {
      response = try context.transport.send(request)
    } catch {
      throw IdentityError(
        "The Google Cloud metadata server at \(host) could not be reached (\(error.description)). Outside Google Cloud sign in with `gcloud auth application-default login` instead.",
        exitStatus: .network)
    }
    guard response.status == 200 else {
      let hint =
        response.status == 404
        ? " No service account is attached to this VM, pod or service; attach one (on GKE, enable workload identity and map the Kubernetes service account to a Google service account)."
        : ""
      throw IdentityError(
        "The Google Cloud metadata server answered HTTP \(response.status) to the \(purpose).\(hint)",
        exitStatus: response.isServerFailure ? .network : .noIdentity)
    }
    return response
  }

  package func accessToken(in context: Context) throws -> GoogleToken {
    let scopes = Set(
      try get("scopes", purpose: "service account scopes request", in: context).text.split(
        whereSeparator: \.isWhitespace
      ).map(String.init))
    guard !scopes.isDisjoint(with: Self.sufficientScopes) else {
      throw IdentityError(
        "The service account attached to this machine has the access scopes \(scopes.sorted().joined(separator: ", ")), without \(GoogleHosts.cloudPlatformScope), which Artifact Registry needs. Stop the VM and add it: gcloud compute instances set-service-account INSTANCE --scopes=cloud-platform (or create the node pool with --scopes=cloud-platform)."
      )
    }
    let requestedAt = context.clock.now()
    let response = try get("token", purpose: "access token request", in: context)
    let document = "Google Cloud metadata server token response"
    do {
      let body = try JSON(parsing: response.body, document: document).requireObject(document)
      let token = try body.string("access_token", in: document)
      let expiry = body["expires_in"]?.intValue.flatMap { ServerTime.expiry(in: $0, from: requestedAt) }
      return try GoogleToken(value: Secret(token), expiresAt: expiry).fresh(
        from: "the Google Cloud metadata server", in: context)
    } catch let error as DocumentError {
      throw ExchangeError.unavailable("\(error.description) (from \(host))")
    }
  }
}
