/// EC2 instance metadata, IMDSv2 only: `PUT /latest/api/token` for a session token, then
/// `GET /latest/meta-data/iam/security-credentials/` (the instance profile's role) and
/// `…/ROLE` (its keys), each with `X-aws-ec2-metadata-token`.
///
/// Every request is bounded by `AWS_METADATA_SERVICE_TIMEOUT` (default 1 s) and sent once.
package struct AWSInstanceMetadata: Sendable {
  /// `http://169.254.169.254` unless `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the IPv6
  /// endpoint mode) says otherwise.
  package var endpoint: WebURL
  package var timeout: Double

  package init(endpoint: WebURL, timeout: Double = 1) {
    self.endpoint = endpoint
    self.timeout = timeout
  }

  package static func from(_ environment: Environment) throws(ConfigError) -> AWSInstanceMetadata {
    let text: String
    if let given = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
      text = given
    } else if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
      text = "http://[fd00:ec2::254]"
    } else {
      text = "http://169.254.169.254"
    }
    let endpoint = try WebURL(text, what: "AWS_EC2_METADATA_SERVICE_ENDPOINT")
    var timeout = 1.0
    if let given = environment["AWS_METADATA_SERVICE_TIMEOUT"] {
      guard let seconds = Double(given), seconds > 0, seconds <= 60 else {
        throw ConfigError("AWS_METADATA_SERVICE_TIMEOUT '\(given)' is not a number of seconds between 0 and 60.")
      }
      timeout = seconds
    }
    return AWSInstanceMetadata(endpoint: endpoint, timeout: timeout)
  }

  /// Whether this machine says it is an EC2 instance (DMI vendor, or a Xen guest's
  /// hypervisor UUID starting `ec2`): reading files only, no request.
  package static func machineEvidence(read: (String) -> String? = Self.readSmallFile) -> String? {
    for file in ["/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/bios_vendor", "/sys/class/dmi/id/board_vendor"] {
      if let text = read(file), text.lowercased().contains("amazon") { return "the machine's DMI vendor is '\(text)'" }
    }
    if let version = read("/sys/class/dmi/id/bios_version"), version.lowercased().contains("amazon") {
      return "the machine's BIOS is Amazon's"
    }
    if let uuid = read("/sys/hypervisor/uuid"), uuid.lowercased().hasPrefix("ec2") {
      return "the Xen hypervisor UUID starts with ec2"
    }
    return nil
  }

  @Sendable package static func readSmallFile(_ path: String) -> String? {
    (try? FileIO.read(path, limit: 256)).map { String(decoding: $0, as: UTF8.self).trimmingSpaces }
  }

  private func url(_ path: String) -> String {
    var base = endpoint.path
    while base.hasSuffix("/") { base.removeLast() }
    return "\(endpoint.origin)\(base)\(path)"
  }

  private func send(_ request: HTTPRequest, in context: Context) throws -> HTTPResponse {
    var request = request
    request.timeout = timeout
    request.retryable = false
    do {
      return try context.transport.send(request)
    } catch {
      throw IdentityError(
        "The EC2 instance metadata service at \(endpoint) did not answer (\(error.description)). Outside EC2 set AWS_EC2_METADATA_DISABLED=true.",
        exitStatus: .network)
    }
  }

  package func fetch(in context: Context) throws -> AWSSession {
    var tokenRequest = HTTPRequest(method: .put, url: url("/latest/api/token"), purpose: "IMDSv2 session token request")
    tokenRequest.setHeader("X-aws-ec2-metadata-token-ttl-seconds", "21600")
    let tokenResponse = try send(tokenRequest, in: context)
    guard tokenResponse.status == 200, !tokenResponse.body.isEmpty else {
      throw IdentityError(
        "The EC2 instance metadata service at \(endpoint) answered HTTP \(tokenResponse.status) to the IMDSv2 session token request; indexkey uses IMDSv2 only. If this is a container on EC2, raise the instance's metadata hop limit to 2 (aws ec2 modify-instance-metadata-options --http-put-response-hop-limit 2)."
      )
    }
    let session = Secret(tokenResponse.text.trimmingSpaces)
    let listPath = "/latest/meta-data/iam/security-credentials/"
    var list = HTTPRequest(url: url(listPath), purpose: "IMDS role name request")
    list.setHeader("X-aws-ec2-metadata-token", session.revealed)
    let listResponse = try send(list, in: context)
    guard listResponse.status == 200,
      let role = listResponse.text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingSpaces }), !role.isEmpty
    else {
      let hint =
        listResponse.status == 404
        ? " The instance has no instance profile (IAM role) attached; attach one with the CodeArtifact permissions."
        : ""
      throw IdentityError(
        "The EC2 instance metadata service answered HTTP \(listResponse.status) when asked for the instance profile's role.\(hint)"
      )
    }
    var keys = HTTPRequest(url: url(listPath + PercentEncoding.encode(role)), purpose: "IMDS role credentials request")
    keys.setHeader("X-aws-ec2-metadata-token", session.revealed)
    let keysResponse = try send(keys, in: context)
    guard keysResponse.status == 200 else {
      throw IdentityError(
        "The EC2 instance metadata service answered HTTP \(keysResponse.status) when asked for the keys of the role \(role)."
      )
    }
    let document = "IMDS credentials of the role \(role)"
    let answer: AWSSession
    do throws(DocumentError) {
      let json = try JSON(parsing: keysResponse.body, document: document).requireObject(document)
      if let code = json["Code"]?.stringValue, code != "Success" {
        throw DocumentError(
          document: document, problem: "has Code '\(code)'\(json["Message"]?.stringValue.map { ": \($0)" } ?? "")")
      }
      answer = try AWSSession.fromJSON(json, document: document, principal: "the EC2 instance profile role \(role)")
    } catch {
      throw ExchangeError.unavailable(error.description)
    }
    try Freshness.check(
      "keys", from: "the EC2 instance metadata service", stated: answer.expiresAt, token: nil, now: context.clock.now())
    return answer
  }
}
