"""The command line itself: version, help, and refusals before any network use."""

from __future__ import annotations

import os

import pytest

from harness import login_args


def test_version(sandbox):
    result = sandbox.run(["--version"])
    assert result.code == 0, result
    assert result.stdout.strip()


def test_help(sandbox):
    result = sandbox.run(["--help"])
    assert result.code == 0, result
    assert "login" in result.stdout


def test_login_without_url_is_a_usage_error(emu, sandbox):
    result = sandbox.run(["login"], sandbox.github_runner_env())
    assert result.code == 2, result
    assert emu.requests() == []


def test_unknown_sink(emu, sandbox):
    result = sandbox.run(login_args(sandbox, "--write", "github-env,carrier-pigeon"),
                         sandbox.github_runner_env())
    assert result.code == 2, result
    assert "carrier-pigeon" in result.stderr
    assert emu.requests() == []


@pytest.mark.parametrize("how", ["flag", "env"])
def test_plain_http_authority_is_refused_off_loopback(emu, sandbox, how):
    env = sandbox.github_runner_env()
    args = login_args(sandbox)
    if how == "flag":
        args += ["--azure-authority-host", "http://login.example.com"]
    else:
        env["AZURE_AUTHORITY_HOST"] = "http://login.example.com"
    result = sandbox.run(args, env)
    assert result.code == 2, result
    assert "login.example.com" in result.stderr
    assert emu.requests() == []


@pytest.mark.parametrize("host", ["127.attacker.example", "127.0.0.1.attacker.example", "localhost.attacker.example"])
def test_a_name_that_merely_starts_like_loopback_is_not_loopback(emu, sandbox, host):
    env = {**sandbox.github_runner_env(), "AZURE_AUTHORITY_HOST": f"http://{host}",
           "AZURE_CLIENT_SECRET": "canary-client-secret-" + os.urandom(6).hex()}
    result = sandbox.run(login_args(sandbox), env)
    assert result.code == 2 and f"'http://{host}/' is not https" in result.stderr, result
    result = sandbox.run(["login", f"http://{host}/simple/", "--registry", "basic", "--write", "pypirc"],
                         {"INDEXKEY_USERNAME": "u", "INDEXKEY_PASSWORD": "canary-pw-" + os.urandom(6).hex()})
    assert result.code == 2 and "is not https" in result.stderr, result
    assert not (sandbox.home / ".pypirc").exists()
    assert emu.requests() == []


def test_plain_http_index_is_refused_off_loopback(emu, sandbox):
    url = "http://pkgs.example.com/org/proj/_packaging/feed/pypi/simple/"
    result = sandbox.run(login_args(sandbox, url=url), sandbox.github_runner_env())
    assert result.code == 2, result
    assert emu.requests() == []


def test_libcurl_is_loaded_only_when_needed_and_a_broken_one_is_named(emu, sandbox, tmp_path):
    """libcurl.so.4 is opened on first use: --version runs without it, and a login that
    cannot load it fails in one line that says what to install."""
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libcurl.so.4").write_bytes(b"")
    result = sandbox.run(["--version"], {"LD_LIBRARY_PATH": str(broken)})
    assert result.code == 0, result
    result = sandbox.run(login_args(sandbox, "--write", "shell"),
                         {**sandbox.github_runner_env(), "LD_LIBRARY_PATH": str(broken)})
    assert result.code == 7, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "libcurl could not be loaded" in lines[0], result
    assert "install it (libcurl4 on Debian and Ubuntu, libcurl on Fedora and RHEL)" in lines[0]
    assert emu.requests() == []
