"""PyPI trusted publishing: audience → fresh CI token → mint → twine upload."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from emulator import faults
from emulator.jwt import parse
from registry_harness import counts, rsandbox, write_event  # noqa: F401 (fixture)

REPOSITORY, WORKFLOW = "octo-org/app", "ci.yml"  # what the emulated GitHub's tokens say


def args(emu, *extra: str) -> list[str]:
    return ["login", emu.pypi.upload_url, "--registry", "pypi", *extra]


def test_mint_then_twine_upload(emu, rsandbox, dist):
    emu.pypi.add_publisher(REPOSITORY, WORKFLOW)
    result = rsandbox.run(args(emu, "--write", "pypirc"), rsandbox.github_runner_env())
    assert result.code == 0, result
    (minted,) = emu.pypi.minted

    # 1 audience + 1 mint on one connection; one CI token, for PyPI's audience
    audience, mint = emu.requests("pypi")
    assert (audience.method, audience.path) == ("GET", "/_/oidc/audience")
    assert (mint.method, mint.path) == ("POST", "/_/oidc/mint-token")
    assert counts(emu, "pypi") == (2, 1)
    (oidc,) = emu.requests("github")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)["audience"] == ["pypi"]
    assert emu.pypi.mints[0]["claims"]["jti"] == parse(emu.github.issued[0]).claims["jti"]

    section = rsandbox.pypirc()["pypi"]
    assert dict(section) == {"repository": emu.pypi.upload_url, "username": "__token__",
                             "password": minted}
    assert "pypi" in rsandbox.pypirc()["distutils"]["index-servers"].split()
    proc = rsandbox.twine_upload("pypi", rsandbox.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = [r for r in emu.requests("pypi") if r.path.startswith("/legacy")]
    assert upload.note["auth"] == "accepted"


def test_the_upload_token_is_not_given_to_installers(emu, rsandbox):
    emu.pypi.add_publisher(REPOSITORY, WORKFLOW)
    result = rsandbox.run(args(emu, "--write", "shell,github-env"), rsandbox.github_runner_env())
    assert result.code == 0, result
    (minted,) = emu.pypi.minted
    # only upload settings get it (the leak check allows it in password variables only)
    values = rsandbox.github_env_values()
    installers = ("PIP_", "UV_INDEX", "UV_DEFAULT_INDEX", "PDM_PYPI_", "POETRY_HTTP_BASIC_")
    assert not [name for name in values if name.startswith(installers)]
    assert "PIP_INDEX_URL" not in result.stdout
    assert values["TWINE_REPOSITORY_URL"] == emu.pypi.upload_url and values["TWINE_PASSWORD"] == minted
    assert values["POETRY_PYPI_TOKEN_PYPI"] == minted
    assert f"({emu.pypi.upload_url})" in result.stderr


def test_a_token_is_never_presented_twice(emu, rsandbox):
    """A fixed token (from a file) mints once; PyPI refuses it the second time."""
    emu.pypi.add_publisher(REPOSITORY, WORKFLOW)
    path = rsandbox.write_input("oidc.jwt", emu.github.mint("pypi"))
    first = rsandbox.run(args(emu, "--identity", f"file:{path}", "--write", "pypirc"))
    assert first.code == 0, first
    second = rsandbox.run(args(emu, "--identity", f"file:{path}", "--write", "pypirc"))
    assert second.code == 4, second
    assert "invalid-reuse-token (invalid token: already used)" in second.stderr
    assert "accepts each token once" in second.stderr and f"This token came from the token file {path}" in second.stderr
    assert len(emu.pypi.minted) == 1


def test_a_failed_mint_is_retried_with_a_new_token(emu, rsandbox):
    emu.pypi.add_publisher(REPOSITORY, WORKFLOW)
    emu.inject("pypi", "/_/oidc/mint-token", faults.status(503))
    result = rsandbox.run(args(emu, "--write", "pypirc"), rsandbox.github_runner_env())
    assert result.code == 0, result
    mints = [r for r in emu.requests("pypi") if r.path == "/_/oidc/mint-token"]
    assert len(mints) == 2 and mints[0].fault == "status"
    presented = [r.body for r in mints]
    assert presented[0] != presented[1]
    assert len(emu.github.issued) == 2
    assert len({parse(t).claims["jti"] for t in emu.github.issued}) == 2


@pytest.mark.parametrize("case, expected", [
    ("no-publisher", ["invalid-publisher", "Owner 'octo-org', Repository name 'app', Workflow name 'ci.yml' and no Environment name",
                      "repository_owner_id '9919'", "environment MISSING"]),
    ("environment", ["invalid-publisher", "matches only jobs that declare `environment:`"]),
    ("pending", ["invalid-pending-publisher", "already exists"]),
    ("not-yet-valid", ["invalid-token", "failed verification"]),
    ("issuer", ["invalid-payload", "unknown trusted publishing issuer",
                "this token's issuer is 'https://ci.example.com'"]),
])
def test_refusals_render_claims_and_a_fix(emu, rsandbox, case, expected):
    env = rsandbox.github_runner_env()
    extra: list[str] = []
    if case == "environment":
        emu.pypi.add_publisher(REPOSITORY, WORKFLOW, environment="release")
    elif case == "pending":
        emu.pypi.add_publisher(REPOSITORY, WORKFLOW, pending_project="uploadpkg")
        emu.pypi.projects.add("uploadpkg")
    elif case in ("not-yet-valid", "issuer"):
        emu.pypi.add_publisher(REPOSITORY, WORKFLOW)
        token = (emu.github.mint("pypi", issued_at=time.time() + 900) if case == "not-yet-valid"
                 else emu.github.mint("pypi", iss="https://ci.example.com"))
        extra = ["--identity", f"file:{rsandbox.write_input('oidc.jwt', token)}"]
    result = rsandbox.run(args(emu, "--write", "pypirc", *extra), env)
    assert result.code == 4, result
    assert f"{emu.pypi.url.split('//')[1]} refused to mint an upload token: " in result.stderr
    for text in expected:
        assert text in result.stderr, result
    assert emu.pypi.minted == []
    assert not (rsandbox.home / ".pypirc").exists()


def test_trusted_publishing_turned_off(emu, rsandbox):
    emu.pypi.enabled = False
    result = rsandbox.run(args(emu, "--write", "pypirc"), rsandbox.github_runner_env())
    assert result.code == 4, result
    assert "turned off right now (Trusted publishing functionality not enabled)" in result.stderr
    assert emu.requests("github") == []


@pytest.mark.parametrize("fork", [True, False])
def test_fork_pull_requests_get_their_own_message(emu, rsandbox, fork):
    event = write_event(rsandbox, fork)
    env = rsandbox.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_URL=None,
                                     ACTIONS_ID_TOKEN_REQUEST_TOKEN=None,
                                     GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(event))
    result = rsandbox.run(args(emu, "--write", "pypirc"), env)
    assert result.code == 3, result
    assert ("pull request from a fork" in result.stderr) == fork
    assert ("id-token: write" in result.stderr)
    assert [r.path for r in emu.requests("pypi")] == ["/_/oidc/audience"]
