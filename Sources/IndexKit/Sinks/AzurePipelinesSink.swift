/// Azure Pipelines logging commands on stdout (FORMATS.md §3.1):
/// `##vso[task.setvariable variable=NAME;issecret=true]VALUE` for values holding a secret,
/// plain `task.setvariable` for the rest.
///
/// The secrets were registered with `task.setsecret` before this is printed (``CIMasker``).
/// Secret variables do not reach later steps' environments on their own: each step maps
/// them with `env:`, which the report spells out.
package struct AzurePipelinesSink: Sink {
  package var options: ClientOptions

  package init(options: ClientOptions = ClientOptions()) { self.options = options }

  package var name: String { "azure-pipelines" }

  package func plan(_ credentials: [Credential], in context: Context) throws -> [PlannedOutput] {
    let set = ClientVariables.build(credentials, options: options)
    let secretNames = set.variables.filter { !$0.value.secretParts.isEmpty }.map(\.name)
    var warnings: [String] = []
    if !secretNames.isEmpty {
      let mapping = secretNames.map { "      \($0): $(\($0))" }.joined(separator: "\n")
      warnings.append(
        "Azure Pipelines keeps secret variables out of later steps' environments; map them in each step that needs them:\n    env:\n\(mapping)"
      )
    }
    var output = try VariableRules.render(set, sink: name, action: .stdout, singleLine: false, extraWarnings: warnings)
    { name, value in
      let secret = !value.secretParts.isEmpty
      return "##vso[task.setvariable variable=\(AzureLogging.escapeProperty(name))\(secret ? ";issecret=true" : "")]"
        + value.mapParts(AzureLogging.escapeData) + "\n"
    }
    // The agent unescapes the command before it uses or could log the value.
    output.maskForms = set.variables.flatMap(\.value.secretParts)
    return [output]
  }

  /// Why the sink is refused outside Azure Pipelines.
  static let outsideAzure =
    "--write azure-pipelines prints Azure Pipelines logging commands, which only the Azure Pipelines agent understands (TF_BUILD is not True here); anywhere else they would print the credentials into the log. Use shell, github-env or gitlab-env there."
}

/// Escaping for logging commands (azure-pipelines-task-lib `taskcommand.ts`).
enum AzureLogging {
  /// Data: `%`→`%AZP25`, CR→`%0D`, LF→`%0A`.
  static func escapeData(_ value: String) -> String {
    escapeScalars(value, ["%": "%AZP25", "\r": "%0D", "\n": "%0A"])
  }

  /// Property values: as data, plus `]`→`%5D` and `;`→`%3B`.
  static func escapeProperty(_ value: String) -> String {
    escapeScalars(value, ["%": "%AZP25", "\r": "%0D", "\n": "%0A", "]": "%5D", ";": "%3B"])
  }
}
