/// Keys from a laptop's or an AWS runtime's configuration: a shared-file profile, the
/// container's credentials endpoint, or EC2 instance metadata.
public enum AWSLocalSource: Sendable {
  case profile(AWSProfileSession, name: String)
  case container(AWSContainerCredentials)
  case instanceMetadata(AWSInstanceMetadata)

  /// - Parameter fallbackRegion: the repository's, for STS when nothing else names one.
  public func fetch(fallbackRegion: String, in context: Context) throws -> AWSSession {
    switch self {
    case .profile(let session, _): try session.fetch(fallbackRegion: fallbackRegion, in: context)
    case .container(let container): try container.fetch(in: context)
    case .instanceMetadata(let imds): try imds.fetch(in: context)
    }
  }

  /// The source in words, for `doctor`.
  var step: String {
    switch self {
    case .profile(let session, let name): "the AWS profile '\(name)': \(session.credential.summary)"
    case .container(let container): "GET \(container.url) (container credentials)"
    case .instanceMetadata(let imds): "PUT \(imds.endpoint)/latest/api/token, then the instance profile's keys (IMDSv2)"
    }
  }
}
