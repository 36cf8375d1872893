"""Fixtures for the end-to-end suite: one emulator per session, reset before
every test; a sandbox per test through which the binary is run (and checked
for secret leaks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator import Emulator  # noqa: E402
from emulator.wheel import build_wheel  # noqa: E402
from harness import CLIENT_ID, TENANT, Sandbox  # noqa: E402


@pytest.fixture(scope="session")
def emu(tmp_path_factory):
    emulator = Emulator().start()
    emulator.index.seed(build_wheel(tmp_path_factory.mktemp("seed"), "mypkg", "1.0.0"))
    yield emulator
    emulator.stop()


@pytest.fixture(autouse=True)
def fresh_emulator(emu):
    """Every test starts from: no log, no faults, default GitHub claims, and one
    app in TENANT whose federated credential trusts the default GitHub subject."""
    emu.reset()
    emu.trust_github(TENANT, CLIENT_ID)
    yield emu


@pytest.fixture
def sandbox(emu, tmp_path):
    box = Sandbox(emu, tmp_path)
    yield box
    box.recheck()


@pytest.fixture
def run_indexkey(sandbox):
    """`run_indexkey(args, env)`: the binary with only PATH, HOME and `env`, leak-checked."""
    return sandbox.run


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """A wheel no test has uploaded yet (the index forgets uploads at every reset)."""
    return build_wheel(tmp_path_factory.mktemp("dist"), "uploadpkg", "0.1.0")
