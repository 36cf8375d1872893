import ArgumentParser
import IndexKit

struct GitLabOptions: ParsableArguments {
  @Option(help: "Which GitLab token to send: job (CI_JOB_TOKEN), deploy (CI_DEPLOY_USER/CI_DEPLOY_PASSWORD) or access (GITLAB_TOKEN); default the first that is set.")
  var gitlabToken: String?

  @Option(help: "Username to send with an access token in GITLAB_TOKEN; default __token__.")
  var gitlabUsername: String?

  func apply(to options: inout LoginOptions) {
    options.flags["gitlab-token"] = gitlabToken
    options.flags["gitlab-username"] = gitlabUsername
  }
}
