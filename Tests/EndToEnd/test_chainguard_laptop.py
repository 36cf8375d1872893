"""Chainguard Libraries on a laptop: `chainctl auth token --audience libraries.cgr.dev` through
the keyring link pip and uv run, and one sentence when chainctl is missing or not signed in."""

from __future__ import annotations

import os
import sys

import pytest

from laptop_box import LaptopBox


@pytest.fixture
def box(emu, sandbox, tmp_path_factory):
    lb = LaptopBox(emu, sandbox, tmp_path_factory.mktemp("xdg-cache"), tmp_path_factory.mktemp("outside"))
    lb.extra_env["INDEXKEY_REGISTRY"] = f"{lb.authority}=chainguard"
    lb.install_link()
    yield lb
    lb.recheck()


def index_url(emu) -> str:
    return f"{emu.index.url}/python/simple/"


def test_pip_and_uv_install_with_chainctl(emu, box):
    box.chainctl_login()
    pip, target = box.pip_install(sys.executable, index_url(emu))
    assert pip.code == 0 and (target / "mypkg" / "__init__.py").exists(), str(pip)
    (issued,) = emu.chainguard.issued
    assert {r.note.get("username") for r in emu.requests("index") if r.note.get("auth") == "accepted"} == {"_token"}
    _, entry = box.only_entry()
    assert entry["password"] == issued and entry["username"] == "_token"

    # uv is answered from the cache: chainctl does not run again.
    uv, target = box.uv_pip_install("--default-index", f"cgr={index_url(emu)}",
                                    env=box.env(UV_INDEX_CGR_USERNAME="_token"))
    assert uv.code == 0 and (target / "mypkg" / "__init__.py").exists(), str(uv)
    assert len(emu.chainguard.issued) == 1


def test_chainctl_not_signed_in_or_missing_is_one_sentence(emu, box):
    result = box.keyring("get", index_url(emu), "_token")
    assert result.code == 3 and result.stdout == "", str(result)
    (line,) = result.stderr.splitlines()
    assert "chainctl auth login" in line and "not logged in" in line, line

    box.with_fakes = False
    result = box.keyring("get", index_url(emu), "_token")
    assert result.code == 3, str(result)
    assert "chainctl is not installed" in result.stderr


def test_in_ci_the_exchange_is_unchanged(emu, box):
    box.chainctl_login()
    env = box.env(GITHUB_ACTIONS="true", CI="true")
    result = box.keyring("get", index_url(emu), "_token", env=env)
    assert result.code == 2 and "CHAINGUARD_IDENTITY" in result.stderr, str(result)
    assert emu.chainguard.issued == []
