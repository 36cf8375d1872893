/// A Python packaging client whose environment variables indexkey can write.
package enum PackagingClient: String, CaseIterable, Sendable {
  case pip, uv, twine, poetry, pdm, hatch
}

/// The environment variables for every selected client, for all the indexes at once.
///
/// Roles follow the order of the indexes: the first is the main index (`PIP_INDEX_URL`,
/// `UV_DEFAULT_INDEX`, `PDM_PYPI_URL`), the others are added beside it (`PIP_EXTRA_INDEX_URL`,
/// `UV_INDEX`); with `--extra` every index is added beside the client's own main index.
/// Installers only get indexes that are ``IndexTarget/installable`` (a PyPI upload token is
/// never sent along with every install). Upload settings (twine, `uv publish`, Poetry, PDM
/// and Hatch publishing) name one index: the first given by its upload URL, else the first
/// that has one. Every variable-style sink formats this one list, so they agree.
package struct VariableSet: Sendable {
  package var variables: [(name: String, value: SecretText)] = []
  package var warnings: [String] = []

  package var names: [String] { variables.map(\.name) }

  mutating func add(_ name: String, _ value: SecretText) {
    variables.append((name, value))
  }
}

package enum ClientVariables {
  package static func build(_ credentials: [Credential], options: ClientOptions = ClientOptions()) -> VariableSet {
    var set = VariableSet()
    let installable = credentials.filter(\.index.installable)
    let upload = uploadTarget(credentials)
    for client in options.clients {
      switch client {
      case .pip: pip(installable, options, &set)
      case .uv: uv(installable, upload, options, &set)
      case .twine: twine(upload, options, &set)
      case .poetry: poetry(credentials, &set)
      case .pdm: pdm(installable, upload, options, &set)
      case .hatch:
        publisher(upload, url: "HATCH_INDEX_REPO", user: "HATCH_INDEX_USER", password: "HATCH_INDEX_AUTH", &set)
      }
    }
    if let netrc = options.netrc, !netrc.isDefault, !installable.isEmpty,
      options.clients.contains(.pip) || options.clients.contains(.uv)
    {
      set.add("NETRC", SecretText(plain: netrc.path))
    }
    return set
  }

  /// Where single-target upload settings point: the first index given by its upload URL
  /// (`https://upload.pypi.org/legacy/`, an Azure feed's `…/upload/`), else the first with one.
  static func uploadTarget(_ credentials: [Credential]) -> Credential? {
    let uploadable = credentials.filter { $0.index.uploadURL != nil }
    return uploadable.first { credential in
      credential.index.uploadURL.map { IndexURLText.sameIndex(credential.index.given.description, $0.description) }
        ?? false
    } ?? uploadable.first
  }

  /// The install URL as pip reads it: percent-encoded credentials, or none when netrc has them.
  package static func pipURL(_ credential: Credential, options: ClientOptions) -> SecretText {
    if options.netrc != nil { return SecretText(plain: credential.index.simpleURL.description) }
    return credential.index.simpleURL.withCredentials(
      username: credential.username, password: credential.password, usernameIsSecret: credential.usernameIsSecret)
  }

  static func joined(_ values: [SecretText]) -> SecretText {
    var out = SecretText()
    for (i, v) in values.enumerated() {
      if i > 0 { out += " " }
      out += v
    }
    return out
  }

  private static func pip(_ credentials: [Credential], _ options: ClientOptions, _ set: inout VariableSet) {
    guard !credentials.isEmpty else { return }
    let urls = credentials.map { pipURL($0, options: options) }
    if options.extra {
      set.add("PIP_EXTRA_INDEX_URL", joined(urls))
      if options.mainIndexIsPublic { set.warnings.append(dependencyConfusionWarning) }
    } else {
      set.add("PIP_INDEX_URL", urls[0])
      if urls.count > 1 {
        set.add("PIP_EXTRA_INDEX_URL", joined(Array(urls.dropFirst())))
        if let warning = publicFirstWarning(credentials) { set.warnings.append(warning) }
      }
    }
  }

  /// When the first index is public PyPI, the private ones after it become pip's extra
  /// indexes: the same dependency-confusion risk as `--extra`.
  static func publicFirstWarning(_ credentials: [Credential]) -> String? {
    guard credentials.count > 1, let first = credentials.first,
      ClientOptions.isPublicPyPI(first.index.simpleURL.description)
    else {
      return nil
    }
    return
      "The first index, '\(first.index.name)', is public PyPI, so pip gets the others as extra indexes and takes the highest version from any of them: a package published on PyPI under one of your internal names wins (dependency confusion). Give the private index first."
  }

  static let dependencyConfusionWarning =
    "--extra adds the index beside pip's main index, which is public PyPI here: pip then takes the highest version from any index, so a package published on PyPI under one of your internal names wins (dependency confusion, CVE-2018-20225). Prefer the default (PIP_INDEX_URL) with an index that proxies PyPI and prefers its own packages."

  private static func uv(
    _ credentials: [Credential], _ upload: Credential?, _ options: ClientOptions, _ set: inout VariableSet
  ) {
    let entries = credentials.map { SecretText(plain: "\($0.index.name)=\($0.index.simpleURL)") }
    if options.extra {
      if !entries.isEmpty { set.add("UV_INDEX", joined(entries)) }
    } else if let main = entries.first {
      set.add("UV_DEFAULT_INDEX", main)
      if entries.count > 1 { set.add("UV_INDEX", joined(Array(entries.dropFirst()))) }
    }
    for credential in credentials {
      let env = IndexNaming.uvEnvironmentName(credential.index.name)
      set.add("UV_INDEX_\(env)_USERNAME", credential.usernameText)
      set.add("UV_INDEX_\(env)_PASSWORD", "\(credential.password)")
    }
    publisher(upload, url: "UV_PUBLISH_URL", user: "UV_PUBLISH_USERNAME", password: "UV_PUBLISH_PASSWORD", &set)
  }

  private static func twine(_ upload: Credential?, _ options: ClientOptions, _ set: inout VariableSet) {
    if options.pypircIsDefault, let upload {
      set.add("TWINE_REPOSITORY", SecretText(plain: PypircSink.sectionName(upload.index.name)))
    } else {
      publisher(upload, url: "TWINE_REPOSITORY_URL", user: "TWINE_USERNAME", password: "TWINE_PASSWORD", &set)
    }
  }

  /// `http-basic.<name>` serves both a source and a publish repository of that name; an
  /// upload-only `__token__` credential (PyPI) is Poetry's publish token instead, and PyPI's
  /// own `pypi` repository needs no URL.
  private static func poetry(_ credentials: [Credential], _ set: inout VariableSet) {
    for credential in credentials {
      let name = credential.index.name
      guard let env = IndexNaming.poetryEnvironmentName(name) else {
        set.warnings.append(
          "Poetry cannot read credentials for an index named '\(name)' from the environment (it maps only letters, digits and '-'); give --name with lower-case letters, digits and '-'."
        )
        continue
      }
      if !credential.index.installable && credential.username == "__token__" {
        set.add("POETRY_PYPI_TOKEN_\(env)", "\(credential.password)")
      } else {
        set.add("POETRY_HTTP_BASIC_\(env)_USERNAME", credential.usernameText)
        set.add("POETRY_HTTP_BASIC_\(env)_PASSWORD", "\(credential.password)")
      }
      guard let upload = credential.index.uploadURL, name != "pypi" else { continue }
      if IndexNaming.poetryCanDefineRepository(name) {
        set.add("POETRY_REPOSITORIES_\(env)_URL", SecretText(plain: upload.description))
      } else {
        set.warnings.append(
          "Poetry cannot define a publish repository named '\(name)' from the environment (POETRY_REPOSITORIES_<NAME>_URL allows no digits); run `poetry config repositories.\(name) \(upload)` or give --name without digits."
        )
      }
    }
  }

  private static func pdm(
    _ credentials: [Credential], _ upload: Credential?, _ options: ClientOptions, _ set: inout VariableSet
  ) {
    if !options.extra, let main = credentials.first {
      set.add("PDM_PYPI_URL", SecretText(plain: main.index.simpleURL.description))
      set.add("PDM_PYPI_USERNAME", main.usernameText)
      set.add("PDM_PYPI_PASSWORD", "\(main.password)")
    }
    publisher(upload, url: "PDM_PUBLISH_REPO", user: "PDM_PUBLISH_USERNAME", password: "PDM_PUBLISH_PASSWORD", &set)
  }

  /// An upload URL with the credentials beside it (never inside it: twine does not decode them).
  private static func publisher(
    _ upload: Credential?, url: String, user: String, password: String, _ set: inout VariableSet
  ) {
    guard let upload, let target = upload.index.uploadURL else { return }
    set.add(url, SecretText(plain: target.description))
    set.add(user, upload.usernameText)
    set.add(password, "\(upload.password)")
  }
}
