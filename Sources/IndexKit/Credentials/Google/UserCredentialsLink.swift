/// A user's sign-in in `GOOGLE_APPLICATION_CREDENTIALS`: an `authorized_user` file (a refresh
/// token), an `impersonated_service_account` file or an `external_account_authorized_user`
/// file — the types google-auth reads there besides the two CI ones.
package struct UserCredentialsLink: CredentialLink {
  package static let name = "user-credentials"
  package static let settings = [GoogleSettings.applicationCredentials] + GoogleSettings.gcloud
  package var credential: GoogleUserCredential

  package static func probe(_ input: LinkInput) -> LinkProbe {
    guard input.settings.isSet(GoogleSettings.applicationCredentials) else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS is not set")
    }
    guard let type = ApplicationCredentials.type(input.settings), GoogleUserCredential.userTypes.contains(type)
    else {
      return .skipped("GOOGLE_APPLICATION_CREDENTIALS names no user credentials file")
    }
    return .configured("GOOGLE_APPLICATION_CREDENTIALS names an \(type) file")
  }

  package init(_ input: LinkInput) throws {
    let file = try ApplicationCredentials.read(input.settings)
    guard
      let credential = try GoogleUserCredential.fromFile(file, origin: "GOOGLE_APPLICATION_CREDENTIALS", input: input)
    else {
      throw file.unsupported()
    }
    self.credential = credential
  }

  package func fetch(_ request: GoogleTokenRequest, in context: Context) throws -> GoogleCredential {
    try credential.fetch(in: context)
  }

  package func preview(_ request: GoogleTokenRequest) -> LinkPreview { credential.preview }
}
