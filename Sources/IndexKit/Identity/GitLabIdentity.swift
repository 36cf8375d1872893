/// GitLab CI `id_tokens:` (PROTOCOLS.md §2a): the token for audience `A` is read from the
/// variable `<A>_ID_TOKEN`, named by the convention `id`, `ambient-id` and uv share.
///
/// GitLab has no endpoint to ask for a token: the job's `.gitlab-ci.yml` declares one
/// variable per audience. When it is missing, the error gives the exact block to add.
package struct GitLabIdentity: IdentitySource {
  package init() {}

  package var name: String { "GitLab CI id_tokens" }

  static let variables = ["GITLAB_CI", "CI_SERVER_URL", "CI_PROJECT_PATH", "CI_COMMIT_REF_NAME", "CI_JOB_JWT_V2"]

  /// `<AUDIENCE>_ID_TOKEN`: the audience upper-cased, every character outside `[A-Z0-9_]`
  /// replaced by `_`.
  ///
  /// Digits are kept, a leading one too, as uv and `ambient-id` name it (GitLab accepts
  /// such names in `id_tokens:`).
  package static func variableName(forAudience audience: String) -> String {
    var name = ""
    for scalar in audience.uppercased().unicodeScalars {
      let ok = scalar == "_" || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
      name.unicodeScalars.append(ok ? scalar : "_")
    }
    return name + "_ID_TOKEN"
  }

  /// The `id_tokens:` block that gives this job a token for `audience`, in YAML flow style.
  package static func idTokensBlock(forAudience audience: String) -> String {
    "id_tokens: { \(variableName(forAudience: audience)): { aud: \(JSON.string(audience).serialized()) } }"
  }

  package func idToken(audience: String, in context: Context) throws -> Secret {
    let environment = context.environment
    if audience.isEmpty {
      return try defaultToken(environment)
    }
    let variable = Self.variableName(forAudience: audience)
    // Earlier releases named a leading digit `_`; a job declared that way still works.
    let earlier = variable.first?.isNumber == true ? "_" + variable.dropFirst() : variable
    guard let value = environment[variable] ?? environment[earlier] else {
      throw IdentityError(missing(audience: audience, variable: variable, environment))
    }
    return try Secret(value).requireJWT(from: "the GitLab id_tokens variable \(variable)")
  }

  /// Without an audience (`indexkey claims`): the job's only `*_ID_TOKEN` variable.
  private func defaultToken(_ environment: Environment) throws -> Secret {
    let names = Self.tokenVariables(environment)
    guard names.count == 1, let only = names.first, let value = environment[only] else {
      let found = names.isEmpty ? "this job has none" : "this job has \(names.joined(separator: ", "))"
      throw IdentityError(
        "GitLab ID tokens are declared per audience in `id_tokens:` and \(found); name the audience with --audience, or the variable with --identity env:NAME."
      )
    }
    return try Secret(value).requireJWT(from: "the GitLab id_tokens variable \(only)")
  }

  /// The `*_ID_TOKEN` variables of this job, sorted.
  static func tokenVariables(_ environment: Environment) -> [String] {
    environment.values.keys.filter { $0.hasSuffix("_ID_TOKEN") && environment.has($0) }.sorted()
  }

  private func missing(audience: String, variable: String, _ environment: Environment) -> String {
    var text =
      "GitLab did not give this job an ID token for the audience '\(audience)': \(variable) is not set. Add `\(Self.idTokensBlock(forAudience: audience))` to the job in .gitlab-ci.yml (GitLab 15.7 or later)"
    let others = Self.tokenVariables(environment).map { name -> String in
      let aud = environment[name].flatMap { JWTClaims(token: Secret($0)) }?.audiences.joined(separator: ", ")
      return aud.map { "\(name) (aud '\($0)')" } ?? name
    }
    if !others.isEmpty {
      text += ", or pass --identity env:NAME to use one of the job's other ID tokens: \(others.joined(separator: ", "))"
    }
    if environment.has("CI_JOB_JWT_V2") {
      text += ". CI_JOB_JWT_V2 is set but is the legacy token, removed in GitLab 17.0, and is not used"
    }
    return text + "."
  }
}
