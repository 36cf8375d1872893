"""`indexkey token URL`: the password alone on stdout, masked first in CI."""

from __future__ import annotations

from harness import CLIENT_ID, TENANT, login_args, masked_values


def token_args(sandbox, *extra):
    args = login_args(sandbox, *extra)
    assert args[0] == "login"
    return ["token", *args[1:]]


def test_prints_only_the_password_after_masking_it(emu, sandbox):
    result = sandbox.run(token_args(sandbox), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert result.stdout == token + "\n"
    assert token in masked_values(result.stderr)
    # nothing written to GITHUB_ENV: token replaces the default output
    assert sandbox.github_env_values() == {}


def test_refusal_keeps_stdout_empty(emu, sandbox):
    emu.trust_github(TENANT, CLIENT_ID, subject="repo:someone-else/app:ref:refs/heads/main")
    env = sandbox.github_runner_env()
    result = sandbox.run(token_args(sandbox), env)
    assert result.code == 4, result
    assert result.stdout == ""


def test_needs_exactly_one_url_and_no_outputs(emu, sandbox):
    env = sandbox.github_runner_env()
    args = token_args(sandbox)
    result = sandbox.run(args + [args[1]], env)
    assert result.code == 2, result
    assert "exactly one index URL" in result.stderr
    result = sandbox.run(args + ["--write", "shell"], env)
    assert result.code == 2, result
    assert result.stdout == ""
