"""Sandbox and helpers for the registries beyond Azure (Chainguard, JFrog, PyPI,
GitLab, static credentials): the leak check also knows every credential those
emulated services issued."""

from __future__ import annotations

import base64
import configparser
import json
import urllib.request
from pathlib import Path

import pytest

from harness import Canaries, Sandbox

# Usernames that pair with issued credentials in Basic headers.
USERNAMES = ("_token", "__token__", "gitlab-ci-token", "ci-bot")


class RegistrySandbox(Sandbox):
    # Variables added to every pip/twine run of this sandbox.
    client_extra: dict[str, str] = {}

    def __init__(self, emu, root: Path) -> None:
        super().__init__(emu, root)
        self.private_keys: set[str] = set()  # key material given to indexkey

    def add_private_key(self, key_pem: str) -> None:
        """Treat every base64 line of a PEM key as a secret that must appear nowhere."""
        self.private_keys |= {line for line in key_pem.splitlines()
                              if line and not line.startswith("-----")}

    def client_env(self, **extra: str) -> dict[str, str]:
        return super().client_env(**{**self.client_extra, **extra})

    def canaries(self, env: dict[str, str]) -> Canaries:
        canaries = super().canaries(env)
        for service in (self.emu.chainguard, self.emu.jfrog, self.emu.pypi, self.emu.gitlab):
            nowhere, access = service.canaries()
            canaries.nowhere |= nowhere
            canaries.access |= access
        canaries.nowhere |= set(self.emu.entra.certificate_assertions)
        canaries.nowhere |= self.private_keys
        # A Basic header carrying an issued credential must never be printed or written.
        for token in list(canaries.access):
            for user in USERNAMES:
                canaries.nowhere.add(base64.b64encode(f"{user}:{token}".encode()).decode())
        return canaries

    def pypirc(self) -> configparser.RawConfigParser:
        config = configparser.RawConfigParser()
        config.read(self.home / ".pypirc", encoding="utf-8")
        return config


@pytest.fixture
def rsandbox(emu, tmp_path):
    box = RegistrySandbox(emu, tmp_path)
    yield box
    box.recheck()


def counts(emu, service: str) -> tuple[int, int]:
    """(requests, connections) the service saw since the last reset."""
    return len(emu.requests(service)), emu.connections(service)


def write_event(sandbox: Sandbox, fork: bool) -> Path:
    """A `pull_request` event file as the runner writes it."""
    return sandbox.write_input("event.json", json.dumps(
        {"pull_request": {"head": {"repo": {"fork": fork, "full_name": "someone/app"}}}}))


def jfrog_exchange(emu, provider: str, audience: str) -> str:
    """An access token from the emulated JFrog platform, obtained as a test client."""
    body = json.dumps({
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "subject_token": emu.github.mint(audience), "provider_name": provider}).encode()
    request = urllib.request.Request(f"{emu.jfrog.url}/access/api/v1/oidc/token", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]
