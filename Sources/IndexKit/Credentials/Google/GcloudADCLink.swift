/// The gcloud ADC file, `$CLOUDSDK_CONFIG/application_default_credentials.json` (default
/// `~/.config/gcloud/`), as `gcloud auth application-default login` writes it: a user's
/// refresh token (`authorized_user`), an impersonated service account, a workforce user —
/// or, put there by hand, an `external_account` or a service account key.
package struct GcloudADCLink: CredentialLink {
  package static let name = "gcloud-adc"
  package static let settings = GoogleSettings.gcloud + [GoogleSettings.allowExecutables]

  package enum Held: Sendable {
    case user(GoogleUserCredential)
    case externalAccount(ExternalAccountLink)
    case serviceAccountKey(ServiceAccountKeyLink)
  }

  package var held: Held
  package var path: String

  static func path(_ input: LinkInput) -> String {
    GcloudConfig.load(environment: input.environment, home: input.environment["HOME"]).adcPath
  }

  package static func probe(_ input: LinkInput) -> LinkProbe {
    let path = path(input)
    guard FileIO.exists(path) else { return .skipped("no \(path); `gcloud auth application-default login` writes it") }
    return .configured(path)
  }

  package init(_ input: LinkInput) throws {
    path = Self.path(input)
    let file = try ApplicationCredentials.read(path: path, origin: "the gcloud ADC file")
    if let user = try GoogleUserCredential.fromFile(file, origin: "the gcloud ADC file", input: input) {
      held = .user(user)
      return
    }
    // the two CI types read the file as they read GOOGLE_APPLICATION_CREDENTIALS
    let asNamed = LinkInput(
      settings: Settings(
        given: input.settings.given, environment: input.environment.updating("GOOGLE_APPLICATION_CREDENTIALS", path)),
      identity: input.identity)
    switch file.json["type"]?.stringValue {
    case "external_account": held = .externalAccount(try ExternalAccountLink(asNamed))
    case "service_account": held = .serviceAccountKey(try ServiceAccountKeyLink(asNamed))
    default: throw file.unsupported()
    }
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    switch held {
    case .user(let user): try user.fetch(in: context)
    case .externalAccount(let link): try link.fetch(request, in: context)
    case .serviceAccountKey(let link): try link.fetch(request, in: context)
    }
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview {
    switch held {
    case .user(let user): user.preview
    case .externalAccount(let link): link.preview(request)
    case .serviceAccountKey(let link): link.preview(request)
    }
  }
}

extension ApplicationCredentials {
  /// A credentials file found elsewhere than `GOOGLE_APPLICATION_CREDENTIALS`.
  static func read(path: String, origin: String) throws(ConfigError) -> ApplicationCredentials {
    let bytes: [UInt8]
    do {
      bytes = try FileIO.read(path, limit: 1 << 20)
    } catch {
      throw ConfigError("Could not read \(origin): \(error.description).")
    }
    do {
      let json = try JSON(parsing: bytes, document: "credentials file \(path) (\(origin))").requireObject(
        "credentials file \(path) (\(origin))")
      return ApplicationCredentials(path: path, json: json, contents: Secret(String(decoding: bytes, as: UTF8.self)))
    } catch {
      throw ConfigError(error.description)
    }
  }
}
