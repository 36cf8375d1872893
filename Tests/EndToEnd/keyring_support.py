"""Running pip, uv and indexkey's keyring link the way a job would, with the
canary leak check adapted to the keyring helper: its answer (stdout) and the
cache entries are the only places an issued token may appear."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

from harness import MASK_PREFIX, Canaries, LeakCheck, Result, binary_path, quote_all

CACHE_ENTRY = re.compile(r"[0-9a-f]{64}\.json")


def _forms(secret: str) -> set[str]:
    return {secret, quote_all(secret)}


class KeyringBox:
    """One test's machine for keyring lookups: a bin directory holding the
    `keyring` link (made by `indexkey keyring install`), an XDG cache directory,
    and the job's environment. Every run is leak-checked before it is returned."""

    def __init__(self, emu, sandbox, cache_home: Path) -> None:
        self.emu = emu
        self.sandbox = sandbox
        self.bin = sandbox.root / "bin"
        self.cache_home = cache_home
        self.cache_dir = cache_home / "indexkey"
        self.runs: list[Result] = []
        self.extra_env: dict[str, str] = {}
        self.forged: set[str] = set()  # planted values that must never be answered
        self.ci_env = sandbox.github_runner_env  # the job the lookups run in

    # -- environment -----------------------------------------------------
    @property
    def authority(self) -> str:
        return self.emu.index.url.split("://", 1)[1]

    def env(self, **overrides: Optional[str]) -> dict[str, str]:
        env = self.sandbox.client_env()
        env.update(self.ci_env())
        env.update({
            "PATH": f"{self.bin}:{env['PATH']}",
            "INDEXKEY_REGISTRY": f"{self.authority}=azure-artifacts",
            "XDG_CACHE_HOME": str(self.cache_home),
            "UV_NO_CONFIG": "1",
            "UV_CACHE_DIR": str(self.sandbox.root / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            **self.extra_env,
        })
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    # -- running ---------------------------------------------------------
    def install_link(self) -> Result:
        result = self.sandbox.run(["keyring", "install", str(self.bin)], {"PATH": os.environ["PATH"]})
        assert result.code == 0, result
        assert os.readlink(self.bin / "keyring") == str(binary_path().resolve()), result
        return result

    def keyring(self, *args: str, env: Optional[dict[str, str]] = None,
                timeout: float = 30) -> Result:
        """Runs the `keyring` link as pip and uv do (stdin closed)."""
        env = self.env() if env is None else env
        started = time.monotonic()
        proc = subprocess.run([str(self.bin / "keyring"), *args], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        result = Result(["keyring", *args], proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"), time.monotonic() - started, env)
        self.check(result, answer=True)
        return result

    def spawn(self, *args: str, env: Optional[dict[str, str]] = None) -> subprocess.Popen:
        return subprocess.Popen([str(self.bin / "keyring"), *args], env=env or self.env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

    def collect(self, proc: subprocess.Popen, args: list[str], env: dict[str, str]) -> Result:
        out, err = proc.communicate(timeout=60)
        result = Result(["keyring", *args], proc.returncode, out.decode(), err.decode(), 0.0, env)
        self.check(result, answer=True)
        return result

    def client(self, argv: list[str], env: Optional[dict[str, str]] = None,
               cwd: Optional[Path] = None) -> Result:
        """Runs pip or uv; a token may show in none of their output."""
        env = self.env() if env is None else env
        started = time.monotonic()
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=180, cwd=cwd or self.sandbox.work)
        result = Result(list(argv), proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"), time.monotonic() - started, env)
        self.check(result, answer=False)
        return result

    def target(self) -> Path:
        return self.sandbox.work / f"site-{len(list(self.sandbox.work.glob('site-*')))}"

    def pip_install(self, python: str, index_url: str, package: str = "mypkg",
                    env: Optional[dict[str, str]] = None) -> tuple[Result, Path]:
        target = self.target()
        return self.client([python, "-m", "pip", "install", "--keyring-provider", "subprocess",
                            "--no-input", "--no-cache-dir", "--disable-pip-version-check",
                            "--target", str(target), "--index-url", index_url, package],
                           env), target

    def uv_pip_install(self, *options: str, package: str = "mypkg",
                       env: Optional[dict[str, str]] = None,
                       cwd: Optional[Path] = None) -> tuple[Result, Path]:
        target = self.target()
        return self.client(["uv", "pip", "install", "--keyring-provider", "subprocess",
                            "--python", sys.executable, "--target", str(target), *options,
                            package], env, cwd), target

    # -- what the cache holds --------------------------------------------
    def entries(self) -> dict[Path, dict]:
        out = {}
        if self.cache_dir.is_dir():
            for path in sorted(self.cache_dir.iterdir()):
                if CACHE_ENTRY.fullmatch(path.name) and not path.is_symlink():
                    try:
                        out[path] = json.loads(path.read_text())
                    except ValueError:
                        out[path] = {}
        return out

    def only_entry(self) -> tuple[Path, dict]:
        entries = self.entries()
        assert len(entries) == 1, f"expected one cache entry, found {sorted(entries)}"
        return next(iter(entries.items()))

    # -- the leak check --------------------------------------------------
    def canaries(self, env: dict[str, str]) -> Canaries:
        canaries = self.sandbox.canaries(env)
        canaries.nowhere |= self.forged
        return canaries

    def check(self, result: Result, answer: bool) -> None:
        """stdout may hold an issued token only when it is the keyring answer;
        stderr only on ::add-mask:: lines; files under the sandbox never, and the
        cache entries only as their password, in 0600 files of a 0700 directory."""
        self.runs.append(result)
        canaries = self.canaries(result.env)
        problems = []
        streams = [("stderr", result.stderr)] + ([] if answer else [("stdout", result.stdout)])
        for where, text in streams:
            problems += _scan(where, text, canaries)
        if answer:
            problems += [p for p in _scan("stdout", result.stdout, Canaries(canaries.nowhere, set()))]
        quiet = Result([], result.code, "", "", 0.0, result.env)
        files = LeakCheck(self.sandbox.root)
        files.inputs = dict(self.sandbox.leaks.inputs)  # the sign-in files a test wrote hold their secrets
        problems += files.check(quiet, canaries)
        problems += self.check_cache(canaries)
        if problems:
            raise AssertionError("secret leak:\n  " + "\n  ".join(problems) + f"\n{result}")

    def check_cache(self, canaries: Canaries) -> list[str]:
        problems: list[str] = []
        if not self.cache_dir.exists():
            return problems
        mode = stat.S_IMODE(self.cache_dir.lstat().st_mode)
        if mode != 0o700:
            problems.append(f"cache directory mode is {mode:o}")
        for path in sorted(self.cache_dir.iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            text = path.read_text("utf-8", "replace")
            mine = path.stat().st_uid == os.geteuid()
            for value in canaries.nowhere:
                for form in _forms(value):
                    if form and form in text and mine:
                        problems.append(f"cache file {path.name} holds a secret that must appear nowhere")
            tokens = [t for t in canaries.access if t in text]
            if not tokens:
                continue
            if stat.S_IMODE(path.stat().st_mode) != 0o600:
                problems.append(f"cache file {path.name} holds a token with mode "
                                f"{stat.S_IMODE(path.stat().st_mode):o}")
            try:
                data = json.loads(text)
            except ValueError:
                problems.append(f"cache file {path.name} holds a token outside an entry")
                continue
            rest = {k: v for k, v in data.items() if k != "password"}
            if any(t in json.dumps(rest) for t in tokens):
                problems.append(f"cache file {path.name} holds a token outside its password field")
        return problems

    def recheck(self) -> None:
        """At teardown, with every token issued during the test known."""
        for result in self.runs:
            canaries = self.canaries(result.env)
            problems = _scan("stderr", result.stderr, canaries)
            answer = result.args[:1] == ["keyring"]
            problems += _scan("stdout", result.stdout,
                              Canaries(canaries.nowhere, set()) if answer else canaries)
            if problems:
                raise AssertionError("secret leak (found at teardown):\n  " + "\n  ".join(problems)
                                     + f"\n{result}")


def _scan(where: str, text: str, canaries: Canaries) -> list[str]:
    problems = []
    for secret in canaries.nowhere:
        forms = _forms(secret)
        if secret.count(".") == 2:
            forms.add(secret.rsplit(".", 1)[1])
        if any(f and f in text for f in forms):
            problems.append(f"{where} contains a secret that must appear nowhere ({secret[:6]}…)")
    for token in canaries.access:
        for n, line in enumerate(text.split("\n"), 1):
            if any(f in line for f in _forms(token)) and not line.lstrip().startswith(MASK_PREFIX):
                problems.append(f"{where} line {n} holds an issued token")
    return problems
