/// A Google OAuth access token and when it stops working.
package struct GoogleToken: Sendable {
  package var value: Secret
  package var expiresAt: UnixTime?

  package init(value: Secret, expiresAt: UnixTime?) {
    self.value = value
    self.expiresAt = expiresAt
  }

  /// This token, once ``Freshness`` found it usable; `service` answered it.
  func fresh(from service: String, in context: Context) throws(ExpiredCredential) -> GoogleToken {
    let expiresAt = try Freshness.check(
      "an access token", from: service, stated: expiresAt, token: value, now: context.clock.now())
    return GoogleToken(value: value, expiresAt: expiresAt)
  }
}

/// Google's API hosts: where a configuration file may send a CI token by itself.
package enum GoogleHosts {
  /// True for `https://` URLs on `googleapis.com` or a subdomain (default port).
  package static func isGoogleAPI(_ url: WebURL) -> Bool {
    url.scheme == "https" && (url.port == nil || url.port == 443)
      && (url.host == "googleapis.com" || url.host.hasSuffix(".googleapis.com"))
  }

  /// Google's OAuth token hosts a service account key's `token_uri` may name: the API
  /// hosts, and `accounts.google.com`, which keys created before about 2018 name
  /// (`https://accounts.google.com/o/oauth2/token`; google-auth still uses it).
  package static func isGoogleOAuth(_ url: WebURL) -> Bool {
    isGoogleAPI(url)
      || (url.scheme == "https" && (url.port == nil || url.port == 443) && url.host == "accounts.google.com")
  }

  /// The cloud-platform scope every exchange asks for.
  package static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
}

/// An OAuth client id and secret some `external_account` files carry for STS.
package struct OAuthClient: Sendable, Equatable {
  package var id: String
  package var secret: Secret

  package init(id: String, secret: Secret) {
    self.id = id
    self.secret = secret
  }
}
