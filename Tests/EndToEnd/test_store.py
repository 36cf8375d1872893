"""The encrypted store of long-lived secrets and `indexkey logout`: its key from ACCT_KEY,
a real Secret Service (gnome-keyring-daemon under dbus-run-session) or the key file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from cryptography.fernet import Fernet

from harness import binary_path, run_binary

URL = "https://pkgs.dev.azure.com/org/_packaging/feed/pypi/simple/"
OTHER = "https://pkgs.dev.azure.com/org/_packaging/other/pypi/simple/"
REFRESH = "refresh-canary-" + os.urandom(8).hex()
PAT = "pat-canary-" + os.urandom(8).hex()


def store_path(home: Path) -> Path:
    return home / ".local" / "share" / "indexkey" / "store.fernet"


def key_file(home: Path) -> Path:
    return home / ".config" / "indexkey-key" / "store.key"


def write_store(home: Path, key: str) -> None:
    """A store as indexkey keeps it: Fernet over acct's json form, 0600 in a 0700 directory."""
    path = store_path(home)
    path.parent.mkdir(parents=True, mode=0o700)
    document = {"indexes": {URL: {"azure-refresh-token": REFRESH}, OTHER: {"azure-devops-pat": PAT}}}
    path.write_bytes(Fernet(key.encode()).encrypt(json.dumps(document).encode()))
    path.chmod(0o600)


def read_store(home: Path, key: str) -> dict:
    return json.loads(Fernet(key.encode()).decrypt(store_path(home).read_bytes()))


def write_key_file(home: Path, key: str) -> None:
    path = key_file(home)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(key + "\n")
    path.chmod(0o600)


def clean(result, *secrets: str) -> None:
    for secret in (REFRESH, PAT, *secrets):
        assert secret not in result.stdout and secret not in result.stderr, result


def in_desktop_session(home: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`script` in a fresh D-Bus session; `unlock` starts gnome-keyring's Secret Service
    with an unlocked login keyring (as a desktop login does)."""
    # unlock: the daemon forks before it owns its bus name; wait for that, or the first client
    # would have D-Bus start a second daemon that finds the login keyring half written.
    prelude = ('unlock() { printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; '
               'for i in $(seq 100); do dbus-send --session --print-reply --dest=org.freedesktop.DBus '
               '/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets '
               '| grep -q "boolean true" && return 0; sleep 0.1; done; exit 91; }\n'
               # keep KEY: stores it the way a desktop tool would, waiting (up to 10 s on a busy
               # machine) until the freshly started keyring answers with it.
               'keep() { for i in $(seq 100); do printf %s "$1" | secret-tool store --label="indexkey store key" '
               'service indexkey account store-key 2>/dev/null && '
               '[ "$(secret-tool lookup service indexkey account store-key)" = "$1" ] && return 0; sleep 0.1; done; '
               'echo "the keyring never kept the key" >&2; exit 90; }\n')
    return subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", prelude + script],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
             "INDEXKEY": str(binary_path()), **env},
        capture_output=True, text=True, timeout=60)


def test_logout_with_the_key_file_forgets_one_index(tmp_path):
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    write_key_file(tmp_path, key)
    result = run_binary(["logout", URL.rstrip("/")], {}, tmp_path)
    assert result.code == 0, result
    assert f"forgot azure-refresh-token for {URL}" in result.stderr
    clean(result, key)
    assert read_store(tmp_path, key) == {"indexes": {OTHER: {"azure-devops-pat": PAT}}}
    assert stat.S_IMODE(store_path(tmp_path).stat().st_mode) == 0o600
    again = run_binary(["logout", URL], {}, tmp_path)
    assert again.code == 0 and "keeps nothing for" in again.stderr, again


def test_acct_key_wins_and_a_different_key_is_one_clear_sentence(tmp_path):
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    write_key_file(tmp_path, Fernet.generate_key().decode())
    result = run_binary(["logout", URL], {"ACCT_KEY": key}, tmp_path)
    assert result.code == 0, result
    wrong = run_binary(["logout", OTHER], {"ACCT_KEY": Fernet.generate_key().decode()}, tmp_path)
    assert wrong.code == 2, wrong
    (line,) = wrong.stderr.strip().splitlines()
    assert "with the key from ACCT_KEY" in line and "indexkey logout" in line
    clean(wrong, key)
    assert read_store(tmp_path, key) == {"indexes": {OTHER: {"azure-devops-pat": PAT}}}


def test_a_store_without_its_key_and_logout_of_everything(tmp_path):
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    result = run_binary(["logout", URL], {}, tmp_path)
    assert result.code == 2, result
    assert "its key is nowhere to be found" in result.stderr
    assert not key_file(tmp_path).exists(), "reading never creates a key"
    everything = run_binary(["logout"], {}, tmp_path)
    assert everything.code == 0 and "removed the encrypted store" in everything.stderr, everything
    assert not store_path(tmp_path).exists()
    nothing = run_binary(["logout"], {}, tmp_path)
    assert nothing.code == 0 and "there is no encrypted store" in nothing.stderr, nothing


def test_the_key_kept_by_a_real_secret_service(tmp_path):
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    proc = in_desktop_session(tmp_path, 'unlock\n'
                              'keep "$KEY"\n'
                              'exec "$INDEXKEY" logout "$URL"\n', {"KEY": key, "URL": URL})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"forgot azure-refresh-token for {URL}" in proc.stderr
    assert key not in proc.stdout + proc.stderr
    assert not key_file(tmp_path).exists()
    assert read_store(tmp_path, key) == {"indexes": {OTHER: {"azure-devops-pat": PAT}}}


def test_a_secret_service_holding_another_key_is_named_in_the_error(tmp_path):
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    proc = in_desktop_session(tmp_path, 'unlock\n'
                              'keep "$OTHER_KEY"\n'
                              'exec "$INDEXKEY" logout "$URL"\n',
                              {"OTHER_KEY": Fernet.generate_key().decode(), "URL": URL})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "with the key from the desktop's Secret Service" in proc.stderr


def test_a_locked_secret_service_falls_back_to_the_key_file(tmp_path):
    """A session bus answers but the keyring is locked (nobody unlocked it): the key file is used."""
    key = Fernet.generate_key().decode()
    write_store(tmp_path, key)
    write_key_file(tmp_path, key)
    proc = in_desktop_session(tmp_path, 'exec "$INDEXKEY" logout "$URL"\n', {"URL": URL})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert read_store(tmp_path, key) == {"indexes": {OTHER: {"azure-devops-pat": PAT}}}
