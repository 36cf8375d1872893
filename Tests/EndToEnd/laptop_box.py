"""One test's developer laptop: no CI variables, the keyring link installed, the fake `az` and
`chainctl` on PATH with their state kept outside the sandbox (their own caches hold tokens, as
the real ones do), and a leak check that knows every laptop secret: refresh tokens, device
codes, managed-identity headers and Arc keys may appear nowhere; access tokens and PATs only in
the keyring's answer and its cache entries. The encrypted store is checked to hold none of
them in clear."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path
from typing import Optional

from harness import Canaries, Result
from keyring_support import KeyringBox
from laptop_support import FAKES, Terminal, az_sign_in, chainctl_sign_in

UPN = "ada@contoso.example"


class LaptopBox(KeyringBox):
    def __init__(self, emu, sandbox, cache_home: Path, outside: Path) -> None:
        super().__init__(emu, sandbox, cache_home)
        self.outside = outside  # az's and chainctl's own state: not indexkey's files
        self.ci_env = lambda: {}
        self.az_dir = outside / "azure"
        self.chainctl_home = outside / "xdg-config"
        self.with_fakes = True

    @property
    def store(self) -> Path:
        return self.sandbox.home / ".local" / "share" / "indexkey" / "store.fernet"

    def env(self, **overrides: Optional[str]) -> dict[str, str]:
        path = f"{self.bin}:{FAKES}:{os.environ['PATH']}" if self.with_fakes else f"{self.bin}:{os.environ['PATH']}"
        base = {
            "PATH": path,
            "AZURE_AUTHORITY_HOST": self.emu.entra.url,
            "INDEXKEY_AZURE_VSSPS_ENDPOINT": self.emu.vssps.url,
            "AZURE_CONFIG_DIR": str(self.az_dir),
            "XDG_CONFIG_HOME": str(self.chainctl_home),
        }
        return super().env(**{**base, **overrides})

    # -- running without a terminal -------------------------------------------------
    # pip and uv run their keyring with output captured; here they also run in a session of
    # their own, with no controlling terminal, whatever terminal pytest itself has.
    def keyring(self, *args: str, env: Optional[dict[str, str]] = None, timeout: float = 30) -> Result:
        env = self.env() if env is None else env
        started = time.monotonic()
        proc = subprocess.run([str(self.bin / "keyring"), *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, start_new_session=True)
        result = Result(["keyring", *args], proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"), time.monotonic() - started, env)
        self.check(result, answer=True)
        return result

    def client(self, argv: list[str], env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> Result:
        env = self.env() if env is None else env
        started = time.monotonic()
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=180,
                              cwd=cwd or self.sandbox.work, start_new_session=True)
        result = Result(list(argv), proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"), time.monotonic() - started, env)
        self.check(result, answer=False)
        return result

    # -- sign-ins the person did before ------------------------------------------
    def az_login(self, tenant: str, upn: str = UPN) -> str:
        return az_sign_in(self.emu, self.az_dir, upn, tenant)

    def chainctl_login(self) -> None:
        chainctl_sign_in(self.emu, self.chainctl_home)

    # -- a terminal --------------------------------------------------------------
    def on_terminal(self, argv: list[str], env: Optional[dict[str, str]] = None) -> Terminal:
        return Terminal(argv, env or self.env(), cwd=self.sandbox.work)

    def finish(self, terminal: Terminal, argv: list[str], env: dict[str, str], answer: bool) -> Result:
        code, out, err = terminal.finish()
        shown = ["keyring", *argv[1:]] if argv[0].endswith("/keyring") else argv
        result = Result(shown, code, out, err, 0.0, env)
        self.check(result, answer=answer)
        problems = [f"the terminal shows a secret ({s[:6]}…)" for s in self.canaries(env).nowhere
                    if s and s in terminal.text]
        assert not problems, problems
        return result

    # -- the leak check ------------------------------------------------------------
    def canaries(self, env: dict[str, str]) -> Canaries:
        canaries = super().canaries(env)
        emu = self.emu
        canaries.nowhere |= emu.entra.users.issued_refresh_tokens()
        canaries.nowhere |= {code for code in emu.entra.users.codes}
        canaries.nowhere |= emu.azure_mi.secrets()
        canaries.nowhere |= set(emu.chainguard.sessions)
        canaries.access |= emu.vssps.issued()
        canaries.access |= set(emu.chainguard.issued)
        return canaries

    def check(self, result: Result, answer: bool) -> None:
        super().check(result, answer)
        if self.store.exists():
            data = self.store.read_bytes().decode("utf-8", "replace")
            canaries = self.canaries(result.env)
            leaked = [s[:6] for s in canaries.nowhere | canaries.access if s and s in data]
            assert not leaked, f"the store holds secrets in clear: {leaked}"
            assert stat.S_IMODE(self.store.stat().st_mode) == 0o600
