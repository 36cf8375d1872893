/// A person signs in with a device code (RFC 8628): Entra's message goes to the terminal,
/// the person enters the code in a browser, and indexkey polls the token endpoint until the
/// sign-in is done, declined or expired.
///
/// Polling waits `interval` seconds before each request (Entra says 5), adds 5 seconds on
/// `slow_down`, keeps going on `authorization_pending`, and gives up when the code's
/// `expires_in` has passed. The device code itself is never shown or written anywhere.
package struct DeviceCodeSignIn: Sendable {
  package var client: EntraPublicClient
  package var terminal: any Terminal
  /// Waits between polls; injectable so tests do not wait.
  package var sleep: @Sendable (Double) -> Void

  package init(
    client: EntraPublicClient, terminal: any Terminal, sleep: @escaping @Sendable (Double) -> Void = realSleep
  ) {
    self.client = client
    self.terminal = terminal
    self.sleep = sleep
  }

  /// The longest a device code is polled for, whatever Entra says (its codes live 15 minutes).
  package static let longestWait = 900.0

  /// Signs in for `purpose` ("Azure Artifacts at https://…"), shown above Entra's message.
  package func signIn(purpose: String, in context: Context) throws -> EntraPublicClient.Tokens {
    let started = try start(in: context)
    terminal.show("indexkey: sign in to Azure DevOps for \(purpose):\n\(started.message)")
    var interval = started.interval
    var waited = 0.0
    let fields = [
      ("client_id", client.clientID), ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
      ("device_code", started.deviceCode.revealed),
    ]
    while true {
      guard waited + interval <= started.lifetime else { throw SignInError.expired }
      sleep(interval)
      waited += interval
      let response: HTTPResponse
      do {
        response = try client.post(
          client.tokenEndpoint, fields, purpose: "Entra ID device-code token request", in: context)
      } catch let error as HTTPError where error.isRetryable {
        continue  // a lost poll is harmless: the next one asks again
      }
      if response.status == 200 {
        let tokens = try client.tokens(response, from: client.tokenEndpoint, in: context)
        terminal.show("indexkey: signed in.")
        return tokens
      }
      let error = OAuthError(response)
      switch error.code {
      case "authorization_pending":
        continue
      case "slow_down":
        interval += 5
      case "authorization_declined", "access_denied":
        throw SignInError.declined
      case "expired_token", "code_expired":
        throw SignInError.expired
      case "bad_verification_code":
        throw SignInError.refused(
          "Entra ID did not recognise the device code it issued (\(error.summary)); run the command again.")
      default:
        if response.status >= 500 || response.status == 429 { continue }
        throw error.failure(at: client.tokenEndpoint, status: response.status)
      }
    }
  }

  struct Started {
    var deviceCode: Secret
    var message: String
    var interval: Double
    var lifetime: Double
  }

  func start(in context: Context) throws -> Started {
    let endpoint = client.deviceCodeEndpoint
    let response = try client.post(
      endpoint, [("client_id", client.clientID), ("scope", EntraPublicClient.scope)],
      purpose: "Entra ID device-code request", in: context)
    guard response.status == 200 else { throw OAuthError(response).failure(at: endpoint, status: response.status) }
    let document = "Entra ID device-code response"
    let body = try response.jsonObject(document, endpoint: endpoint)
    let code: String
    let userCode: String
    do {
      code = try body.string("device_code", in: document)
      userCode = try body.string("user_code", in: document)
    } catch {
      throw ExchangeError.unavailable("\(error.description) (from \(endpoint))")
    }
    let uri = body["verification_uri"]?.stringValue ?? "https://microsoft.com/devicelogin"
    var message = body["message"]?.stringValue ?? ""
    if message.isEmpty || !message.contains(userCode) {
      message = "To sign in, use a web browser to open the page \(uri) and enter the code \(userCode) to authenticate."
    }
    let interval = min(max(body["interval"]?.numberValue ?? 5, 1), 60)
    let lifetime = min(max(body["expires_in"]?.numberValue ?? Self.longestWait, 0), Self.longestWait)
    return Started(
      deviceCode: Secret(code), message: SingleLine.neutralised(message), interval: interval, lifetime: lifetime)
  }
}
