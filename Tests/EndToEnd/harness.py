"""Helpers for running the real indexkey binary against the emulator.

Nothing here starts services; conftest.py wires these helpers into fixtures.
"""

from __future__ import annotations

import base64
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import sink_rules

REPO_ROOT = Path(__file__).resolve().parents[2]
# The version `indexkey --version` prints, where the wheel, the tarball and the pins take it from.
VERSION = re.search(r'indexkeyVersion = "([^"]+)"',
                    (REPO_ROOT / "Sources/IndexKit/Support/Version.swift").read_text()).group(1)

# The tenant, app and feed every end-to-end test starts with.
TENANT = "5c3b7a1e-2f4d-4c6b-8a9e-0d1c2b3a4f5e"
CLIENT_ID = "0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b"
ORG, PROJECT, FEED = "org", "proj", "feed"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
USERNAME = "EntraToken"


def binary_path() -> Path:
    return Path(os.environ.get("INDEXKEY_BIN") or REPO_ROOT / ".build" / "release" / "indexkey")


def quote_all(value: str) -> str:
    """Percent-encode every byte outside A-Z a-z 0-9 - . _ ~ (upper-case hex)."""
    return urllib.parse.quote(value, safe="")


# -- GITHUB_ENV ---------------------------------------------------------------
class GitHubEnvError(ValueError):
    pass


def parse_github_env(text: str) -> dict[str, str]:
    """Parse a GITHUB_ENV file exactly as the Linux runner does (FORMATS §1.1).

    Lines end at LF only (a CR stays in the value); empty lines are skipped;
    `NAME=VALUE` when the first `=` precedes any `<<`, otherwise the heredoc
    form `NAME<<DELIM` whose value runs to the first line equal to DELIM.
    The last assignment of a name wins.
    """
    result: dict[str, str] = {}
    pos = 0

    def read_line() -> tuple[Optional[str], bool]:
        nonlocal pos
        if pos >= len(text):
            return None, False
        end = text.find("\n", pos)
        if end < 0:
            line, pos = text[pos:], len(text)
            return line, False
        line, pos = text[pos:end], end + 1
        return line, True

    while True:
        line, _ = read_line()
        if line is None:
            return result
        if line == "":
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            name, value = line[:eq], line[eq + 1:]
            if not name:
                raise GitHubEnvError(f"Invalid format {line!r}: empty name")
            result[name] = value
            continue
        if heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2:]
            if not name or not delimiter:
                raise GitHubEnvError(f"Invalid format {line!r}: empty name or delimiter")
            value_lines = []
            while True:
                doc, had_newline = read_line()
                if doc is None:
                    raise GitHubEnvError(f"Matching delimiter not found {delimiter!r}")
                if doc == delimiter:
                    break
                if not had_newline:
                    raise GitHubEnvError("EOF marker missing new line")
                value_lines.append(doc)
            result[name] = "\n".join(value_lines)
            continue
        raise GitHubEnvError(f"Invalid format {line!r}")


# -- ::add-mask:: -------------------------------------------------------------
MASK_PREFIX = "::add-mask::"


def unescape_command_data(data: str) -> str:
    """The runner's ActionCommand.UnescapeData: %0D → CR, %0A → LF, %25 → %."""
    return data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def masked_values(stderr: str) -> list[str]:
    """Values registered with `::add-mask::` lines, in order."""
    return [unescape_command_data(line.lstrip()[len(MASK_PREFIX):])
            for line in stderr.split("\n") if line.lstrip().startswith(MASK_PREFIX)]


# -- running the binary -------------------------------------------------------
@dataclass
class Result:
    args: list[str]
    code: int
    stdout: str
    stderr: str
    duration: float
    env: dict[str, str] = field(repr=False, default_factory=dict)

    def __str__(self) -> str:
        return (f"indexkey {shlex.join(self.args)} → exit {self.code} in {self.duration:.2f}s\n"
                f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}")


def library_path() -> dict[str, str]:
    """LD_LIBRARY_PATH when the suite runs with one (`make e2e-oldcurl`: an older libcurl for
    indexkey, reaching it also when pip or uv start the keyring helper)."""
    value = os.environ.get("LD_LIBRARY_PATH")
    return {"LD_LIBRARY_PATH": value} if value else {}


def run_binary(args: list[str], env: dict[str, str], home: Path, timeout: float = 30) -> Result:
    """Run indexkey with a clean environment: only PATH, HOME, the suite's LD_LIBRARY_PATH and `env`."""
    binary = binary_path()
    if not binary.exists():
        raise AssertionError(f"indexkey binary not found at {binary}; build it with "
                             "`swift build -c release` or set INDEXKEY_BIN")
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), **library_path(), **env}
    started = time.monotonic()
    try:
        proc = subprocess.run([str(binary), *args], env=full_env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"indexkey {shlex.join(args)} did not finish within {timeout}s\n"
                             f"stdout: {exc.stdout!r}\nstderr: {exc.stderr!r}") from None
    return Result(list(args), proc.returncode, proc.stdout.decode("utf-8", "replace"),
                  proc.stderr.decode("utf-8", "replace"), time.monotonic() - started, full_env)


def option_values(args: list[str], name: str) -> list[str]:
    """Every value given to option `name` (as `--name V` or `--name=V`)."""
    values = []
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(name + "="):
            values.append(arg[len(name) + 1:])
    return values


def requested_sinks(args: list[str]) -> set[str]:
    return {s.strip() for v in option_values(args, "--write") for s in v.split(",") if s.strip()}


# -- the canary leak check ----------------------------------------------------
@dataclass
class Canaries:
    """What must not leak. `nowhere` may appear in no output at all; `access`
    (issued index credentials) only in the sinks meant to hold them."""

    nowhere: set[str]
    access: set[str]
    # Basic-auth header forms of access tokens: allowed only in mask commands (indexkey
    # registers them so a client's debug log of the header is masked too).
    basic: set[str] = field(default_factory=set)


def _forms(secret: str) -> set[str]:
    return {secret, quote_all(secret)}


class LeakCheck:
    """Scans a run's stdout, stderr and every file under `root` for canaries."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs: dict[Path, bytes] = {}  # files a test wrote that legitimately hold secrets

    def add_input(self, path: Path) -> None:
        self.inputs[path.resolve()] = path.read_bytes()

    def check(self, result: Result, canaries: Canaries) -> list[str]:
        return self.check_streams(result, canaries) + self.check_files(result, canaries)

    def check_streams(self, result: Result, canaries: Canaries) -> list[str]:
        return self._check(result, canaries, files=False)

    def check_files(self, result: Result, canaries: Canaries) -> list[str]:
        return self._check(result, canaries, streams=False)

    def _check(self, result: Result, canaries: Canaries, streams: bool = True,
               files: bool = True) -> list[str]:
        problems: list[str] = []
        dry = "--dry-run" in result.args
        sinks = set() if dry else requested_sinks(result.args)
        github_env = result.env.get("GITHUB_ENV")
        if github_env and not dry and not sinks and result.env.get("GITHUB_ACTIONS") == "true":
            sinks.add("github-env")  # the default sink in GitHub Actions
        pypirc_paths = {Path(p) for p in option_values(result.args, "--pypirc")}
        pypirc_paths.add(Path(result.env["HOME"]) / ".pypirc")
        pypirc_paths = {p.resolve() if p.parent.exists() else p for p in pypirc_paths}
        sink_files = sink_rules.file_rules(result.args, result.env)

        nowhere = set()
        for secret in canaries.nowhere:
            nowhere |= _forms(secret)
            if secret.count(".") == 2:  # a JWT: its signature alone is as good as the token
                nowhere.add(secret.rsplit(".", 1)[1])
        nowhere.discard("")
        # The Basic-auth header form of an access token: only ever in a mask command.
        basic = canaries.basic | {base64.b64encode(f"{USERNAME}:{token}".encode()).decode()
                                  for token in canaries.access}

        def scan(where: str, text: str, allowed_line) -> None:
            for value in nowhere:
                if value in text:
                    problems.append(f"{where} contains a secret that must appear nowhere "
                                    f"({_describe(value)})")
            for n, line in enumerate(text.split("\n"), 1):
                if any(b in line for b in basic) and not (
                        where == "stderr" and sink_rules.mask_line(line, "")):
                    problems.append(f"{where} line {n} holds the Basic-auth form of an "
                                    "access token outside a mask command")
            for token in canaries.access:
                forms = _forms(token)
                for n, line in enumerate(text.split("\n"), 1):
                    if any(f in line for f in forms) and not allowed_line(line, token):
                        problems.append(f"{where} line {n} holds an issued access token "
                                        f"outside its intended sink: {_clip(line, token)}")

        if streams:
            scan("stdout", result.stdout, sink_rules.stdout_rule(result.args))
            scan("stderr", result.stderr, sink_rules.mask_line)
        for path in sorted(self._files()) if files else ():
            data = path.read_bytes()
            if self.inputs.get(path.resolve()) == data:
                continue
            text = data.decode("utf-8", "replace")
            resolved = path.resolve()
            if resolved in sink_files:
                rule = sink_files[resolved]
            elif path.resolve() in pypirc_paths:
                rule = lambda line, token: "pypirc" in sinks and _is_password_line(line, token)  # noqa: E731
            else:
                rule = lambda line, token: False  # noqa: E731
            scan(str(path.relative_to(self.root)), text, rule)
        return problems

    def _files(self) -> Iterable[Path]:
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath) / name
                if path.is_file() and not path.is_symlink():
                    yield path


def _is_password_line(line: str, token: str) -> bool:
    return re.fullmatch(r"\s*password\s*[=:]\s*" + re.escape(token) + r"\s*", line.rstrip("\r")) \
        is not None


def _describe(value: str) -> str:
    return f"{value[:6]}…, {len(value)} characters"


def _clip(line: str, token: str) -> str:
    return line.replace(token, "<TOKEN>").replace(quote_all(token), "<TOKEN%>")[:200]


# -- one test's simulated machine ---------------------------------------------
SECRET_ENV_NAMES = ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "AZURE_CLIENT_SECRET",
                    "ACTIONS_RUNTIME_TOKEN", "GITHUB_TOKEN")


class Sandbox:
    """A temp dir with a fake HOME and a runner's GITHUB_ENV file, the only way
    tests run indexkey: every run is checked for leaks before it is returned."""

    def __init__(self, emu, root: Path) -> None:
        self.emu = emu
        self.root = root
        self.home = root / "home"
        self.home.mkdir()
        commands = root / "runner" / "_temp" / "_runner_file_commands"
        commands.mkdir(parents=True)
        self.github_env = commands / "set_env_3c5b2a1f-9e8d-4c7b-a6f5-e4d3c2b1a098"
        self.github_env.touch()
        self.work = root / "work"
        self.work.mkdir()
        self.leaks = LeakCheck(root)
        self.results: list[Result] = []
        self.runtime_canary = "canary-actions-runtime-" + os.urandom(12).hex()
        self.github_token_canary = "ghs_canary" + os.urandom(14).hex()

    # -- URLs ------------------------------------------------------------
    def feed_root(self, org: str = ORG, project: Optional[str] = PROJECT, feed: str = FEED) -> str:
        scope = f"{org}/{project}" if project else org
        return f"{self.emu.index.url}/{scope}/_packaging/{feed}/pypi"

    def index_url(self, **kw) -> str:
        return self.feed_root(**kw) + "/simple/"

    def upload_url(self, **kw) -> str:
        return self.feed_root(**kw) + "/upload/"

    def expected_pip_index_url(self, token: str, **kw) -> str:
        return self.index_url(**kw).replace("http://", f"http://{USERNAME}:{quote_all(token)}@", 1)

    # -- environments ----------------------------------------------------
    def github_runner_env(self, **overrides: Optional[str]) -> dict[str, str]:
        """A GitHub-hosted job with `permissions: id-token: write`; None removes a variable."""
        env = {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.emu.github.request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.emu.github.request_token,
            "ACTIONS_RUNTIME_TOKEN": self.runtime_canary,
            "GITHUB_TOKEN": self.github_token_canary,
            "GITHUB_ENV": str(self.github_env),
            "GITHUB_REPOSITORY": "octo-org/app",
            "RUNNER_TEMP": str(self.github_env.parent.parent),
            **self.azure_env(),
        }
        return _apply(env, overrides)

    def azure_env(self, **overrides: Optional[str]) -> dict[str, str]:
        env = {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT,
               "AZURE_AUTHORITY_HOST": self.emu.entra.url}
        return _apply(env, overrides)

    def write_input(self, name: str, content: str, mode: int = 0o600) -> Path:
        """A file the test hands to indexkey (e.g. an identity token file)."""
        path = self.work / name
        path.write_text(content)
        path.chmod(mode)
        self.leaks.add_input(path)
        return path

    # -- running ---------------------------------------------------------
    def canaries(self, env: dict[str, str]) -> Canaries:
        nowhere = set(self.emu.github.issued)
        nowhere.add(self.emu.github.request_token)
        nowhere |= {self.runtime_canary, self.github_token_canary}
        nowhere |= {app.secret for apps in self.emu.entra.tenants.values()
                    for app in apps.values() if app.secret}
        nowhere |= {env[name] for name in SECRET_ENV_NAMES if env.get(name)}
        return Canaries(nowhere=nowhere, access=set(self.emu.entra.issued))

    def run(self, args: list[str], env: Optional[dict[str, str]] = None,
            timeout: float = 30) -> Result:
        result = run_binary(list(args), dict(env or {}), self.home, timeout)
        problems = self.leaks.check(result, self.canaries(result.env))
        if problems:
            raise AssertionError("secret leak:\n  " + "\n  ".join(problems) + f"\n{result}")
        self.results.append(result)  # clean so far; recheck() looks again at the end
        return result

    def recheck(self) -> None:
        """Check every run's output again with the canaries known at the end of the test."""
        for result in self.results:
            problems = self.leaks.check_streams(result, self.canaries(result.env))
            if problems:
                raise AssertionError("secret leak (found at teardown):\n  " + "\n  ".join(problems))

    def github_env_values(self) -> dict[str, str]:
        return parse_github_env(self.github_env.read_text(encoding="utf-8"))

    # -- real clients ----------------------------------------------------
    def client_env(self, **extra: str) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home), **library_path(),
                "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INPUT": "1",
                "PIP_ROOT_USER_ACTION": "ignore", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                **extra}

    def pip_install(self, index_url: str, package: str = "mypkg") -> tuple[subprocess.CompletedProcess, Path]:
        target = self.work / f"site-{len(list(self.work.glob('site-*')))}"
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-cache-dir",
             "--disable-pip-version-check", package],
            env=self.client_env(PIP_INDEX_URL=index_url), capture_output=True, text=True,
            timeout=120)
        return proc, target

    def shell_pip_install(self, exports: str, package: str = "mypkg") -> tuple[subprocess.CompletedProcess, Path]:
        """`eval` indexkey's shell output in sh, then run pip in that shell."""
        target = self.work / f"site-{len(list(self.work.glob('site-*')))}"
        script = ('out=$INDEXKEY_OUT; eval "$out" || exit 97; '
                  '[ -n "$PIP_INDEX_URL" ] || exit 98; '
                  'exec "$PYTHON" -m pip install --target "$TARGET" --no-cache-dir '
                  '--disable-pip-version-check "$PACKAGE"')
        proc = subprocess.run(
            ["sh", "-c", script],
            env=self.client_env(INDEXKEY_OUT=exports, PYTHON=sys.executable,
                                TARGET=str(target), PACKAGE=package),
            capture_output=True, text=True, timeout=120)
        return proc, target

    def twine_upload(self, repository: str, config_file: Path,
                     files: list[Path]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "twine", "upload", "--non-interactive",
             "--disable-progress-bar", "-r", repository, "--config-file", str(config_file),
             *map(str, files)],
            env=self.client_env(), capture_output=True, text=True, timeout=120)


def _apply(env: dict[str, str], overrides: dict[str, Optional[str]]) -> dict[str, str]:
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def login_args(sandbox: Sandbox, *extra: str, url: Optional[str] = None) -> list[str]:
    """`indexkey login <the sandbox feed> --registry azure-artifacts ...`."""
    return ["login", url or sandbox.index_url(), "--registry", "azure-artifacts", *extra]


def export_value(stdout: str, name: str) -> str:
    """The value `sh` would give `name` after evaluating indexkey's shell output."""
    proc = subprocess.run(["sh", "-c", 'eval "$OUT" && printf %s "$(printenv ' + name + ')"'],
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OUT": stdout},
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def index_accepts(url_with_credentials: str, package: str = "mypkg") -> bool:
    """Whether the index serves `package`'s simple page for the credentials in the URL."""
    parts = urllib.parse.urlsplit(url_with_credentials)
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    bare = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    request = urllib.request.Request(
        urllib.parse.urlunsplit(bare) + f"{package}/",
        headers={"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status == 200 and package.encode() in resp.read()
    except urllib.error.HTTPError:
        return False
