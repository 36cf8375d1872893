"""Helpers for the profile tests: the real `acct` package (PyPI) and Fernet from
Python's `cryptography`, to build and check files independently of indexkey."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

ACCT_MAIN = "import sys, acct.scripts; sys.argv[0] = 'acct'; acct.scripts.start()"


def acct(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The acct command line (acct 8.x), run from the installed package."""
    return subprocess.run([sys.executable, "-c", ACCT_MAIN, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def acct_encrypt(path: Path, *extra: str) -> str:
    """`acct encrypt FILE` (fernet over msgpack by default): returns the key it printed."""
    proc = acct("encrypt", str(path), *extra, cwd=path.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def acct_decrypt(path: Path, key: str) -> object:
    """`acct decrypt FILE --output=json`, parsed."""
    proc = acct("decrypt", str(path), "--output=json", f"--acct-key={key}", cwd=path.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def acct_encrypt_json_serial(path: Path, key: str) -> Path:
    """acct's own encrypt_file with its `json` serial plugin (a configuration setting the
    command line does not offer)."""
    import pop.hub

    hub = pop.hub.Hub()
    hub.pop.sub.add(dyne_name="log")
    hub.pop.sub.add(dyne_name="acct")
    hub.acct.SERIAL_PLUGIN = "json"

    async def run() -> None:
        await hub.crypto.init.encrypt_file(crypto_plugin="fernet", acct_file=str(path), acct_key=key)

    asyncio.run(run())
    return Path(str(path) + ".fernet")


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    path.chmod(0o600)
    return path


def damaged_tokens(token: bytes) -> dict[str, bytes]:
    """Invalid tokens derived from a valid one, each refused by `cryptography` too."""
    raw = base64.urlsafe_b64decode(token)
    flipped = {}
    for where in (0, 5, 12, 30, len(raw) // 2, len(raw) - 40, len(raw) - 1):
        b = bytearray(raw)
        b[where] ^= 0x04
        flipped[f"flipped bit at byte {where}"] = base64.urlsafe_b64encode(bytes(b))
    version = bytearray(raw)
    version[0] = 0x81
    return {**flipped,
            "truncated": base64.urlsafe_b64encode(raw[:-20]),
            "truncated short": token[:40],
            "wrong version byte": base64.urlsafe_b64encode(bytes(version)),
            "not base64": token[:30] + b"*" + token[31:]}


def fernet_refuses(token: bytes, key: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token)
    except Exception:  # InvalidToken, or a ValueError for bad base64
        return True
    return False
