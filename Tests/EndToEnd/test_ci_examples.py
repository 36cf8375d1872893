"""The CI examples cannot rot: every workflow file follows its CI's published schema, and
every `indexkey` command line in them runs (with --dry-run) against the emulator, in the
environment that CI gives the job, and succeeds.

A command that needs a registry, flag or output this build of indexkey does not list in
`indexkey login --help` is reported as skipped ("not available in this build: …") after
every other command of the file has run and passed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

import ci_examples
from ci_examples import (ACTION, EXAMPLES, GITLAB_TEMPLATE, RELEASE_WORKFLOW, Capabilities, CommandLine, ci_of,
                         commands, example_files, indexkey_lines, load_yaml, schema_groups)
from ci_support import box  # noqa: F401  (a fixture)
from emulator.ci import CIRCLECI_ORG, DEFAULT_AUDIENCES, EXCHANGE_AUDIENCE, trust
from harness import CLIENT_ID, REPO_ROOT, TENANT, VERSION, Result, binary_path

# The ids the examples write literally (Azure Pipelines, Buildkite): the emulator has an app
# for them too.
PLACEHOLDER_TENANT = PLACEHOLDER_CLIENT = "00000000-0000-0000-0000-000000000000"
CHAINGUARD_IDENTITY = "0123abcd4567ef890123abcd4567ef8901234567/0a1b2c3d4e5f6a7b"
AWS_ACCOUNT, AWS_ROLE = "111122223333", "arn:aws:iam::111122223333:role/ci-pypi-read"
GCP_NUMBER = "123456789012"
GCP_SERVICE_ACCOUNT = "pypi-reader@my-project.iam.gserviceaccount.com"

# Repository / project variables the examples read (${{ vars.X }}, GitLab and Bitbucket
# variables, CircleCI project variables).
VARIABLES = {
    "AZURE_CLIENT_ID": CLIENT_ID,
    "AZURE_TENANT_ID": TENANT,
    "CHAINGUARD_IDENTITY": CHAINGUARD_IDENTITY,
    "AWS_ROLE_ARN": AWS_ROLE,
    "CIRCLE_ORGANIZATION_ID": CIRCLECI_ORG,
}


@pytest.fixture(scope="module")
def capabilities() -> Capabilities:
    return Capabilities.of(binary_path())


# -- schemas -----------------------------------------------------------------------
@pytest.mark.parametrize("schema, transform", sorted(schema_groups(), key=str))
def test_files_follow_their_ci_schema(schema, transform):
    files = schema_groups()[(schema, transform)]
    args = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema]
    if transform:
        args += ["--data-transform", transform]
    if schema == "vendor.azure-pipelines":
        args += ["--regex-variant", "python"]
    proc = subprocess.run(args + [str(f) for f in files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_ci_has_an_example_and_the_action_and_template_are_used():
    files = example_files()
    assert {ci_of(f) for f in files} == {"github", "gitlab", "azure-pipelines", "buildkite", "circleci", "bitbucket"}
    uses = [step.get("uses", "") for f in files if ci_of(f) == "github"
            for job in load_yaml(f)["jobs"].values() for step in job.get("steps", [])]
    assert any(ci_examples.is_indexkey_action(u) and u != "." for u in uses)
    includes = [f for f in files if ci_of(f) == "gitlab" and "templates/indexkey.gitlab-ci.yml" in f.read_text()]
    assert includes, "no GitLab example includes the template"
    assert ACTION.exists() and GITLAB_TEMPLATE.exists()


def test_the_examples_pin_this_version_and_never_build_swift():
    files = example_files() + [GITLAB_TEMPLATE]
    pins = []
    for f in files:
        text = f.read_text()
        assert not re.search(r"\bswift (build|run)\b|swiftly", text), f"{f.name} builds Swift"
        pins += [(f.name, "action", v) for v in re.findall(r"uses: OWNER/indexkey@(\S+)", text)]
        pins += [(f.name, "pip", v) for v in re.findall(r"\bindexkey==([0-9][^\s\"'`]*)", text)]
        if f != GITLAB_TEMPLATE and "templates/indexkey.gitlab-ci.yml" in text:
            pins += [(f.name, "include", item["ref"]) for item in load_yaml(f)["include"]]
    template_version = load_yaml(GITLAB_TEMPLATE)[".indexkey"]["variables"]["INDEXKEY_VERSION"]
    pins.append((GITLAB_TEMPLATE.name, "INDEXKEY_VERSION", template_version))
    assert {kind for _, kind, _ in pins} == {"action", "pip", "include", "INDEXKEY_VERSION"}
    wrong = [pin for pin in pins if pin[2] not in (VERSION, f"v{VERSION}")]
    assert wrong == [], f"pins other than {VERSION}: {wrong}"


def test_the_release_workflow_builds_attests_publishes_with_indexkey_and_attaches_the_tarball():
    doc = load_yaml(RELEASE_WORKFLOW)
    assert doc["on"]["push"]["tags"] == ["v*"]
    jobs = doc["jobs"]
    runs = {name: [str(step.get("run", "")) for step in job["steps"]] for name, job in jobs.items()}
    assert any("make dist" in run for run in runs["build"])
    [attest] = [s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/attest-build-provenance@")]
    subjects = attest["with"]["subject-path"].split()
    assert any(p.endswith(".whl") for p in subjects) and any(p.endswith(".tar.gz") for p in subjects)
    assert jobs["pypi"]["permissions"] == {"id-token": "write"} and jobs["pypi"]["environment"] == "pypi"
    login = runs["pypi"].index("indexkey login https://upload.pypi.org/legacy/ --write pypirc")
    upload = next(i for i, run in enumerate(runs["pypi"]) if "twine upload" in run)
    assert login < upload
    release = " ".join(runs["github"])
    assert "gh release create" in release and "tar.gz.sha256" in release


@pytest.mark.parametrize("line, expected", [
    ("indexkey login URL --write shell", True),
    ("out=$(indexkey login URL --write shell)", True),
    ('eval "$(indexkey login URL)"', True),
    ("FOO=bar indexkey login URL", True),
    ('"$HOME/bin/indexkey" --version', False),  # quoted program paths are not recognised
    ("/usr/local/bin/indexkey login URL", True),
    ("git clone https://example.com/indexkey.git /tmp/indexkey-src", False),
    ('cp ".indexkey-cache/$commit/indexkey" .indexkey/bin/', False),
    ("# indexkey login URL", False),
    ("pip install indexkey-helper", False),
])
def test_command_lines_are_found_where_a_shell_would_run_indexkey(line, expected):
    assert bool(indexkey_lines(line)) is expected


def test_continuation_lines_are_one_command():
    script = "indexkey login https://a/simple/ \\\n  --write shell\npip install x\n"
    assert indexkey_lines(script) == ["indexkey login https://a/simple/    --write shell"]


# -- running the command lines -------------------------------------------------------
def configure_emulator(emu) -> None:
    """Trust what the examples present, for every registry the emulator serves."""
    entra = emu.entra
    entra.add_app(PLACEHOLDER_TENANT, PLACEHOLDER_CLIENT)
    github = emu.github.claims
    for tenant, client in ((TENANT, CLIENT_ID), (PLACEHOLDER_TENANT, PLACEHOLDER_CLIENT)):
        if tenant == PLACEHOLDER_TENANT:
            trust(entra, tenant, client, github["iss"], github["sub"])
        for ci in ("gitlab", "buildkite", "circleci", "bitbucket", "azure-pipelines"):
            claims = emu.ci.claims[ci]
            trust(entra, tenant, client, claims["iss"], claims["sub"], EXCHANGE_AUDIENCE)
    services = emu.services
    if "chainguard" in services:
        emu.chainguard.add_identity(CHAINGUARD_IDENTITY, github["iss"], github["sub"])
    if "jfrog" in services:
        emu.jfrog.add_integration("github-oidc", github["iss"], "jfrog-github",
                                  [({"repository": github["repository"]}, "ci-bot")])
    if "pypi" in services:
        workflow = github["job_workflow_ref"].split("@", 1)[0].rsplit("/", 1)[-1]
        emu.pypi.add_publisher(github["repository"], workflow)
        gitlab = emu.ci.claims["gitlab"]
        emu.pypi.publishers.append(GitLabPublisher(gitlab["project_path"], ".gitlab-ci.yml", "pypi"))
    if getattr(emu, "google", None) is not None:
        google = emu.google
        for pool, ci, audiences in (("github", None, None), ("gitlab", "gitlab", ["https://gitlab.com"]),
                                    ("circleci", "circleci", [CIRCLECI_ORG])):
            issuer = emu.ci.claims[ci]["iss"] if ci else github["iss"]
            google.add_provider(GCP_NUMBER, pool, pool, issuer, allowed_audiences=audiences)
        google.add_service_account(GCP_SERVICE_ACCOUNT)
        google.grant(GCP_SERVICE_ACCOUNT, "roles/iam.workloadIdentityUser",
                     f"principalSet://iam.googleapis.com/projects/{GCP_NUMBER}/locations/global/"
                     f"workloadIdentityPools/github/attribute.repository/{github['repository']}")
    if getattr(emu, "aws", None) is not None:
        aws = emu.aws
        bitbucket = DEFAULT_AUDIENCES["bitbucket"]
        aws.add_oidc_provider(AWS_ACCOUNT, github["iss"], ["sts.amazonaws.com"])
        aws.add_oidc_provider(AWS_ACCOUNT, emu.ci.claims["gitlab"]["iss"], ["sts.amazonaws.com"])
        aws.add_oidc_provider(AWS_ACCOUNT, emu.ci.claims["bitbucket"]["iss"], [bitbucket])
        aws.add_role(AWS_ROLE, [{"aud": "sts.amazonaws.com", "sub": github["sub"]},
                                {"aud": "sts.amazonaws.com", "sub": emu.ci.claims["gitlab"]["sub"]},
                                {"aud": bitbucket, "sub": emu.ci.claims["bitbucket"]["sub"]}])
        aws.add_domain("my-domain", AWS_ACCOUNT)


@dataclass
class GitLabPublisher:
    """A GitLab trusted publisher as PyPI matches one: project path, top-level pipeline file
    and environment (the emulated PyPI knows GitHub publishers only)."""

    project_path: str
    pipeline_file: str
    environment: Optional[str] = None
    pending_project: Optional[str] = None

    def matches(self, claims: dict) -> bool:
        uri = claims.get("ci_config_ref_uri")
        return (claims.get("project_path") == self.project_path
                and isinstance(uri, str) and uri.split("@", 1)[0].endswith("//" + self.pipeline_file)
                and (self.environment is None or claims.get("environment") == self.environment))


class ExampleRunner:
    """Runs one example's command lines in bash, with the wrapper as `indexkey`."""

    def __init__(self, emu, box, capabilities: Capabilities, scratch: Path) -> None:
        self.emu, self.box = emu, box
        self.log = scratch / "calls.jsonl"
        shim_dir = scratch / "shim"
        shim_dir.mkdir()
        shim = shim_dir / "indexkey"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "example_wrapper.py"}" "$@"\n')
        shim.chmod(0o755)
        self.shim = shim
        self.config = scratch / "config.json"
        services = emu.services
        google = getattr(emu, "google", None)
        self.config.write_text(json.dumps({
            "binary": str(binary_path()), "log": str(self.log),
            "flags": sorted(capabilities.flags), "registries": sorted(capabilities.registries),
            "sinks": sorted(capabilities.sinks),
            "endpoints": {
                "pypi_upload": emu.pypi.upload_url if "pypi" in services else None,
                "google_sts": google.sts.url + "/v1/token" if google is not None else None,
                "google_iam": google.iam.url if google is not None else None,
                "chainguard": emu.chainguard.url if "chainguard" in services else None,
                "jfrog": emu.jfrog.url if "jfrog" in services else None,
            }}))

    # -- the CI's own environment ---------------------------------------------
    def ci_environment(self, ci: str) -> dict[str, str]:
        box, emu = self.box, self.emu
        if ci == "github":
            env = box.github_runner_env(AZURE_CLIENT_ID=None, AZURE_TENANT_ID=None)
        elif ci == "gitlab":
            env = {"GITLAB_CI": "true", "CI": "true", "CI_SERVER_URL": "https://gitlab.com",
                   "CI_PROJECT_PATH": "octo-group/app", "CI_PROJECT_ID": "4242", "CI_JOB_ID": "77001",
                   "CI_PROJECT_DIR": str(box.work), "CI_COMMIT_REF_NAME": "main",
                   "CI_API_V4_URL": "https://gitlab.com/api/v4"}
            if "gitlab" in emu.services:
                env["CI_API_V4_URL"] = emu.gitlab.api_url
                env["CI_JOB_TOKEN"] = emu.gitlab.start_job()
        elif ci == "buildkite":
            env = box.buildkite_env(AZURE_CLIENT_ID=None, AZURE_TENANT_ID=None, AZURE_AUTHORITY_HOST=None)
            env["PATH"] = box.fake_path("buildkite-agent")
        elif ci == "circleci":
            bash_env = box.work / "bash_env"
            bash_env.touch()
            env = {"CIRCLECI": "true", "CI": "true", "CIRCLE_OIDC_TOKEN_V2": emu.ci.mint("circleci"),
                   "BASH_ENV": str(bash_env), "PATH": box.fake_path("circleci")}
        elif ci == "bitbucket":
            env = {"BITBUCKET_BUILD_NUMBER": "42", "CI": "true", "BITBUCKET_WORKSPACE": "octo-ws"}
        elif ci == "azure-pipelines":
            env = box.azure_pipelines_env(SYSTEM_ACCESSTOKEN=None, AZURE_CLIENT_ID=None, AZURE_TENANT_ID=None)
        else:
            raise AssertionError(f"no environment for {ci}")
        env.pop("AZURE_CLIENT_ID", None)
        env.pop("AZURE_TENANT_ID", None)
        # Endpoints only the environment redirects: every cloud's, at the emulator.
        env["AZURE_AUTHORITY_HOST"] = emu.entra.url
        aws = getattr(emu, "aws", None)
        if aws is not None:
            env["AWS_ENDPOINT_URL_STS"] = aws.sts.url
            env["AWS_ENDPOINT_URL_CODEARTIFACT"] = aws.codeartifact.url
        if "jfrog" in emu.services:
            env["JF_URL"] = emu.jfrog.url
        return env

    def variables(self, ci: str, ci_env: dict[str, str]) -> dict[str, str]:
        """What the file's expressions and variables can refer to."""
        values = {**ci_env, **VARIABLES}
        if ci == "azure-pipelines":
            values.update({"System.AccessToken": self.emu.ci.access_token, "Agent.OS": "Linux",
                           "Pipeline.Workspace": str(self.box.work)})
        return values

    def environment(self, command: CommandLine, ci_env: dict[str, str]) -> dict[str, str]:
        env = dict(ci_env)
        if command.ci in ("gitlab", "bitbucket", "circleci"):  # project variables are environment there
            env.update(VARIABLES)
        env.update(command.env)
        claims = {"environment": command.environment} if command.environment else {}
        for name, audiences in command.id_tokens.items():
            env[name] = self.emu.ci.mint("gitlab", audiences[0] if len(audiences) == 1 else audiences, **claims)
        if command.ci == "bitbucket" and command.oidc:
            env["BITBUCKET_STEP_OIDC_TOKEN"] = self.emu.ci.mint("bitbucket")
        env["PATH"] = f"{self.shim.parent}:{env.get('PATH') or os.environ.get('PATH', '/usr/bin:/bin')}"
        env["HOME"] = str(self.box.home)
        env["INDEXKEY_EXAMPLE_CONFIG"] = str(self.config)
        return env

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def run(self, command: CommandLine, ci_env: dict[str, str]) -> list[dict]:
        """Run the line; return the indexkey calls it made. Fails the test on a non-zero exit."""
        before = len(self.calls())
        env = self.environment(command, ci_env)
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command.line], env=env, cwd=self.box.work,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        calls = self.calls()[before:]
        details = "\n".join(f"  indexkey {' '.join(c.get('args') or c['given'])} -> "
                            f"{c.get('code', 'unavailable: ' + ', '.join(c.get('unavailable', [])))}\n"
                            f"{c.get('stderr', '')}" for c in calls)
        assert proc.returncode == 0, (f"{command}\nexit {proc.returncode}\nstderr: {proc.stderr}\n"
                                      f"indexkey calls:\n{details}")
        assert calls, f"{command}\nran no indexkey command"
        for call in calls:
            if "unavailable" in call:
                continue
            assert call["code"] == 0, f"{command}\n{details}"
            self.check_leaks(call, env)
        return calls

    def check_leaks(self, call: dict, env: dict[str, str]) -> None:
        full_env = {k: v for k, v in env.items() if k != "INDEXKEY_EXAMPLE_CONFIG"}
        result = Result(call["args"], call["code"], call["stdout"], call["stderr"], call["duration"], full_env)
        canaries = self.box.canaries(full_env)
        for service in self.emu.services.values():
            found = getattr(service, "canaries", None)
            if callable(found):
                nowhere, access, *_ = found()
                canaries.nowhere |= set(nowhere)
                canaries.access |= set(access)
        for cloud in (getattr(self.emu, "google", None), getattr(self.emu, "aws", None)):
            if cloud is not None and callable(getattr(cloud, "canaries", None)):
                nowhere, access, *_ = cloud.canaries()
                canaries.nowhere |= set(nowhere)
                canaries.access |= set(access)
        problems = self.box.leaks.check(result, canaries)
        assert not problems, "secret leak:\n  " + "\n  ".join(problems) + f"\n{result}"
        self.box.results.append(result)


# The examples, and this repository's own release workflow (its PyPI login).
@pytest.mark.parametrize("path", example_files() + [RELEASE_WORKFLOW], ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_example_command_lines_run_against_the_emulator(path, emu, box, capabilities, tmp_path_factory):
    configure_emulator(emu)
    runner = ExampleRunner(emu, box, capabilities, tmp_path_factory.mktemp("example"))
    ci = ci_of(path)
    ci_env = runner.ci_environment(ci)
    lines = commands(path, runner.variables(ci, ci_env), str(runner.shim))
    assert lines, f"{path} runs no indexkey command"
    unavailable: list[str] = []
    started = time.monotonic()
    for command in lines:
        for call in runner.run(command, ci_env):
            if "unavailable" in call:
                unavailable.append(f"{command.where}: {', '.join(call['unavailable'])}")
    assert time.monotonic() - started < 60
    if unavailable:
        pytest.skip(f"{path.relative_to(REPO_ROOT)}: not available in this build: " + "; ".join(unavailable))


def test_a_broken_example_fails(emu, box, capabilities, tmp_path):
    """The machinery catches an example whose command fails (here: a missing token file)."""
    workflow = tmp_path / "broken.yml"
    workflow.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: indexkey login https://pkgs.dev.azure.com/my-org/_packaging/f/pypi/simple/ --identity file:/nonexistent/token\n")
    (tmp_path / "scratch").mkdir()
    runner = ExampleRunner(emu, box, capabilities, tmp_path / "scratch")
    env = runner.ci_environment("github")
    [command] = ci_examples.github_commands(workflow, {}, str(runner.shim))
    command.env.update({"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT})
    with pytest.raises(AssertionError):
        runner.run(command, env)
