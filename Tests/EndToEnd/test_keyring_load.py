"""The keyring helper under load: many lookups at once mint once per index, and a
lookup killed while minting leaves no torn cache entry behind."""

from __future__ import annotations

import os
import signal
import time

import pytest

from emulator import faults
from harness import TENANT, USERNAME, index_accepts
from keyring_support import KeyringBox


@pytest.fixture
def box(emu, sandbox, tmp_path_factory):
    kb = KeyringBox(emu, sandbox, tmp_path_factory.mktemp("xdg-cache"))
    kb.install_link()
    yield kb
    kb.recheck()


def _lookups(box, urls: list[str]):
    env = box.env()
    started = time.monotonic()
    procs = [(url, box.spawn("get", url, "--mode", "creds", env=env)) for url in urls]
    results = [(url, box.collect(p, ["get", url, "--mode", "creds"], env)) for url, p in procs]
    return results, time.monotonic() - started


def test_fifty_lookups_of_one_index_mint_once(emu, sandbox, box):
    emu.inject("entra", f"/{TENANT}/", faults.slow(0.5))  # the first exchange stays in flight
    results, seconds = _lookups(box, [sandbox.index_url()] * 50)
    assert [r.code for _, r in results] == [0] * 50, [str(r) for _, r in results if r.code]
    (token,) = emu.entra.issued
    assert {r.stdout for _, r in results} == {f"{USERNAME}\n{token}\n"}
    assert len(emu.requests("entra")) == 1 and len(emu.requests("github")) == 1
    print(f"50 lookups of one index: {seconds:.2f} s")


def test_fifty_lookups_across_five_indexes_mint_five_times(emu, sandbox, box):
    emu.inject("entra", f"/{TENANT}/", faults.slow(0.5, times=5))
    urls = [sandbox.index_url(feed=f"feed{n % 5}") for n in range(50)]
    results, seconds = _lookups(box, urls)
    assert [r.code for _, r in results] == [0] * 50, [str(r) for _, r in results if r.code]
    assert len(emu.requests("entra")) == 5 and len(emu.entra.issued) == 5
    assert len(box.entries()) == 5
    by_index: dict[str, set[str]] = {}
    for url, result in results:
        by_index.setdefault(url, set()).add(result.stdout)
    assert all(len(answers) == 1 for answers in by_index.values()), "one answer per index"
    for url, (answer,) in by_index.items():
        user, password = answer.splitlines()
        assert index_accepts(url.replace("http://", f"http://{user}:{password}@", 1))
    print(f"50 lookups of five indexes: {seconds:.2f} s")


def test_a_lookup_killed_while_minting_leaves_no_torn_entry(emu, sandbox, box):
    emu.inject("entra", f"/{TENANT}/", faults.slow(5))
    url = sandbox.index_url()
    proc = box.spawn("get", url, "--mode", "creds")
    deadline = time.monotonic() + 10
    while not emu.requests("entra") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert emu.requests("entra"), "the lookup never reached Entra"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    entries = box.entries()
    assert all(entry for entry in entries.values()), f"a torn cache entry: {entries}"
    assert entries == {}, "nothing was minted, so nothing is cached"

    result = box.keyring("get", url, "--mode", "creds")  # the lock died with the process
    assert result.code == 0, result
    token = emu.entra.issued[-1]
    assert result.stdout == f"{USERNAME}\n{token}\n"
    assert len([r for r in emu.requests("entra") if r.status == 200]) == 1
    assert box.only_entry()[1]["password"] == token
