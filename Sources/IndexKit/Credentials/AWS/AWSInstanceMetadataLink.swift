/// EC2 instance metadata, IMDSv2 only.
///
/// Asked only where the machine says it is EC2 (DMI, the Xen hypervisor's UUID) or
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` names the service, so a laptop never waits;
/// `AWS_EC2_METADATA_DISABLED=true` turns it off.
package struct AWSInstanceMetadataLink: CredentialLink {
  package static let name = "instance-metadata"
  package static let settings = [
    AWSSettings.metadataDisabled, AWSSettings.metadataEndpoint, AWSSettings.metadataEndpointMode,
    AWSSettings.metadataTimeout,
  ]
  package var imds: AWSInstanceMetadata

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let env = input.environment
    if env.flag("AWS_EC2_METADATA_DISABLED") { return .skipped("AWS_EC2_METADATA_DISABLED is set") }
    if env.has("AWS_EC2_METADATA_SERVICE_ENDPOINT") { return .configured("AWS_EC2_METADATA_SERVICE_ENDPOINT is set") }
    if let evidence = AWSInstanceMetadata.machineEvidence() { return .configured(evidence) }
    return .skipped("this machine does not say it is EC2 (DMI)")
  }

  package init(_ input: LinkInput) throws {
    imds = try AWSInstanceMetadata.from(input.environment)
  }

  package func fetch(_ request: AWSKeysRequest, in context: Context) throws -> AWSSession {
    try imds.fetch(in: context)
  }

  package func preview(_ request: AWSKeysRequest) -> LinkPreview {
    LinkPreview(
      steps: ["PUT \(imds.endpoint)/latest/api/token, then the instance profile's keys (IMDSv2)"],
      username: AWSCodeArtifact.username)
  }
}
