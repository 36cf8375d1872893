/// Google Cloud's metadata server (GCE, GKE workload identity, Cloud Run, Cloud Build):
/// `GET http://HOST/computeMetadata/v1/instance/service-accounts/default/identity?audience=A&format=full`
/// with `Metadata-Flavor: Google` answers the ID token as plain text (PROTOCOLS.md §3).
///
/// The server is link-local and plain http by design; `GCE_METADATA_HOST` (or the legacy
/// `GCE_METADATA_ROOT`) moves it, as google-auth allows. Nothing secret is sent to it.
package struct GoogleMetadataIdentity: IdentitySource {
  /// `host` or `host:port`.
  package var host: String

  package init(host: String = Self.defaultHost) { self.host = host }

  package init(environment: Environment) {
    self.init(host: environment["GCE_METADATA_HOST"] ?? environment["GCE_METADATA_ROOT"] ?? Self.defaultHost)
  }

  package static let defaultHost = "metadata.google.internal"

  package var name: String { "the Google Cloud metadata server (\(host))" }

  static let variables = ["GCE_METADATA_HOST", "GCE_METADATA_ROOT", "K_SERVICE", "CLOUD_RUN_JOB"]

  /// Recognises Google Cloud from its variables or, unless `NO_GCE_CHECK` is true, from the
  /// machine's DMI product name (as google-auth and `id` do).
  static func evidence(_ environment: Environment) -> String? {
    if environment.has("GCE_METADATA_HOST") { return "GCE_METADATA_HOST is set" }
    if environment.has("GCE_METADATA_ROOT") { return "GCE_METADATA_ROOT is set" }
    if environment.has("K_SERVICE") { return "K_SERVICE is set (Cloud Run)" }
    if environment.has("CLOUD_RUN_JOB") { return "CLOUD_RUN_JOB is set (Cloud Run job)" }
    if environment.flag("NO_GCE_CHECK") { return nil }
    guard let bytes = try? FileIO.read("/sys/class/dmi/id/product_name", limit: 256) else { return nil }
    let product = String(decoding: bytes, as: UTF8.self).trimmingSpaces
    return product == "Google" || product == "Google Compute Engine" ? "the machine is a Google Compute Engine VM" : nil
  }

  package func idToken(audience: String, in context: Context) throws -> Secret {
    guard !audience.isEmpty else {
      throw IdentityError(
        "The Google Cloud metadata server issues ID tokens only for a named audience; pass --audience.")
    }
    let base: WebURL
    do {
      base = try WebURL(
        "http://\(host)/computeMetadata/v1/instance/service-accounts/default/identity", what: "The metadata server URL")
    } catch {
      throw IdentityError("GCE_METADATA_HOST '\(host)' is not a host name: \(error.description)")
    }
    let url = base.appendingQuery("audience", audience).appendingQuery("format", "full")
    var request = HTTPRequest(url: url.description, purpose: "Google Cloud metadata server ID token request")
    request.setHeader("Metadata-Flavor", "Google")
    let response: HTTPResponse
    do {
      response = try context.transport.send(request)
    } catch {
      throw IdentityError(
        "The Google Cloud metadata server at \(host) could not be reached (\(error.description)). Outside Google Cloud choose another --identity; on GKE enable workload identity for the node pool.",
        exitStatus: .network)
    }
    guard response.status == 200 else {
      let detail =
        response.text.split(whereSeparator: \.isNewline).first.map {
          " (\(ProcessToken.redactingTokens(String($0.prefix(200)))))"
        } ?? ""
      let status = response.isServerFailure ? ExitStatus.network : .noIdentity
      let hint =
        response.status == 404
        ? " No service account is attached to this VM, pod or service; attach one (on GKE, map the Kubernetes service account to a Google service account)."
        : ""
      throw IdentityError(
        "The Google Cloud metadata server answered HTTP \(response.status) to the ID token request\(detail).\(hint)",
        exitStatus: status)
    }
    return try Secret(response.text).requireJWT(from: "the Google Cloud metadata server")
  }
}
