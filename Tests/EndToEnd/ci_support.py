"""Helpers for the tests of every CI identity source: a sandbox whose leak check
also knows the tokens the other CI issuers minted and their job secrets, and
the environments those CIs give a job."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import pytest

from clouds import GCP_NUMBER, GCP_POOL, GCP_PROVIDER, mixed_cloud_args
from emulator.ci import EXCHANGE_AUDIENCE, install_fake_cli, trust
from emulator.jwt import parse
from harness import CLIENT_ID, TENANT, Sandbox, export_value, index_accepts

# Job secrets of the other CIs: they must appear in no output either.
CI_SECRET_ENV_NAMES = ("SYSTEM_ACCESSTOKEN", "BUILDKITE_AGENT_ACCESS_TOKEN")


class CISandbox(Sandbox):
    def __init__(self, emu, root: Path) -> None:
        super().__init__(emu, root)
        self.bin = root / "bin"

    def canaries(self, env: dict[str, str]):
        found = super().canaries(env)
        nowhere, access, _ = self.emu.google.canaries()
        found.nowhere |= nowhere
        found.access |= access
        found.nowhere |= set(self.emu.ci.issued)
        found.nowhere |= {env[name] for name in CI_SECRET_ENV_NAMES if env.get(name)}
        return found

    def fake_path(self, *programs: str) -> str:
        """PATH with the fake CI programs first (installed into the sandbox's bin)."""
        for program in programs:
            install_fake_cli(self.bin, program, self.emu.ci)
        return f"{self.bin}:{os.environ.get('PATH', '/usr/bin:/bin')}"

    def trust(self, ci: str, subject: Optional[str] = None, audience: str = EXCHANGE_AUDIENCE) -> None:
        """Let the emulated Entra app accept `ci`'s tokens for `subject` (default: its usual one)."""
        claims = self.emu.ci.claims[ci]
        trust(self.emu.entra, TENANT, CLIENT_ID, claims["iss"], subject or claims["sub"], audience)

    # -- the environments of each CI (Azure settings included) ----------------
    def gitlab_env(self, **variables: str) -> dict[str, str]:
        return self.azure_env(**{"GITLAB_CI": "true", "CI": "true", "CI_SERVER_URL": "https://gitlab.com",
                                 "CI_PROJECT_PATH": "octo-group/app", **variables})

    def buildkite_env(self, **variables: str) -> dict[str, str]:
        return self.azure_env(**{
            "BUILDKITE": "true", "CI": "true", "BUILDKITE_AGENT_ACCESS_TOKEN": self.emu.ci.agent_token,
            "BUILDKITE_AGENT_ENDPOINT": f"{self.emu.ci.url}/buildkite/v3",
            "BUILDKITE_JOB_ID": "0190e7b6-2c3d-4e5f-8a9b-0c1d2e3f4a5b", **variables})

    def circleci_env(self, **variables: str) -> dict[str, str]:
        return self.azure_env(**{"CIRCLECI": "true", "CI": "true", **variables})

    def bitbucket_env(self, **variables: str) -> dict[str, str]:
        return self.azure_env(**{"BITBUCKET_BUILD_NUMBER": "42", "CI": "true", "BITBUCKET_WORKSPACE": "octo-ws",
                                 **variables})

    def azure_pipelines_env(self, **variables: Optional[str]) -> dict[str, str]:
        ci = self.emu.ci
        env = self.azure_env(
            TF_BUILD="True",
            SYSTEM_OIDCREQUESTURI=f"{ci.url}/octo-org/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f/_apis/"
                                  "distributedtask/hubs/build/plans/7e6d5c4b/jobs/3a2b1c0d/oidctoken",
            SYSTEM_ACCESSTOKEN=ci.access_token)
        for key, value in variables.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env


@pytest.fixture
def box(emu, tmp_path):
    sandbox = CISandbox(emu, tmp_path)
    yield sandbox
    sandbox.recheck()


def login_shell(box: CISandbox, env: dict[str, str], *extra: str, urls: Optional[list[str]] = None):
    """`indexkey login URL... --registry azure-artifacts --write shell ...`."""
    return box.run(["login", *(urls or [box.index_url()]), "--registry", "azure-artifacts",
                    "--write", "shell", *extra], env)


def login_two_clouds(box: CISandbox, env: dict[str, str], issuer: str, *extra: str):
    """`indexkey login` for an Azure Artifacts feed and a Google Artifact Registry
    repository, both trusting `issuer`: two exchanges, each with its own CI token."""
    box.emu.google.add_provider(GCP_NUMBER, GCP_POOL, GCP_PROVIDER, issuer)
    return box.run([*mixed_cloud_args(box.emu), "--write", "shell", *extra], env)


def assert_logged_in(emu, result, issuer: str, subject: str) -> dict:
    """The run exited 0, Entra granted for a token of `issuer`/`subject`, and the index
    accepts the written credentials. Returns the grant."""
    assert result.code == 0, result
    grant = emu.entra.grants[-1]
    assert grant["method"] == "client_assertion"
    assert grant["assertion_claims"]["iss"] == issuer
    assert grant["assertion_claims"]["sub"] == subject
    assert grant["assertion_claims"]["aud"] == EXCHANGE_AUDIENCE
    assert index_accepts(export_value(result.stdout, "PIP_INDEX_URL"))
    return grant


def jti(token: str) -> str:
    return parse(token).claims["jti"]
