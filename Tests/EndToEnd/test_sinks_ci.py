"""The CI-specific outputs: Azure Pipelines logging commands, the GitLab env file (and
the refused dotenv report), and the --json report; each masks first, or prints nothing
secret where the CI cannot mask."""

from __future__ import annotations

import base64
import json
import os
import re
import stat

import pytest

from clients import Clients
from harness import CLIENT_ID, TENANT, USERNAME, login_args, quote_all

SETSECRET = "##vso[task.setsecret]"


@pytest.fixture
def clients(sandbox, tmp_path_factory):
    return Clients(sandbox, tmp_path_factory.mktemp("clients"))


def secret_env(emu, sandbox, **extra: str) -> dict[str, str]:
    """A non-GitHub job that signs in to Entra with a client secret."""
    secret = "client-secret-canary-" + os.urandom(10).hex()
    emu.trust_github(TENANT, CLIENT_ID, secret=secret)
    return {"AZURE_CLIENT_SECRET": secret, **sandbox.azure_env(), **extra}


def azure_unescape(data: str) -> str:
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%AZP25", "%")


def test_azure_pipelines_sets_secret_variables_after_registering_secrets(emu, sandbox, clients):
    emu.entra.token_style = "opaque"
    env = secret_env(emu, sandbox, TF_BUILD="True")
    result = sandbox.run(login_args(sandbox, "--write", "azure-pipelines", "--clients", "pip,twine"), env)
    assert result.code == 0, result
    (token,) = emu.entra.issued

    masks = [azure_unescape(line[len(SETSECRET):]) for line in result.stderr.splitlines()
             if line.startswith(SETSECRET)]
    basic = base64.b64encode(f"{USERNAME}:{token}".encode()).decode()
    assert {token, quote_all(token), basic} <= set(masks)
    assert "::add-mask::" not in result.stderr

    variables = {}
    for line in result.stdout.splitlines():
        m = re.fullmatch(r"##vso\[task\.setvariable variable=([A-Z_]+)(;issecret=true)?\](.*)", line)
        assert m, line
        variables[m.group(1)] = (bool(m.group(2)), azure_unescape(m.group(3)))
    assert variables == {
        "PIP_INDEX_URL": (True, sandbox.expected_pip_index_url(token)),
        "TWINE_REPOSITORY_URL": (False, sandbox.upload_url()),
        "TWINE_USERNAME": (False, USERNAME),
        "TWINE_PASSWORD": (True, token),
    }
    # the reminder to map secret variables, with the mapping to paste
    assert "env:" in result.stderr
    assert "PIP_INDEX_URL: $(PIP_INDEX_URL)" in result.stderr
    assert "TWINE_USERNAME: $(TWINE_USERNAME)" not in result.stderr
    # a later step that maps PIP_INDEX_URL installs with it
    proc, target = clients.pip_install({"PIP_INDEX_URL": variables["PIP_INDEX_URL"][1]})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_azure_pipelines_output_is_refused_elsewhere(emu, sandbox):
    result = sandbox.run(login_args(sandbox, "--write", "azure-pipelines"), secret_env(emu, sandbox))
    assert result.code == 2, result
    assert "TF_BUILD" in result.stderr and emu.requests() == []


def test_gitlab_env_file_is_sourced_within_the_job(emu, sandbox, clients):
    emu.entra.token_style = "opaque"
    env = secret_env(emu, sandbox, GITLAB_CI="true", CI_JOB_ID="4242", TMPDIR=str(sandbox.work),
                     CI_PROJECT_DIR=str(sandbox.root / "project"))
    result = sandbox.run(login_args(sandbox, "--write", "gitlab-env", "--clients", "pip,uv"), env)
    assert result.code == 0, result
    (token,) = emu.entra.issued
    path = sandbox.work / "indexkey-4242.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # GitLab cannot mask values made in a job: nothing is printed but the report
    assert result.stdout == ""
    assert "::add-mask::" not in result.stderr and SETSECRET not in result.stderr
    assert f". {path}" in result.stderr
    target = clients.target()
    proc = clients.run(["sh", "-c", '. "$F" && [ "$UV_INDEX_FEED_PASSWORD" = "$T" ] && '
                        'exec uv pip install --no-cache --target "$TARGET" mypkg'],
                       {"F": str(path), "T": token, "TARGET": str(target)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg").is_dir()


def test_gitlab_dotenv_report_is_refused_with_the_reason(emu, sandbox):
    env = secret_env(emu, sandbox, GITLAB_CI="true")
    result = sandbox.run(login_args(sandbox, "--write", "gitlab-dotenv"), env)
    assert result.code == 2, result
    assert "dotenv" in result.stderr and "not masked" in result.stderr and "gitlab-env" in result.stderr
    assert emu.requests() == []
    # with --json the refusal is machine-readable too
    result = sandbox.run(login_args(sandbox, "--write", "gitlab-dotenv", "--json"), env)
    report = json.loads(result.stdout)
    assert result.code == report["exit_code"] == 2 and "dotenv" in report["error"]


def test_json_report(emu, sandbox):
    result = sandbox.run(login_args(sandbox, "--write", "pypirc", "--json"), sandbox.github_runner_env())
    assert result.code == 0, result
    report = json.loads(result.stdout)
    (index,) = report["indexes"]
    expires_in = index.pop("expires_in")
    assert 3590 <= expires_in <= 3599
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", index.pop("expires_at"))
    assert index == {"name": "feed", "url": sandbox.index_url(), "upload_url": sandbox.upload_url(),
                     "registry": "azure-artifacts", "registry_name": "Azure Artifacts",
                     "status": "ok", "username": USERNAME}
    assert report["outputs"] == [{"sink": "pypirc", "destination": str(sandbox.home / ".pypirc"),
                                  "wrote": ["[feed]"]}]
    assert report["exit_code"] == 0 and report["dry_run"] is False
    assert "password" not in result.stdout


def test_json_report_with_secrets(emu, sandbox):
    emu.entra.token_style = "opaque"
    result = sandbox.run(login_args(sandbox, "--json", "--show-secrets", "--write", "github-env",
                                    "--clients", "pip"), sandbox.github_runner_env())
    assert result.code == 0, result
    token = emu.entra.issued[-1]
    assert json.loads(result.stdout)["indexes"][0]["password"] == token
    # the JSON-escaped form was masked too, before the report was printed
    masks = [line[len("::add-mask::"):].replace("%25", "%") for line in result.stderr.splitlines()
             if line.startswith("::add-mask::")]
    assert token in masks and json.dumps(token)[1:-1] in masks


def test_extra_warns_about_dependency_confusion(emu, sandbox):
    result = sandbox.run(login_args(sandbox, "--write", "github-env", "--extra", "--clients", "pip,uv"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    values = sandbox.github_env_values()
    assert "PIP_INDEX_URL" not in values and "UV_DEFAULT_INDEX" not in values
    assert values["PIP_EXTRA_INDEX_URL"] == sandbox.expected_pip_index_url(token)
    assert values["UV_INDEX"] == f"feed={sandbox.index_url()}"
    assert "warning:" in result.stderr and "dependency confusion" in result.stderr
