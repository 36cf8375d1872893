"""JFrog Artifactory: CI token → Access OIDC exchange → pip install and twine upload."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from registry_harness import counts, jfrog_exchange, rsandbox  # noqa: F401 (fixture)

PROVIDER = "github-oidc"
AUDIENCE = "jfrog-github"
ISSUER = "https://token.actions.githubusercontent.com"


def simple_url(emu) -> str:
    return emu.jfrog.repository_url + "/simple"


def args(emu, *extra: str) -> list[str]:
    return ["login", simple_url(emu), "--jfrog-oidc-provider", PROVIDER,
            "--jfrog-oidc-audience", AUDIENCE, *extra]


def integrate(emu, audience=AUDIENCE, mappings=None):
    emu.jfrog.add_integration(PROVIDER, ISSUER, audience,
                              mappings or [({"repository": "octo-org/app"}, "ci-bot")])


def test_exchange_then_pip_install_and_twine_upload(emu, rsandbox, dist):
    integrate(emu)
    result = rsandbox.run(args(emu, "--write", "github-env,pypirc"), rsandbox.github_runner_env())
    assert result.code == 0, result
    (access,) = emu.jfrog.issued

    (oidc,) = emu.requests("github")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)["audience"] == [AUDIENCE]
    (exchange,) = emu.requests("jfrog")
    assert exchange.path == "/access/api/v1/oidc/token"  # found from the index URL's host
    body = json.loads(exchange.body)
    assert body["provider_name"] == PROVIDER and body["subject_token"] == emu.github.issued[0]
    assert counts(emu, "jfrog") == (1, 1)

    pip_url = rsandbox.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == simple_url(emu).replace("http://", f"http://ci-bot:{access}@", 1) + "/"
    proc, target = rsandbox.pip_install(pip_url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()

    section = rsandbox.pypirc()["pypi-local"]
    assert dict(section) == {"repository": emu.jfrog.repository_url, "username": "ci-bot",
                             "password": access}
    proc = rsandbox.twine_upload("pypi-local", rsandbox.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()


def test_username_from_the_token_subject(emu, rsandbox):
    integrate(emu)
    emu.jfrog.include_username = False
    result = rsandbox.run(args(emu, "--write", "github-env"), rsandbox.github_runner_env())
    assert result.code == 0, result
    assert "for user ci-bot" in result.stderr
    proc, _ = rsandbox.pip_install(rsandbox.github_env_values()["PIP_INDEX_URL"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_static_access_token(emu, rsandbox):
    integrate(emu)
    token = jfrog_exchange(emu, PROVIDER, AUDIENCE)
    emu.log.clear()
    result = rsandbox.run(["login", simple_url(emu), "--write", "shell"],
                          {"JF_ACCESS_TOKEN": token, "JF_URL": emu.jfrog.url})
    assert result.code == 0, result
    assert emu.requests("jfrog") == []
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_static_access_token_goes_only_to_its_platform(emu, rsandbox):
    integrate(emu)
    token = jfrog_exchange(emu, PROVIDER, AUDIENCE)
    emu.log.clear()
    evil = "https://evil.example/artifactory/api/pypi/x/simple/"
    result = rsandbox.run(["token", evil], {"JF_ACCESS_TOKEN": token, "JF_URL": emu.jfrog.url})
    assert result.code == 2 and result.stdout == "", result
    assert "to evil.example: it is for 127.0.0.1 (from JF_URL or --jfrog-url)" in result.stderr, result
    result = rsandbox.run(["login", simple_url(emu), "--write", "shell"], {"JF_ACCESS_TOKEN": token})
    assert result.code == 2 and result.stdout == "", result
    assert "set JF_URL (or pass --jfrog-url)" in result.stderr, result
    assert emu.requests() == []


@pytest.mark.parametrize("setup, extra, status, expected", [
    ("none", [], 404, ["'github-oidc' was not found", "no OIDC integration named 'github-oidc'",
                       "--jfrog-oidc-provider"]),
    ("audience", [], 401, ["Failed to validate the token", "must equal the token's aud 'jfrog-github'",
                           "--jfrog-oidc-audience"]),
    ("mapping", [], 401, ["No identity mapping matched", "No identity mapping of 'github-oidc'",
                          "sub 'repo:octo-org/app:ref:refs/heads/main'"]),
])
def test_refusals_explain_themselves(emu, rsandbox, setup, extra, status, expected):
    if setup == "audience":
        integrate(emu, audience="https://github.com/octo-org")
    elif setup == "mapping":
        integrate(emu, mappings=[({"repository": "octo-org/other"}, "ci-bot")])
    result = rsandbox.run(args(emu, "--write", "github-env", *extra), rsandbox.github_runner_env())
    assert result.code == 4, result
    assert f"HTTP {status}" in result.stderr
    for text in expected:
        assert text in result.stderr, result
    assert emu.jfrog.issued == []
    assert rsandbox.github_env.read_bytes() == b""


def test_no_provider_and_no_token_is_a_usage_error(emu, rsandbox):
    result = rsandbox.run(["login", simple_url(emu)], rsandbox.github_runner_env())
    assert result.code == 2, result
    assert "--jfrog-oidc-provider" in result.stderr and "JF_ACCESS_TOKEN" in result.stderr
