"""indexkey in a simulated GitHub Actions job: OIDC → Entra → Azure Artifacts feed,
then real pip and twine with what it wrote."""

from __future__ import annotations

import configparser
import stat
import urllib.parse

from emulator.jwt import parse
from harness import (CLIENT_ID, EXCHANGE_AUDIENCE, TENANT, USERNAME, export_value,
                     index_accepts, login_args, masked_values, quote_all)

DEFAULT_SUBJECT = "repo:octo-org/app:ref:refs/heads/main"
ISSUER = "https://token.actions.githubusercontent.com"


def trust_only(emu, subject):
    emu.trust_github(TENANT, CLIENT_ID, subject=subject)


def test_runner_to_pip_install_and_twine_upload(emu, sandbox, dist):
    result = sandbox.run(login_args(sandbox, "--write", "github-env,pypirc"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued

    # one OIDC token, asked for with the runner's query kept and Entra's audience added
    (oidc,) = emu.requests("github")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)
    assert query == {"api-version": ["2.0"], "audience": [EXCHANGE_AUDIENCE]}
    (grant,) = emu.entra.grants
    assert grant["method"] == "client_assertion"
    assert grant["assertion_claims"]["sub"] == DEFAULT_SUBJECT

    values = sandbox.github_env_values()
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(token)
    masks = masked_values(result.stderr)
    assert token in masks and quote_all(token) in masks

    proc, target = sandbox.pip_install(values["PIP_INDEX_URL"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").read_text() == '__version__ = "1.0.0"\n'

    pypirc = sandbox.home / ".pypirc"
    proc = sandbox.twine_upload("feed", pypirc, [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = [r for r in emu.requests("index") if r.method == "POST"]
    assert upload.path == "/org/proj/_packaging/feed/pypi/upload/"
    assert upload.note["auth"] == "accepted"


def test_pypirc_written_for_the_feed(emu, sandbox):
    result = sandbox.run(login_args(sandbox, "--write", "pypirc"), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    pypirc = sandbox.home / ".pypirc"
    assert stat.S_IMODE(pypirc.stat().st_mode) == 0o600
    config = configparser.RawConfigParser()
    config.read(pypirc, encoding="utf-8")
    assert "feed" in config.get("distutils", "index-servers").split()
    assert dict(config["feed"]) == {"repository": sandbox.upload_url(), "username": USERNAME,
                                    "password": token}
    assert sandbox.github_env.read_bytes() == b""  # only the sink that was asked for


def test_github_env_is_the_default_sink_in_actions(emu, sandbox):
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert sandbox.github_env_values() == {
        "PIP_INDEX_URL": sandbox.expected_pip_index_url(token)}
    assert not (sandbox.home / ".pypirc").exists()
    assert token not in result.stdout


def test_github_env_content_is_appended_not_replaced(emu, sandbox):
    prior = ("EARLIER=from another command\n"
             "NOTES<<ghadelimiter_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n"
             "line one\nline two\n"
             "ghadelimiter_0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n")
    sandbox.github_env.write_text(prior)
    result = sandbox.run(login_args(sandbox, "--write", "github-env"), sandbox.github_runner_env())
    assert result.code == 0, result
    text = sandbox.github_env.read_text()
    assert text.startswith(prior) and text.endswith("\n")
    values = sandbox.github_env_values()
    assert values["EARLIER"] == "from another command"
    assert values["NOTES"] == "line one\nline two"
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(emu.entra.issued[0])


def test_org_scoped_feed(emu, sandbox):
    url = sandbox.index_url(project=None)
    result = sandbox.run(login_args(sandbox, "--write", "github-env,pypirc", url=url),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    pip_url = sandbox.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == sandbox.expected_pip_index_url(token, project=None)
    assert index_accepts(pip_url)
    config = configparser.RawConfigParser()
    config.read(sandbox.home / ".pypirc")
    assert config["feed"]["repository"] == sandbox.upload_url(project=None)


def test_token_that_needs_quoting_survives_every_sink(emu, sandbox, dist):
    """Entra's tokens are JWTs, but the sinks must not depend on that: a token with
    % / + = : @ ' ! $ & must reach pip (URL), twine (.pypirc) and sh (export) intact."""
    emu.entra.token_style = "opaque"
    result = sandbox.run(login_args(sandbox, "--write", "github-env,pypirc,shell"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert quote_all(token) != token
    values = sandbox.github_env_values()
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(token)
    assert {token, quote_all(token)} <= set(masked_values(result.stderr))
    assert export_value(result.stdout, "PIP_INDEX_URL") == values["PIP_INDEX_URL"]
    proc, target = sandbox.pip_install(values["PIP_INDEX_URL"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = sandbox.twine_upload("feed", sandbox.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dry_run_writes_nothing(emu, sandbox):
    sandbox.github_env.write_text("EARLIER=1\n")
    result = sandbox.run(login_args(sandbox, "--write", "github-env,pypirc", "--dry-run"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    assert sandbox.github_env.read_text() == "EARLIER=1\n"
    assert sorted(p.name for p in sandbox.home.iterdir()) == []
    shown = result.stdout + result.stderr
    assert "***" in shown
    assert "PIP_INDEX_URL" in shown and ".pypirc" in shown


def test_missing_github_token_variables(emu, sandbox):
    env = sandbox.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_URL=None,
                                    ACTIONS_ID_TOKEN_REQUEST_TOKEN=None)
    result = sandbox.run(login_args(sandbox), env)
    assert result.code == 3, result
    assert "id-token: write" in result.stderr
    assert "fork" in result.stderr.lower()
    assert emu.requests() == []
    assert sandbox.github_env.read_bytes() == b""


def test_missing_request_token_only(emu, sandbox):
    result = sandbox.run(login_args(sandbox),
                         sandbox.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_TOKEN=None))
    assert result.code == 3, result
    assert "id-token: write" in result.stderr
    assert emu.requests() == []


def test_wrong_subject_is_explained(emu, sandbox):
    trust_only(emu, "repo:octo-org/app:environment:prod")
    result = sandbox.run(login_args(sandbox, "--write", "github-env,pypirc"),
                         sandbox.github_runner_env())
    assert result.code == 4, result
    for needle in ("AADSTS700213", DEFAULT_SUBJECT, ISSUER, "subject"):
        assert needle in result.stderr, needle
    assert len(emu.requests("entra")) == 1  # a refusal is not retried
    assert sandbox.github_env.read_bytes() == b""
    assert not (sandbox.home / ".pypirc").exists()


def test_subject_differing_only_in_case(emu, sandbox):
    trust_only(emu, "repo:Octo-Org/App:ref:refs/heads/main")
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 4, result
    assert "AADSTS7002138" in result.stderr
    assert DEFAULT_SUBJECT in result.stderr
    assert len(emu.requests("entra")) == 1


def test_environment_job_subject(emu, sandbox):
    subject = "repo:octo-org/app:environment:prod"
    emu.github.claims.update(sub=subject, environment="prod")
    trust_only(emu, subject)
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 0, result
    assert parse(emu.github.issued[0]).claims["environment"] == "prod"
    assert index_accepts(sandbox.github_env_values()["PIP_INDEX_URL"])
