/// What the gcloud CLI keeps in its configuration directory (`CLOUDSDK_CONFIG`, default
/// `~/.config/gcloud`): the Application Default Credentials file and the active
/// configuration's account (`CLOUDSDK_ACTIVE_CONFIG_NAME` or the `active_config` file, then
/// `configurations/config_NAME`'s `[core] account`, unless `CLOUDSDK_CORE_ACCOUNT` says).
package struct GcloudConfig: Sendable, Equatable {
  package var directory: String
  /// The active configuration's name.
  package var configuration: String
  /// The active account, if one is set.
  package var account: String?

  package init(directory: String, configuration: String, account: String?) {
    self.directory = directory
    self.configuration = configuration
    self.account = account
  }

  package static func directory(environment: Environment, home: String?) -> String {
    environment["CLOUDSDK_CONFIG"].map { FileIO.expandTilde($0, home: home) } ?? "\(home ?? "~")/.config/gcloud"
  }

  /// Reads the directory; missing files mean defaults, as for gcloud.
  package static func load(environment: Environment, home: String?) -> GcloudConfig {
    let directory = directory(environment: environment, home: home)
    let fromFile = (try? FileIO.read("\(directory)/active_config", limit: 4096)).map {
      String(decoding: $0, as: UTF8.self).trimmingSpaces
    }
    let name = environment["CLOUDSDK_ACTIVE_CONFIG_NAME"] ?? fromFile.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    var account = environment["CLOUDSDK_CORE_ACCOUNT"]
    if account == nil, let bytes = try? FileIO.read("\(directory)/configurations/config_\(name)", limit: 1 << 20) {
      let core = IniDocument(bytes: bytes).sections.last { $0.name == "core" }
      account = core?["account"].flatMap { $0.isEmpty ? nil : $0 }
    }
    return GcloudConfig(directory: directory, configuration: name, account: account)
  }

  /// `application_default_credentials.json` in the directory.
  package var adcPath: String { "\(directory)/application_default_credentials.json" }
}
