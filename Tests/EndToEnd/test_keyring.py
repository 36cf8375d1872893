"""indexkey as pip's and uv's keyring executable (`--keyring-provider subprocess`):
the three CLI shapes, real pip (current and pre-26.2) and uv installs, the cache
across installs, token expiry, parallel lookups, and untrusted cache files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emulator import faults
from harness import CLIENT_ID, TENANT, USERNAME, run_binary
from keyring_support import KeyringBox
from registry_harness import rsandbox  # noqa: F401 (fixture)


@pytest.fixture
def box(emu, sandbox, tmp_path_factory):
    kb = KeyringBox(emu, sandbox, tmp_path_factory.mktemp("xdg-cache"))
    kb.install_link()
    yield kb
    kb.recheck()


@pytest.fixture(scope="session")
def old_pip(tmp_path_factory) -> str:
    """A virtualenv with pip 25.1: `keyring get SERVICE USERNAME`, username from the URL."""
    venv = tmp_path_factory.mktemp("pip-25.1")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    subprocess.run(["uv", "pip", "install", "-q", "--python", python, "pip==25.1"], check=True, env=env)
    return python


def grants(emu) -> list[dict]:
    return emu.entra.grants


def index_auth(emu) -> list[tuple[str, str]]:
    return [(r.note.get("auth", ""), r.note.get("username", "")) for r in emu.requests("index")]


def installed(target: Path) -> bool:
    return (target / "mypkg" / "__init__.py").read_text() == '__version__ = "1.0.0"\n'


# -- the CLI itself -------------------------------------------------------------

def test_link_answers_nothing_for_indexes_it_does_not_handle(emu, box):
    for service in ["https://pypi.org/simple/", "pypi.org", "files.pythonhosted.org:443",
                    "http://127.0.0.1:9/simple/"]:
        for args in (["get", service, "user"], ["--mode=creds", "--output=json", "get", service],
                     ["get", service, "--mode", "creds"]):
            result = box.keyring(*args)
            assert result.code == 1, str(result)
            assert result.stdout == "" and result.stderr == "", str(result)
    assert emu.requests() == []
    assert not box.cache_dir.exists()


def test_the_three_shapes_and_host_and_upload_services_share_one_token(emu, sandbox, box):
    url = sandbox.index_url()
    shapes = [
        (["get", url, "someone"], lambda t: f"{t}\n"),
        (["get", url, "--mode", "creds"], lambda t: f"{USERNAME}\n{t}\n"),
        (["--mode=creds", "--output=json", "get", url], None),
        (["--mode=creds", "--output=json", "get", url, "oauth2accesstoken"], None),
        (["get", "--output", "json", sandbox.upload_url(), "--mode=creds"], None),
        (["get", "--mode", "password", url, "x", "--output=json"], lambda t: json.dumps({"password": t}, separators=(",", ":")) + "\n"),
    ]
    for args, expect in shapes:
        result = box.keyring(*args)
        assert result.code == 0, str(result)
        (token,) = emu.entra.issued
        if expect is None:
            assert json.loads(result.stdout) == {"username": USERNAME, "password": token}, str(result)
        else:
            assert result.stdout == expect(token), str(result)
        assert result.stderr == "::add-mask::" + token + "\n", str(result)
    # One exchange for everything: one GitHub OIDC token, one Entra grant, then the cache.
    assert len(emu.requests("github")) == 1
    assert len(grants(emu)) == 1 and grants(emu)[0]["method"] == "client_assertion"
    entry_path, entry = box.only_entry()
    assert entry["password"] == emu.entra.issued[0] and entry["index"] == url
    assert stat.S_IMODE(entry_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(box.cache_dir.stat().st_mode) == 0o700

    # The bare host is its own entry (pip's and uv's second lookup); uv's http://host form too.
    for service in [box.authority, f"http://{box.authority}"]:
        result = box.keyring("--mode=creds", "--output=json", "get", service)
        assert result.code == 0, str(result)
        assert json.loads(result.stdout)["password"] == emu.entra.issued[-1]
    assert len(grants(emu)) == 2 and len(box.entries()) == 2



def test_indexkey_keyring_subcommand_equals_the_link(emu, sandbox, box):
    env = box.env()
    via_link = box.keyring("get", sandbox.index_url(), "u", env=env)
    via_subcommand = run_binary(["keyring", "get", sandbox.index_url(), "u"], env, sandbox.home)
    box.check(via_subcommand, answer=True)
    assert via_link.code == via_subcommand.code == 0
    assert via_link.stdout == via_subcommand.stdout == emu.entra.issued[0] + "\n"
    assert len(grants(emu)) == 1


def test_errors_are_one_line_on_stderr_and_uv_shows_them(emu, sandbox, box):
    env = box.env(AZURE_CLIENT_ID=None)
    result = box.keyring("get", sandbox.index_url(), "u", env=env)
    assert result.code == 2, str(result)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("indexkey: error: ") and "AZURE_CLIENT_ID" in lines[0]

    stored = box.keyring("set", sandbox.index_url(), "u")  # pip's save after a prompt
    assert stored.code == 1 and stored.stdout == "", str(stored)
    assert stored.stderr.startswith("indexkey: error: keyring set is not supported")

    emu.entra.add_app(TENANT, CLIENT_ID, federated=[])  # the app trusts no issuer now
    result = box.keyring("get", sandbox.index_url(), "u")
    assert result.code == 4, str(result)
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, str(result)
    assert "AADSTS700211" in result.stderr, str(result)

    uv, _ = box.uv_pip_install("--default-index", f"feed={sandbox.index_url()}",
                               env=box.env(UV_INDEX_FEED_USERNAME=USERNAME))
    assert uv.code != 0, str(uv)
    assert "indexkey: error: " in uv.stderr and "AADSTS700211" in uv.stderr, str(uv)


# -- real clients ---------------------------------------------------------------

def test_current_pip_uses_json_mode_without_a_username(emu, sandbox, box):
    version = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[1]
    assert tuple(int(p) for p in version.split(".")[:2]) >= (26, 2), version
    pip, target = box.pip_install(sys.executable, sandbox.index_url())
    assert pip.code == 0, str(pip)
    assert installed(target)
    assert len(grants(emu)) == 1
    auth = index_auth(emu)
    assert auth[0] == ("missing", "") and ("accepted", USERNAME) in auth, auth

    # A second install is answered from the cache: no exchange at all.
    before = len(emu.requests("entra")), len(emu.requests("github"))
    pip, target = box.pip_install(sys.executable, sandbox.index_url())
    assert pip.code == 0 and installed(target), str(pip)
    assert (len(emu.requests("entra")), len(emu.requests("github"))) == before


def test_pip_older_than_26_2_needs_the_username_in_the_url(emu, sandbox, box, old_pip):
    # Without a username pip 25.1 never asks the keyring: the install fails on the 401.
    pip, _ = box.pip_install(old_pip, sandbox.index_url())
    assert pip.code != 0, str(pip)
    assert grants(emu) == []

    url = sandbox.index_url().replace("http://", f"http://{USERNAME}@", 1)
    pip, target = box.pip_install(old_pip, url)
    assert pip.code == 0, str(pip)
    assert installed(target)
    assert len(grants(emu)) == 1
    assert ("accepted", USERNAME) in index_auth(emu)


def test_uv_with_an_index_username(emu, sandbox, box):
    env = box.env(UV_INDEX_FEED_USERNAME="anything-uv-knows")
    uv, target = box.uv_pip_install("--default-index", f"feed={sandbox.index_url()}", env=env)
    assert uv.code == 0, str(uv)
    assert installed(target)
    assert len(grants(emu)) == 1
    # uv sends the username it knows with the password indexkey gave.
    assert ("accepted", "anything-uv-knows") in index_auth(emu)


def test_uv_with_authenticate_always(emu, sandbox, box):
    project = sandbox.work / "project"
    project.mkdir()
    (project / "uv.toml").write_text(
        "[[index]]\n"
        'name = "feed"\n'
        f'url = "{sandbox.index_url()}"\n'
        "default = true\n"
        'authenticate = "always"\n')
    uv, target = box.uv_pip_install("--config-file", str(project / "uv.toml"),
                                    env=box.env(UV_NO_CONFIG=None), cwd=project)
    assert uv.code == 0, str(uv)
    assert installed(target)
    assert len(grants(emu)) == 1
    auth = index_auth(emu)
    # Credentials up front (no anonymous attempt), with the registry's username from --mode creds.
    assert auth[0] == ("accepted", USERNAME), auth


# -- the cache ------------------------------------------------------------------

def test_a_token_expiring_between_installs_is_reminted(emu, sandbox, box):
    pip, target = box.pip_install(sys.executable, sandbox.index_url())
    assert pip.code == 0 and installed(target), str(pip)
    (first,) = emu.entra.issued
    path, entry = box.only_entry()
    assert entry["password"] == first

    # the cached token reaches its expiry (indexkey refuses tokens that live under a
    # minute, so the clock is moved by the entry rather than waited for)
    box.forged.add(first)  # never to be answered again
    path.write_text(json.dumps(dict(entry, minted_at=time.time() - 3600, expires_at=time.time() - 1)))
    pip, target = box.pip_install(sys.executable, sandbox.index_url())
    assert pip.code == 0 and installed(target), str(pip)
    assert len(grants(emu)) == 2
    second = emu.entra.issued[1]
    assert box.only_entry()[1]["password"] == second != first
    assert all(r.note.get("auth") != "refused" for r in emu.requests("index"))


def test_parallel_lookups_mint_once(emu, sandbox, box):
    emu.inject("entra", f"/{TENANT}/", faults.slow(0.5))  # keep the first exchange in flight
    args = ["get", sandbox.index_url(), "--mode", "creds"]
    env = box.env()
    procs = [box.spawn(*args, env=env) for _ in range(8)]
    results = [box.collect(p, args, env) for p in procs]
    assert [r.code for r in results] == [0] * 8, results
    (token,) = emu.entra.issued
    assert {r.stdout for r in results} == {f"{USERNAME}\n{token}\n"}
    assert len(emu.requests("entra")) == 1 and len(emu.requests("github")) == 1


def test_no_cache_and_clear(emu, sandbox, box):
    url = sandbox.index_url()
    assert box.keyring("get", url, "u", "--no-cache").code == 0
    assert box.keyring("--no-cache", "get", url, "u").code == 0
    assert box.keyring("get", url, "u", env=box.env(INDEXKEY_NO_CACHE="1")).code == 0
    assert len(grants(emu)) == 3 and box.entries() == {}

    assert box.keyring("get", url, "u").code == 0
    assert box.keyring("get", url, "u").code == 0
    assert len(grants(emu)) == 4 and len(box.entries()) == 1
    cleared = box.keyring("clear")
    assert cleared.code == 0 and "removed 1 cached credential" in cleared.stderr, cleared
    assert box.entries() == {}
    assert box.keyring("get", url, "u").code == 0
    assert len(grants(emu)) == 5


def _forge(box, path: Path, entry: dict, password: str) -> str:
    forged = dict(entry, password=password, minted_at=time.time(), expires_at=time.time() + 3000)
    box.forged.add(password)
    path.unlink()
    path.write_text(json.dumps(forged))
    path.chmod(0o600)
    return password


@pytest.mark.parametrize("damage", ["garbage", "world-readable", "symlink", "other-index"])
def test_a_damaged_cache_file_is_ignored_and_replaced(emu, sandbox, box, damage):
    url = sandbox.index_url()
    assert box.keyring("get", url, "u").code == 0
    path, entry = box.only_entry()
    if damage == "garbage":
        path.write_bytes(b"\x00{not json")
    elif damage == "world-readable":
        _forge(box, path, entry, "forged-readable-" + os.urandom(6).hex())
        path.chmod(0o644)
    elif damage == "symlink":
        elsewhere = box.cache_home / "elsewhere.json"
        _forge(box, path, entry, "forged-linked-" + os.urandom(6).hex())
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
    else:
        _forge(box, path, dict(entry, index="http://127.0.0.1:1/other/simple/"),
               "forged-other-" + os.urandom(6).hex())
    result = box.keyring("get", url, "u")
    assert result.code == 0, str(result)
    assert len(grants(emu)) == 2
    assert result.stdout == emu.entra.issued[1] + "\n"
    assert f"indexkey: warning: Ignored the cached credential {path}" in result.stderr, str(result)
    assert not path.is_symlink()
    assert json.loads(path.read_text())["password"] == emu.entra.issued[1]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if damage == "symlink":
        assert "forged-linked-" in (box.cache_home / "elsewhere.json").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file another user's needs root")
def test_a_foreign_owned_cache_file_is_never_trusted(emu, sandbox, box):
    url = sandbox.index_url()
    assert box.keyring("get", url, "u").code == 0
    path, entry = box.only_entry()
    _forge(box, path, entry, "forged-foreign-" + os.urandom(6).hex())
    os.chown(path, 65534, 65534)
    pip, target = box.pip_install(sys.executable, url)
    assert pip.code == 0 and installed(target), str(pip)
    assert len(grants(emu)) == 2
    assert path.stat().st_uid == os.geteuid()
    assert json.loads(path.read_text())["password"] == emu.entra.issued[1]
    assert ("accepted", USERNAME) in index_auth(emu)
    assert all(r.note.get("auth") != "refused" for r in emu.requests("index"))


# -- another registry, picked up with no keyring-specific code --------------------

@pytest.fixture
def gitlab_box(emu, rsandbox, tmp_path_factory):  # noqa: F811
    kb = KeyringBox(emu, rsandbox, tmp_path_factory.mktemp("xdg-cache"))
    job = emu.gitlab.start_job()
    kb.ci_env = lambda: {"GITLAB_CI": "true", "CI": "true", "CI_JOB_TOKEN": job,
                         "CI_API_V4_URL": emu.gitlab.api_url, "CI_PROJECT_ID": "42"}
    kb.extra_env = {"INDEXKEY_REGISTRY": ""}
    kb.install_link()
    kb.job = job
    yield kb
    kb.recheck()


def test_ambient_tokens_are_never_answered_for_another_host(emu, gitlab_box):
    box = gitlab_box
    evil = "https://attacker.example/api/v4/projects/1/packages/pypi/simple/"
    result = box.keyring("--mode=creds", "--output=json", "get", evil)
    assert result.code == 2 and result.stdout == "", str(result)
    assert "to attacker.example: it is for 127.0.0.1" in result.stderr, str(result)
    jfrog = "canary-jf-access-" + os.urandom(8).hex()
    env = box.env(JF_URL="https://acme.jfrog.io", JF_ACCESS_TOKEN=jfrog, JF_USER="ci")
    result = box.keyring("--mode=creds", "--output=json", "get",
                         "https://evil.example/artifactory/api/pypi/x/simple/", env=env)
    assert result.code == 2 and result.stdout == "", str(result)
    assert "to evil.example: it is for acme.jfrog.io" in result.stderr, str(result)
    assert emu.requests() == []
    assert box.entries() == {}


def test_a_gitlab_job_token_is_answered_but_never_cached(emu, gitlab_box):
    box = gitlab_box
    url = f"{emu.gitlab.api_url}/projects/42/packages/pypi/simple"
    result = box.keyring("--mode=creds", "--output=json", "get", url + "/")
    assert result.code == 0, str(result)
    assert json.loads(result.stdout) == {"username": "gitlab-ci-token", "password": box.job}

    pip, target = box.pip_install(sys.executable, url)
    assert pip.code == 0 and installed(target), str(pip)
    uv, target = box.uv_pip_install("--default-index", f"gl={url}",
                                    env=box.env(UV_INDEX_GL_USERNAME="gitlab-ci-token"))
    assert uv.code == 0 and installed(target), str(uv)
    assert {r.note.get("auth") for r in emu.requests("gitlab")} >= {"accepted"}
    # The CI job's own token is handed over as is and never written to disk.
    assert box.entries() == {}
    assert not any(box.job in p.read_text() for p in box.cache_dir.glob("*") if p.is_file())
