"""The wheel as users install it. Built from the release binary with the build backend and hook
`make wheel` uses, checked as PyPI and auditors read it, installed into fresh virtualenvs with
pip and with `uv tool install`, then run: `--version`, and the demo flow (login against the
emulator, pip install, twine upload) with the installed binary.

Install and start times are printed, never asserted."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

from harness import REPO_ROOT, VERSION, binary_path

SCRIPT = f"indexkey-{VERSION}.data/scripts/indexkey"
# glibc's libraries, and the GCC runtime every glibc system has; libcurl, libxml2 and libsecret
# are opened on first use and must not be here.
SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}
# What the binary may export: its own code (Swift symbols, the C shims' ccurl_/csecret_/cxml_
# functions, the entry point), the linker's markers and copies of glibc's data (stdin). Nothing of
# the libraries linked in.
OWN_SYMBOL = re.compile(r"^(\$s|ccurl_|csecret_|cxml_)|@@?GLIBC_[0-9.]+$|^(main|indexkey_main|_start|_init|_fini|_IO_stdin_used|"
                        r"__bss_start|_edata|_end|__data_start|data_start)$")


def say(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n    {text}", end="")


def run(args: list, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)


def glibc_floor(binary: Path) -> tuple[int, int]:
    out = run(["objdump", "-T", binary], check=True).stdout
    return max((int(a), int(b)) for a, b in re.findall(r"\(GLIBC_(\d+)\.(\d+)(?:\.\d+)?\)", out))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, REPO_ROOT],
               env={**os.environ, "INDEXKEY_BIN": str(binary_path())})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def packaged(wheel, tmp_path_factory) -> Path:
    """The binary as the wheel carries it."""
    path = tmp_path_factory.mktemp("packaged") / "indexkey"
    with zipfile.ZipFile(wheel) as z:
        path.write_bytes(z.read(SCRIPT))
    path.chmod(0o755)
    return path


def test_the_wheel_is_tagged_for_the_glibc_its_binary_needs_and_holds_only_that_binary(wheel, packaged, capsys):
    major, minor = glibc_floor(packaged)
    assert (major, minor) <= (2, 34), "a link option made the binary need a newer glibc than 2.34"
    assert wheel.name == f"indexkey-{VERSION}-py3-none-manylinux_{major}_{minor}_{platform.machine()}.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        mode = z.getinfo(SCRIPT).external_attr >> 16
    info = f"indexkey-{VERSION}.dist-info"
    assert names == {SCRIPT, f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD"}
    assert mode & 0o777 == 0o755
    assert run([packaged, "--version"]).stdout.strip() == VERSION
    say(capsys, f"wheel {wheel.stat().st_size / 1e6:.1f} MB, binary {packaged.stat().st_size / 1e6:.1f} MB "
                f"stripped, glibc {major}.{minor}")


def test_the_binary_needs_only_glibc_and_exports_only_its_own_symbols(packaged):
    dynamic = run(["readelf", "-d", packaged], check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))
    assert needed <= SYSTEM_LIBRARIES, needed - SYSTEM_LIBRARIES
    exported = run(["nm", "-D", "--defined-only", packaged], check=True).stdout.split("\n")
    names = {line.split()[-1] for line in exported if line.strip()}
    assert any(n.startswith("ccurl_") for n in names), "the C shims are expected among the exports"
    foreign = sorted(n for n in names if not OWN_SYMBOL.search(n))
    assert foreign == [], f"exported symbols of linked-in libraries: {foreign[:20]}"


def test_twine_check_wheel_contents_and_auditwheel_agree(wheel):
    tools = {"twine": [sys.executable, "-m", "twine", "check", "--strict", wheel],
             "check-wheel-contents": [sys.executable, "-m", "check_wheel_contents", wheel],
             "auditwheel": [sys.executable, "-m", "auditwheel", "show", wheel]}
    results = {name: run(args, cwd=REPO_ROOT) for name, args in tools.items()}  # pyproject.toml configures them
    for name, proc in results.items():
        assert proc.returncode == 0, f"{name}: {proc.stdout}{proc.stderr}"
    tag = wheel.name.rsplit("-", 1)[1].removesuffix(".whl")
    shown = " ".join(results["auditwheel"].stdout.split())
    assert f'consistent with the following platform tag: "{tag}"' in shown, shown


def timed(args: list, **kw) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = run(args, **kw)
    return proc, time.perf_counter() - start


def offline_env(tmp: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(tmp), "PIP_CONFIG_FILE": os.devnull,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(tmp / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never", "UV_TOOL_DIR": str(tmp / "uv-tools"),
            "UV_TOOL_BIN_DIR": str(tmp / "uv-bin")}


class Installed(NamedTuple):
    binary: Path
    seconds: float  # how long the install took


@pytest.fixture(scope="module")
def pip_installed(wheel, tmp_path_factory) -> Installed:
    """`pip install` of the wheel into a fresh virtualenv."""
    tmp = tmp_path_factory.mktemp("pip")
    env = offline_env(tmp)
    run([sys.executable, "-m", "venv", tmp / "venv"], check=True, env=env)
    proc, seconds = timed([tmp / "venv/bin/python", "-m", "pip", "install", "--no-index", "--no-cache-dir", wheel],
                          env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Installed(tmp / "venv/bin/indexkey", seconds)


@pytest.fixture(scope="module")
def uv_installed(wheel, tmp_path_factory) -> Installed:
    """`uv tool install` of the wheel (offline: it needs nothing else)."""
    tmp = tmp_path_factory.mktemp("uv")
    env = {**offline_env(tmp), "UV_PYTHON": sys.executable}
    proc, seconds = timed(["uv", "tool", "install", "--offline", wheel], env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return Installed(tmp / "uv-bin/indexkey", seconds)


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_the_installed_command_is_the_packaged_binary_and_runs(installer, request, packaged, capsys):
    installed, install_seconds = request.getfixturevalue(f"{installer}_installed")
    assert installed.is_file() and os.access(installed, os.X_OK), installed
    assert installed.resolve().read_bytes() == packaged.read_bytes(), "the installer changed the binary"
    proc, seconds = timed([installed, "--version"], env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and proc.stdout.strip() == VERSION, proc
    say(capsys, f"{installer}: installed in {install_seconds:.2f} s (offline, no cache), "
                f"indexkey --version in {seconds * 1000:.1f} ms (one cold run)")


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_the_demo_flow_runs_with_the_installed_binary(installer, request):
    installed = request.getfixturevalue(f"{installer}_installed").binary
    proc = run([sys.executable, REPO_ROOT / "Tests/EndToEnd/demo.py", "--bin", installed])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for step in ("indexkey login succeeded", "mypkg installed", "uploadpkg-0.1.0-py3-none-any.whl is in the feed"):
        assert f"ok: {step}" in proc.stdout, proc.stdout
    assert "FAILED" not in proc.stdout
