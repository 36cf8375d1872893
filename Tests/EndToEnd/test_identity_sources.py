"""Where the identity comes from: a client secret, a token file, a variable."""

from __future__ import annotations

import secrets

from emulator.jwt import parse
from harness import (CLIENT_ID, EXCHANGE_AUDIENCE, TENANT, export_value, index_accepts,
                     login_args)


def allow_secret(emu):
    secret = "azsecret~" + secrets.token_urlsafe(24)
    emu.trust_github(TENANT, CLIENT_ID, secret=secret)
    return secret


def test_client_secret_needs_no_oidc_token(emu, sandbox):
    secret = allow_secret(emu)
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env(AZURE_CLIENT_SECRET=secret))
    assert result.code == 0, result
    assert emu.requests("github") == []
    (grant,) = emu.entra.grants
    assert grant["method"] == "client_secret"
    pip_url = sandbox.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == sandbox.expected_pip_index_url(grant["token"])
    assert index_accepts(pip_url)


def test_wrong_client_secret(emu, sandbox):
    allow_secret(emu)
    result = sandbox.run(login_args(sandbox),
                         sandbox.github_runner_env(AZURE_CLIENT_SECRET="not-the-secret"))
    assert result.code == 4, result
    assert "AADSTS7000215" in result.stderr
    assert len(emu.requests("entra")) == 1
    assert sandbox.github_env.read_bytes() == b""


def test_identity_file_with_shell_output(emu, sandbox):
    jwt = emu.github.mint(EXCHANGE_AUDIENCE)
    path = sandbox.write_input("oidc-token.jwt", jwt)
    result = sandbox.run(login_args(sandbox, "--identity", f"file:{path}", "--write", "shell"),
                         sandbox.azure_env())
    assert result.code == 0, result
    assert emu.requests("github") == []
    (grant,) = emu.entra.grants
    assert grant["assertion_claims"]["jti"] == parse(jwt).claims["jti"]
    assert export_value(result.stdout, "PIP_INDEX_URL") == \
        sandbox.expected_pip_index_url(grant["token"])
    proc, target = sandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()


def test_identity_variable_with_shell_output(emu, sandbox):
    jwt = emu.github.mint(EXCHANGE_AUDIENCE)
    env = sandbox.azure_env(CI_OIDC_TOKEN=jwt)
    result = sandbox.run(login_args(sandbox, "--identity", "env:CI_OIDC_TOKEN", "--write", "shell"),
                         env)
    assert result.code == 0, result
    (grant,) = emu.entra.grants
    assert grant["assertion_claims"]["jti"] == parse(jwt).claims["jti"]
    proc, target = sandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()


def test_azure_federated_token_file(emu, sandbox):
    jwt = emu.github.mint(EXCHANGE_AUDIENCE)
    path = sandbox.write_input("azure-identity-token", jwt)
    result = sandbox.run(login_args(sandbox, "--write", "shell"),
                         sandbox.azure_env(AZURE_FEDERATED_TOKEN_FILE=str(path)))
    assert result.code == 0, result
    (grant,) = emu.entra.grants
    assert grant["assertion_claims"]["jti"] == parse(jwt).claims["jti"]
    assert index_accepts(export_value(result.stdout, "PIP_INDEX_URL"))


def test_expired_identity_token(emu, sandbox):
    import time
    jwt = emu.github.mint(EXCHANGE_AUDIENCE, issued_at=time.time() - 900)
    path = sandbox.write_input("old-token.jwt", jwt)
    result = sandbox.run(login_args(sandbox, "--identity", f"file:{path}", "--write", "shell"),
                         sandbox.azure_env())
    assert result.code == 3, result
    assert f"the token file {path} (--identity file:) answered an OIDC token that expired 10 min" in result.stderr
    assert result.stdout == "" and emu.requests("entra") == []


def test_missing_identity_file(emu, sandbox):
    missing = sandbox.work / "no-such-token"
    result = sandbox.run(login_args(sandbox, "--identity", f"file:{missing}", "--write", "shell"),
                         sandbox.azure_env())
    assert result.code == 3, result
    assert str(missing) in result.stderr
    assert emu.requests() == []


def test_flags_override_environment(emu, sandbox):
    """--azure-client-id/--azure-tenant-id/--azure-authority-host instead of AZURE_* variables."""
    jwt = emu.github.mint(EXCHANGE_AUDIENCE)
    path = sandbox.write_input("oidc-token.jwt", jwt)
    args = login_args(sandbox, "--identity", f"file:{path}", "--write", "shell",
                      "--azure-client-id", CLIENT_ID, "--azure-tenant-id", TENANT,
                      "--azure-authority-host", emu.entra.url)
    result = sandbox.run(args, {})
    assert result.code == 0, result
    assert index_accepts(export_value(result.stdout, "PIP_INDEX_URL"))
