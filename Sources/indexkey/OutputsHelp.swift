/// The OUTPUTS and VARIABLES sections of `indexkey login --help` (lines kept
/// under 76 columns: ArgumentParser rewraps longer ones).
enum OutputsHelp {
  static let text = """
    OUTPUTS (--write NAME[=PATH],...)
      github-env       append the variables to $GITHUB_ENV (later steps)
      github-output    append them to $GITHUB_OUTPUT (this job only)
      shell            print export NAME='value' lines for eval (sh, bash)
      fish             print set -gx NAME 'value' lines (... | source)
      powershell       print $env:NAME = 'value' lines
                       (... | Out-String | Invoke-Expression)
      gitlab-env       a 0600 file of export lines to source in the same
                       job (default $TMPDIR/indexkey-$CI_JOB_ID.env);
                       a GitLab dotenv report is refused (never masked)
      azure-pipelines  print ##vso[task.setvariable] commands; secret
                       values are issecret=true: map them with env:
      pip-conf         merge index-url and extra-index-url into pip.conf
                       (PIP_CONFIG_FILE, else ~/.config/pip/pip.conf)
      netrc            merge machine HOST login USER password SECRET into
                       ~/.netrc (or NETRC); pip's URLs then carry no
                       credentials, and another path is passed as NETRC
      pypirc           one section per index in ~/.pypirc (or --pypirc)
    Every secret and its percent-encoded, JSON and base64 Basic-auth forms
    are registered with the CI's masker (GitHub ::add-mask::, Azure
    task.setsecret) before anything is written. GitLab cannot mask values
    made in a job, so nothing secret is printed there.

    VARIABLES (--clients pip,uv,twine,poetry,pdm,hatch; default all)
    The first index is the main one, the others are added beside it; with
    --extra every index is added beside the client's own main index (public
    PyPI unless configured otherwise: a dependency-confusion risk). Upload
    settings name the first index given by its upload URL, else the first
    that has one; an upload-only token (PyPI) never reaches installers.
      pip     PIP_INDEX_URL (first index), PIP_EXTRA_INDEX_URL (others);
              credentials percent-encoded in the URLs
      uv      UV_DEFAULT_INDEX=NAME=URL (first), UV_INDEX (others), and
              UV_INDEX_<NAME>_USERNAME/_PASSWORD for each index (NAME in
              upper case, other characters as _); UV_PUBLISH_URL,
              UV_PUBLISH_USERNAME/_PASSWORD for the first upload URL
      twine   TWINE_REPOSITORY_URL, TWINE_USERNAME, TWINE_PASSWORD (first
              upload URL; twine then ignores .pypirc and -r); with
              --write pypirc to ~/.pypirc, TWINE_REPOSITORY=NAME instead
      poetry  POETRY_HTTP_BASIC_<NAME>_USERNAME/_PASSWORD for each index,
              POETRY_REPOSITORIES_<NAME>_URL for upload URLs (a PyPI token
              as POETRY_PYPI_TOKEN_<NAME>); declare the source as
              [[tool.poetry.source]] name = "NAME"
      pdm     PDM_PYPI_URL/_USERNAME/_PASSWORD (first index, not with
              --extra); PDM_PUBLISH_REPO/_USERNAME/_PASSWORD
      hatch   HATCH_INDEX_REPO, HATCH_INDEX_USER, HATCH_INDEX_AUTH

    Several URLs are exchanged in parallel, then written once, together.
    Every index is reported; one that fails sets the exit code without
    stopping the others, and is left out of the outputs (if it was the
    first, the next one that worked becomes the main index: pip never falls
    back to public PyPI because of it).
    """
}
