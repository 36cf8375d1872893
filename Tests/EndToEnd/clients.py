"""The packaging clients the sink tests drive, each run the way a later CI step would:
a clean environment holding only what indexkey wrote (plus PATH and HOME)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from harness import REPO_ROOT

# Poetry and Hatch are installed once into their own virtualenv (uv makes that a few
# seconds), away from the suite's own packages, in versions the tests were written for.
TOOLS_DIR = REPO_ROOT / ".build" / "e2e-tools"
TOOL_REQUIREMENTS = ("poetry>=2,<3", "hatch>=1.14,<2")


def tool(name: str) -> str:
    """The path of `poetry` or `hatch`, installing both into TOOLS_DIR if needed."""
    exe = TOOLS_DIR / "bin" / name
    if not exe.exists():
        uv = shutil.which("uv") or "uv"
        subprocess.run([uv, "venv", "-q", "--clear", "--python", sys.executable, str(TOOLS_DIR)], check=True)
        subprocess.run([uv, "pip", "install", "-q", "--python", str(TOOLS_DIR / "bin" / "python"),
                        *TOOL_REQUIREMENTS], check=True)
    return str(exe)


class Clients:
    """Runs pip, uv, twine, Poetry and Hatch in `work` with `env` (what indexkey wrote)."""

    def __init__(self, sandbox, work: Path) -> None:
        self.sandbox = sandbox
        self.work = work
        self.cache = work / "cache"

    def env(self, values: dict[str, str], **extra: str) -> dict[str, str]:
        env = self.sandbox.client_env(**values, **extra)
        env.update({
            "UV_NO_CONFIG": "1", "UV_CACHE_DIR": str(self.cache / "uv"), "UV_PYTHON": sys.executable,
            "POETRY_CACHE_DIR": str(self.cache / "poetry"), "POETRY_KEYRING_ENABLED": "false",
            "POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_NO_INTERACTION": "1",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "HATCH_DATA_DIR": str(self.cache / "hatch-data"), "HATCH_CACHE_DIR": str(self.cache / "hatch"),
            "XDG_CONFIG_HOME": str(self.work / "xdg"),
        })
        return env

    def run(self, args: list[str], values: dict[str, str], cwd: Optional[Path] = None,
            **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, env=self.env(values, **extra), cwd=cwd or self.work,
                              capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)

    def target(self) -> Path:
        return self.work / f"site-{len(list(self.work.glob('site-*')))}"

    def pip_install(self, values: dict[str, str], package: str = "mypkg", **extra: str):
        target = self.target()
        proc = self.run([sys.executable, "-m", "pip", "install", "--no-cache-dir", "--target",
                         str(target), package], values, **extra)
        return proc, target

    def uv_install(self, values: dict[str, str], *options: str, package: str = "mypkg", **extra: str):
        target = self.target()
        proc = self.run(["uv", "pip", "install", "--no-cache", "--target", str(target), *options,
                         package], values, **extra)
        return proc, target

    def uv_publish(self, values: dict[str, str], dist: Path, **extra: str):
        return self.run(["uv", "publish", "--no-cache", "--trusted-publishing", "never", str(dist)],
                        values, **extra)

    def twine_upload(self, values: dict[str, str], dist: Path, *options: str):
        return self.run([sys.executable, "-m", "twine", "upload", "--non-interactive",
                         "--disable-progress-bar", *options, str(dist)], values)

    def hatch_publish(self, values: dict[str, str], dist: Path):
        project = self.work / "hatch-project"
        project.mkdir(exist_ok=True)
        return self.run([tool("hatch"), "publish", "--no-prompt", str(dist)], values, cwd=project)

    def poetry_install(self, values: dict[str, str], source: str, url: str):
        """`poetry install` of a project that depends on mypkg from the named source only."""
        project = self.work / "poetry-project"
        project.mkdir(exist_ok=True)
        (project / "pyproject.toml").write_text(
            '[project]\nname = "consumer"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
            'dependencies = ["mypkg"]\n\n[tool.poetry]\npackage-mode = false\n\n'
            f'[[tool.poetry.source]]\nname = "{source}"\nurl = "{url}"\npriority = "primary"\n')
        return self.run([tool("poetry"), "install", "--no-root"], values, cwd=project), project
