/// A POSIX sh file of `export NAME='value'` lines (0600) for the rest of a GitLab job:
/// `before_script` and `script` share one shell, so `. FILE` there carries the variables
/// over (FORMATS.md §2.3).
///
/// GitLab cannot mask values made during a job, so indexkey prints none: they go only
/// into this file.
package struct GitLabEnvSink: Sink {
  package var path: String?
  package var options: ClientOptions

  package init(path: String? = nil, options: ClientOptions = ClientOptions()) {
    self.path = path
    self.options = options
  }

  package var name: String { "gitlab-env" }

  /// `$TMPDIR/indexkey-<job id>.env` (outside the project directory, so neither
  /// `artifacts:paths` nor `cache:` pick it up).
  static func defaultPath(_ environment: Environment) -> String {
    let dir = environment["TMPDIR"] ?? "/tmp"
    let job = environment["CI_JOB_ID"].map { "-\($0)" } ?? ""
    return "\(dir.hasSuffix("/") ? String(dir.dropLast()) : dir)/indexkey\(job).env"
  }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let file = path.map { FileIO.expandTilde($0, home: context.home) } ?? Self.defaultPath(context.environment)
    var warnings = [
      "Source \(file) in the same job (`. \(file)` in before_script or script; after_script runs in another shell) and delete it when done; never list it in artifacts or cache."
    ]
    if let project = context.environment["CI_PROJECT_DIR"],
      file.hasPrefix(project.hasSuffix("/") ? project : project + "/")
    {
      warnings.append(
        "\(file) is inside CI_PROJECT_DIR, where artifacts:paths, cache: or a later commit can pick it up; write it outside (the default is under TMPDIR)."
      )
    }
    let set = ClientVariables.build(credentials, options: options)
    return [
      try VariableRules.render(set, sink: name, action: .replaceFile(file), singleLine: false, extraWarnings: warnings)
      { ShellSink.export($0, $1) }
    ]
  }

  /// Why `--write gitlab-dotenv` is refused.
  static let dotenvRefusal =
    "Refusing to write credentials into a GitLab dotenv report: its values are not masked, and anyone who can read the pipeline's artifacts can download the file. Use --write gitlab-env in each job that needs the index (a 0600 file to source within that job), and run indexkey again in later jobs; it takes a second and the credentials it makes are short-lived."
}
