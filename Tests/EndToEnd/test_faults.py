"""How indexkey copes with a failing Entra token endpoint."""

from __future__ import annotations

import json
import re

import pytest

from emulator import faults
from harness import TENANT, index_accepts, login_args

ENDPOINT = f"/{TENANT}/oauth2/v2.0/token"


@pytest.mark.parametrize("fault", [
    faults.status(503), faults.status(500), faults.status(429, retry_after=1), faults.truncated(),
], ids=["503", "500", "429-retry-after", "truncated"])
def test_transient_failure_is_retried(emu, sandbox, fault):
    emu.inject("entra", ENDPOINT, fault)
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 0, result
    first, second = emu.requests("entra")
    assert first.fault == fault.kind and second.fault is None and second.status == 200
    if fault.retry_after:
        assert second.start - first.end >= fault.retry_after - 0.05, "Retry-After not honoured"
    (token,) = emu.entra.issued
    pip_url = sandbox.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == sandbox.expected_pip_index_url(token)
    assert index_accepts(pip_url)


def test_persistent_503_gives_up(emu, sandbox):
    emu.inject("entra", ENDPOINT, faults.status(503, times=None))
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 5, result
    assert "503" in result.stderr
    assert 2 <= len(emu.requests("entra")) <= 10
    assert result.duration < 20
    assert sandbox.github_env.read_bytes() == b""


def test_timeout(emu, sandbox):
    emu.inject("entra", ENDPOINT, faults.slow(30, times=None))
    result = sandbox.run(login_args(sandbox, "--timeout", "1"), sandbox.github_runner_env())
    assert result.code == 5, result
    assert re.search(r"time[sd]?[ -]?out", result.stderr, re.I), result.stderr
    assert result.duration < 10
    first = emu.requests("entra")[0]
    assert first.end is not None and first.end - first.start < 2.5, \
        "the client should hang up about 1 s into an attempt"
    assert sandbox.github_env.read_bytes() == b""


def test_invalid_json(emu, sandbox):
    emu.inject("entra", ENDPOINT, faults.invalid_json(times=None))
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 5, result
    assert "json" in result.stderr.lower()
    assert sandbox.github_env.read_bytes() == b""


@pytest.mark.parametrize("refusal", ["unknown-client", "wrong-subject"])
def test_refusals_are_not_retried(emu, sandbox, refusal):
    env = sandbox.github_runner_env()
    if refusal == "unknown-client":
        env["AZURE_CLIENT_ID"] = "11111111-2222-4333-8444-555555555555"
        code = "AADSTS700016"
    else:
        emu.github.claims["sub"] = "repo:octo-org/app:pull_request"
        code = "AADSTS700213"
    result = sandbox.run(login_args(sandbox), env)
    assert result.code == 4, result
    assert code in result.stderr
    (request,) = emu.requests("entra")
    assert request.status in (400, 401)


def test_one_connection_per_host(emu, sandbox):
    emu.inject("entra", ENDPOINT, faults.status(503))
    result = sandbox.run(login_args(sandbox), sandbox.github_runner_env())
    assert result.code == 0, result
    assert len(emu.requests("entra")) == 2
    assert emu.connections("entra") == 1, "the retry should reuse the kept-alive connection"


@pytest.mark.parametrize("expires_in", [9223372036854775807])
def test_an_absurd_expiry_is_clamped_not_crashed_on(emu, sandbox, expires_in):
    """An expiry no real token has used to trap the process after the outputs were
    written, and Swift's crash report printed memory on stderr."""
    emu.entra.expires_in = expires_in
    result = sandbox.run(login_args(sandbox, "--json"), sandbox.github_runner_env())
    assert result.code == 0, result
    assert "Fatal error" not in result.stderr and "Crash" not in result.stderr, result
    (token,) = emu.entra.issued
    report = json.loads(result.stdout)
    (index,) = report["indexes"]
    assert index["expires_in"] is None or 0 <= index["expires_in"] <= 100 * 365 * 86400
    assert index_accepts(sandbox.github_env_values()["PIP_INDEX_URL"])
