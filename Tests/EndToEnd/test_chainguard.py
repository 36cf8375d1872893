"""Chainguard Libraries: CI token → Chainguard STS → `_token` credential → pip install."""

from __future__ import annotations

import urllib.parse

import pytest

from emulator.jwt import parse
from registry_harness import counts, rsandbox  # noqa: F401 (fixture)

IDENTITY = "0123abcd4567ef89/0a1b2c3d4e5f6a7b"
SUBJECT = "repo:octo-org/app:ref:refs/heads/main"


def index_url(emu) -> str:
    return f"{emu.index.url}/python/simple/"


def args(emu, *extra: str) -> list[str]:
    return ["login", index_url(emu), "--registry", "chainguard",
            "--chainguard-issuer", emu.chainguard.url, *extra]


def trust(emu, **kw):
    return emu.chainguard.add_identity(IDENTITY, emu.github.claims["iss"],
                                       kw.pop("subject", SUBJECT), **kw)


def test_exchange_then_pip_install(emu, rsandbox):
    trust(emu)
    env = rsandbox.github_runner_env(CHAINGUARD_IDENTITY=IDENTITY)
    result = rsandbox.run(args(emu, "--write", "github-env"), env)
    assert result.code == 0, result
    (issued,) = emu.chainguard.issued

    (oidc,) = emu.requests("github")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)["audience"] == \
        ["issuer.enforce.dev"]
    (exchange,) = emu.requests("chainguard")
    assert exchange.method == "POST"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(exchange.path).query) == \
        {"aud": ["libraries.cgr.dev"], "identity": [IDENTITY]}
    assert exchange.headers["Authorization"] == f"Bearer {emu.github.issued[0]}"
    assert counts(emu, "chainguard") == (1, 1)
    assert parse(issued).claims["aud"] == "libraries.cgr.dev"

    pip_url = rsandbox.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == index_url(emu).replace("http://", f"http://_token:{issued}@", 1)
    assert "user _token until" in result.stderr
    proc, target = rsandbox.pip_install(pip_url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()
    assert {r.note.get("username") for r in emu.requests("index")} == {"_token"}


def test_pull_token_from_the_environment(emu, rsandbox):
    user = "0123abcd4567ef89/feedfacecafe0001"
    token = emu.chainguard.add_pull_token(user)
    env = {"CHAINGUARD_PYTHON_IDENTITY_ID": user, "CHAINGUARD_PYTHON_TOKEN": token}
    result = rsandbox.run(args(emu, "--write", "shell"), env)
    assert result.code == 0, result
    assert emu.requests("github") == [] and emu.requests("chainguard") == []
    assert "0123abcd4567ef89%2Ffeedfacecafe0001:" in result.stdout
    # pip's secure-origin check re-parses the URL with the username decoded, so the
    # '/' in it makes pip take "0123abcd4567ef89" for the host of this plain-http index;
    # on https (the real index) that check passes whatever the host.
    rsandbox.client_extra = {"PIP_TRUSTED_HOST": user.split("/")[0]}
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_token_audience_can_be_changed(emu, rsandbox):
    trust(emu, audience="cgr.dev")
    env = rsandbox.github_runner_env(CHAINGUARD_IDENTITY=IDENTITY)
    refused = rsandbox.run(args(emu, "--write", "github-env"), env)
    assert refused.code == 4, refused
    assert "--chainguard-oidc-audience" in refused.stderr
    assert "aud 'issuer.enforce.dev'" in refused.stderr
    worked = rsandbox.run(args(emu, "--write", "github-env", "--chainguard-oidc-audience", "cgr.dev"), env)
    assert worked.code == 0, worked


@pytest.mark.parametrize("setup, status, expected", [
    (dict(subject="repo:octo-org/app:environment:release"), 401,
     ["token subject 'repo:octo-org/app:ref:refs/heads/main' does not match the identity",
      f"must match '{SUBJECT}'", "chainctl iam identities create"]),
    (dict(entitled=False), 403, ["role that may pull Python libraries", "entitled"]),
    (None, 404, [f"No assumable identity '{IDENTITY}'", "chainctl iam identities list"]),
])
def test_refusals_explain_themselves(emu, rsandbox, setup, status, expected):
    if setup is not None:
        trust(emu, **setup)
    result = rsandbox.run(args(emu, "--write", "github-env"),
                          rsandbox.github_runner_env(CHAINGUARD_IDENTITY=IDENTITY))
    assert result.code == 4, result
    assert f"HTTP {status}" in result.stderr
    for text in expected:
        assert text in result.stderr, result
    assert emu.chainguard.issued == []
    assert rsandbox.github_env.read_bytes() == b""


def test_sts_outage_is_exit_5(emu, rsandbox):
    from emulator import faults
    trust(emu)
    emu.inject("chainguard", "/sts/", faults.status(503, times=None))
    result = rsandbox.run(args(emu), rsandbox.github_runner_env(CHAINGUARD_IDENTITY=IDENTITY))
    assert result.code == 5, result
    assert "try again later" in result.stderr


def test_missing_identity_is_a_usage_error(emu, rsandbox):
    result = rsandbox.run(args(emu), rsandbox.github_runner_env())
    assert result.code == 2, result
    assert "CHAINGUARD_IDENTITY" in result.stderr and "CHAINGUARD_PYTHON_TOKEN" in result.stderr
    assert emu.requests() == []


def test_doctor_describes_the_exchange_without_doing_it(emu, rsandbox):
    env = rsandbox.github_runner_env(CHAINGUARD_IDENTITY=IDENTITY)
    result = rsandbox.run(["doctor", index_url(emu), "--registry", "chainguard",
                           "--chainguard-issuer", emu.chainguard.url, "--offline"], env)
    assert result.code == 0, result
    assert f"POST {emu.chainguard.url}/sts/exchange?aud=libraries.cgr.dev&identity={IDENTITY}" in result.stdout
    assert "audience 'issuer.enforce.dev'" in result.stdout and "username  _token" in result.stdout
    assert emu.requests() == []
