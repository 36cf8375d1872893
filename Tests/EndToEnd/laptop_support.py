"""A developer's laptop for the end-to-end tests: the fake `az` and `chainctl` on PATH with
the state their own sign-ins would leave, and a pseudo-terminal to read a device-code prompt
from (as the person at the keyboard does)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time
import uuid
from pathlib import Path
from typing import Optional

FAKES = Path(__file__).resolve().parent / "fakes"
SUBSCRIPTION = "9b2f6c1a-4d3e-4f5a-8b7c-6d5e4f3a2b1c"


def az_sign_in(emu, config_dir: Path, upn: str, tenant: str) -> str:
    """What `az login` leaves in `config_dir` (AZURE_CONFIG_DIR): the account, MSAL's cache with
    a refresh token for `upn`, and the emulator registered as the active cloud. Returns the
    refresh token (a secret the test must find nowhere else)."""
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    refresh = emu.entra.users.sign_in(upn)
    profile = {"installationId": str(uuid.uuid4()), "subscriptions": [{
        "id": SUBSCRIPTION, "name": "Visual Studio Enterprise", "state": "Enabled",
        "user": {"name": upn, "type": "user"}, "isDefault": True, "tenantId": tenant,
        "environmentName": "Emulator", "homeTenantId": tenant, "managedByTenants": []}]}
    cache = {"RefreshToken": {f"{uuid.uuid4()}.{tenant}-login.microsoftonline.com-refreshtoken-"
                              "04b07795-8ddb-461a-bbee-02f9e1bf7b46--": {
                                  "credential_type": "RefreshToken", "secret": refresh,
                                  "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46"}},
             "AccessToken": {}}
    (config_dir / "azureProfile.json").write_text(json.dumps(profile))
    (config_dir / "msal_token_cache.json").write_text(json.dumps(cache))
    (config_dir / "config").write_text("[cloud]\nname = Emulator\n")
    (config_dir / "clouds.config").write_text(f"[Emulator]\nendpoint_active_directory = {emu.entra.url}\n")
    return refresh


def chainctl_sign_in(emu, config_home: Path, subject: str = "user@example.com") -> None:
    """What `chainctl auth login` leaves under `config_home` (XDG_CONFIG_HOME)."""
    directory = config_home / "chainctl"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / "config.yaml").write_text(f"platform:\n  issuer: {emu.chainguard.url}\n")
    (directory / "session").write_text(emu.chainguard.sign_in(subject))


def chainctl_session(config_home: Path) -> str:
    path = config_home / "chainctl" / "session"
    return path.read_text() if path.exists() else ""


class Terminal:
    """A process (its own session) whose controlling terminal is a pseudo-terminal the test
    reads, as a person reads their terminal."""

    CODE = re.compile(r"enter the code ([A-Z0-9]{6,12})")

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Optional[Path] = None) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.text = ""
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=lambda: _take_terminal(slave), pass_fds=(slave,))
        os.close(slave)

    def read_until(self, pattern: re.Pattern, timeout: float = 30) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(self.text)
            if match:
                return match
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the terminal never showed {pattern.pattern!r}; it shows:\n{self.text}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    chunk = b""
                self.text += chunk.decode("utf-8", "replace")

    def user_code(self, timeout: float = 30) -> str:
        return self.read_until(self.CODE, timeout).group(1)

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        self.drain()
        os.close(self.master)
        return self.proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def drain(self) -> None:
        while True:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                return
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.text += chunk.decode("utf-8", "replace")


def _take_terminal(slave: int) -> None:
    import fcntl
    import termios
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
