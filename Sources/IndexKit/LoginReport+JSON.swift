extension LoginReport {
  /// The machine-readable report (`--json`), one line on stdout.
  ///
  /// ```json
  /// {"indexes":[{"name":"feed","url":"https://…/simple/","upload_url":"https://…/upload/",
  ///   "registry":"azure-artifacts","registry_name":"Azure Artifacts","status":"ok","username":"EntraToken",
  ///   "expires_at":"2026-11-22T10:04:05Z","expires_in":3599}],
  ///  "outputs":[{"sink":"pypirc","destination":"/home/u/.pypirc","wrote":["[feed]"]}],
  ///  "warnings":[],"dry_run":false,"exit_code":0}
  /// ```
  /// A failed index has `"status":"error"`, `"error"` and `"exit_code"` instead of the
  /// credential fields; an upload-only index has `"url":null`; an index with something to
  /// know has `"warnings"`. The password is included (`"password"`) only when `showSecrets`;
  /// it is a secret part of the returned text, masked like every other.
  package func json(showSecrets: Bool, now: UnixTime) -> SecretText {
    var placeholders: [(String, String)] = []
    let indexes: [JSON] = results.map { result in
      var members: [(String, JSON)] = [
        ("name", .string(result.index.name)),
        ("url", result.index.installable ? .string(result.index.simpleURL.description) : .null),
        ("upload_url", result.index.uploadURL.map { .string($0.description) } ?? .null),
        ("registry", .string(Registries.all.first { $0.displayName == result.registry }?.name ?? result.registry)),
        ("registry_name", .string(result.registry)),
      ]
      switch result.outcome {
      case .success(let credential):
        members += [("status", .string("ok")), ("username", .string(credential.shownUsername))]
        members.append(("expires_at", credential.expiresAt.map { .string($0.iso8601) } ?? .null))
        members.append(("expires_in", credential.expiresAt.map { .integer(Int64(saturatingInt($0 - now))) } ?? .null))
        if !credential.warnings.isEmpty {
          members.append(("warnings", .array(credential.warnings.map { .string($0) })))
        }
        if showSecrets {
          let marker = "indexkey-secret-" + randomHex(16)
          placeholders.append((marker, JSONText.escapedContent(credential.password.revealed)))
          members.append(("password", .string(marker)))
        }
      case .failure(let error):
        members += [
          ("status", .string("error")), ("error", .string(error.message)),
          ("exit_code", .integer(Int64(error.exitStatus.rawValue))),
        ]
      }
      return .object(members)
    }
    let written: [JSON] = outputs.map { output in
      .object([
        ("sink", .string(output.sink)),
        ("destination", .string(output.destination)),
        ("wrote", .array(output.items.map { .string($0) })),
      ])
    }
    var document: [(String, JSON)] = [
      ("indexes", .array(indexes)),
      ("outputs", .array(outputError == nil ? written : [])),
      ("warnings", .array(warnings.map { .string($0) })),
      ("dry_run", .bool(dryRun)),
      ("exit_code", .integer(Int64(exitStatus.rawValue))),
    ]
    if let outputError { document.append(("output_error", .string(outputError.message))) }
    var text = SecretText(plain: JSON.object(document).serialized())
    for (marker, escaped) in placeholders {
      text = text.replacingPlain(marker, withSecret: escaped)
    }
    return text
  }
}

extension LoginReport {
  /// The `--json` report when nothing could be attempted (bad flags or configuration).
  package static func json(failure: ReportedError) -> String {
    JSON.object([
      ("indexes", .array([])), ("outputs", .array([])), ("warnings", .array([])),
      ("error", .string(failure.message)), ("exit_code", .integer(Int64(failure.exitStatus.rawValue))),
    ]).serialized()
  }
}

extension SecretText {
  /// Replaces every occurrence of `marker` in the plain parts with a secret part.
  func replacingPlain(_ marker: String, withSecret secret: String) -> SecretText {
    var out: [Part] = []
    for part in parts {
      guard case .plain(let text) = part, text.contains(marker) else {
        out.append(part)
        continue
      }
      let pieces = text.split(separator: marker, omittingEmptySubsequences: false)
      for (i, piece) in pieces.enumerated() {
        if i > 0 { out.append(.secret(secret)) }
        if !piece.isEmpty { out.append(.plain(String(piece))) }
      }
    }
    return SecretText(out)
  }
}
