/// Getting the subject token a `credential_source` describes: read anew on every call.
extension ExternalAccount {
  /// The subject token, from the file, URL or program the configuration names.
  package func subjectToken(in context: Context) throws -> Secret {
    switch source {
    case .file(let file, let format):
      let text: String
      do {
        text = try FileIO.readText(file)
      } catch {
        throw IdentityError(
          "Could not read the subject token file named by credential_source.file in \(path): \(error.description).")
      }
      return try extract(text, format: format, from: "the file \(file)")
    case .url(let url, let headers, let format):
      return try fetch(url, headers: headers, format: format, in: context)
    case .executable(let executable):
      return try run(executable, in: context)
    }
  }

  private func extract(_ text: String, format: Format, from origin: String) throws -> Secret {
    let value: String
    switch format {
    case .text:
      value = text.trimmingSpaces
    case .json(let field):
      do {
        value = try JSON(parsing: Array(text.utf8), document: "subject token from \(origin)").string(
          field, in: "subject token from \(origin)")
      } catch {
        throw IdentityError("\(error.description) (credential_source.format in \(path))")
      }
    }
    guard !value.isEmpty else {
      throw IdentityError("The subject token from \(origin) is empty (credential_source in \(path)).")
    }
    return Secret(value)
  }

  private func fetch(_ url: WebURL, headers: [(name: String, value: Secret)], format: Format, in context: Context)
    throws -> Secret
  {
    var request = HTTPRequest(url: url.description, purpose: "subject token request (credential_source.url)")
    for header in headers { request.setHeader(header.name, header.value.revealed) }
    let response = try context.transport.send(request)
    guard response.status == 200 else {
      let status: ExitStatus = response.isServerFailure ? .network : .noIdentity
      throw IdentityError(
        "The subject token URL \(url.origin)\(url.path) (credential_source.url in \(path)) answered HTTP \(response.status); for GitHub Actions, the request token in the file's headers may have expired (create the file in the same job) or the job lacks `permissions: id-token: write`.",
        exitStatus: status)
    }
    return try extract(response.text, format: format, from: "\(url.origin)\(url.path)")
  }

  private func run(_ executable: Executable, in context: Context) throws -> Secret {
    let now = context.clock.now()
    if let output = executable.outputFile, let cached = try? FileIO.readText(output),
      let token = try? ExecutableResponse(parsing: cached, origin: output, now: now), token.hasExpiry
    {
      return token.token
    }
    var environment = context.environment
    environment.values["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"] = audience
    environment.values["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] = subjectTokenType
    environment.values["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"] = "0"
    environment.values["GOOGLE_EXTERNAL_ACCOUNT_REVOKE"] = "0"
    if let account = impersonatedAccount { environment.values["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] = account }
    if let output = executable.outputFile { environment.values["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] = output }
    let program = executable.command[0]
    let result: ProcessOutput
    do {
      result = try context.processRunner.run(executable.command, environment: environment, timeout: executable.timeout)
    } catch {
      throw IdentityError("The credential_source.executable of \(path) failed: \(error.description)")
    }
    guard result.status == 0 else {
      let detail =
        String(decoding: result.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).first.map {
          ": " + String($0.prefix(200))
        } ?? ""
      throw IdentityError(
        "The credential_source.executable '\(program)' of \(path) exited with status \(result.status)\(detail).")
    }
    var text = String(decoding: result.stdout, as: UTF8.self)
    if text.trimmingSpaces.isEmpty, let output = executable.outputFile {
      do {
        text = try FileIO.readText(output)
      } catch {
        throw IdentityError(
          "The credential_source.executable '\(program)' of \(path) printed nothing and its output_file could not be read: \(error.description)."
        )
      }
    }
    return try ExecutableResponse(
      parsing: text, origin: "'\(program)' (credential_source.executable of \(path))", now: now
    ).token
  }
}

/// The JSON an executable credential source prints (version 1 of Google's contract).
struct ExecutableResponse {
  var token: Secret
  var hasExpiry: Bool

  init(parsing text: String, origin: String, now: UnixTime) throws {
    let document = "response of \(origin)"
    let json: JSON
    do {
      json = try JSON(parsing: Array(text.utf8), document: document).requireObject(document)
    } catch {
      throw IdentityError(error.description)
    }
    guard let version = json["version"]?.intValue else {
      throw IdentityError("The \(document) has no \"version\" field.")
    }
    guard version <= 1 else {
      throw IdentityError("The \(document) has version \(version); indexkey understands version 1.")
    }
    guard case .bool(let success)? = json["success"] else {
      throw IdentityError("The \(document) has no boolean \"success\" field.")
    }
    guard success else {
      let code = json["code"]?.stringValue ?? "no code"
      let message = json["message"]?.stringValue ?? "no message"
      throw IdentityError("The \(document) reports failure: \(code): \(message).")
    }
    let expiry = json["expiration_time"]?.intValue.flatMap(ServerTime.instant)
    if let expiry, expiry < now {
      throw IdentityError("The token from \(origin) expired at \(expiry.iso8601).")
    }
    let field: String
    switch json["token_type"]?.stringValue {
    case "urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token": field = "id_token"
    case "urn:ietf:params:oauth:token-type:saml2": field = "saml_response"
    case let other?:
      throw IdentityError("The \(document) has token_type '\(other)'; expected a jwt, id_token or saml2 type.")
    case nil: throw IdentityError("The \(document) has no \"token_type\" field.")
    }
    guard let value = json[field]?.stringValue, !value.isEmpty else {
      throw IdentityError("The \(document) has no \"\(field)\" field.")
    }
    token = Secret(value)
    hasExpiry = expiry != nil
  }
}
