"""Puts the indexkey binary into the wheel as its only script and tags the wheel for the
platform the binary needs.

The binary is INDEXKEY_BIN, or .build/release/indexkey (`make release`); it is stripped into
a temporary copy. The tag is computed from the binary itself, never from the machine that
builds the wheel: the architecture from its ELF header, and the manylinux glibc version from
the newest GLIBC_x.y symbol version it refers to (`objdump -T`). A binary that needs a shared
library other than glibc's (and libgcc_s) is refused: only `make release` links the others in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# What a manylinux system always has; everything else must be linked in or opened on first use.
SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
                    "libpthread.so.0", "libdl.so.2", "librt.so.1"}
# ELF e_machine values and the wheel's name for them.
ARCHITECTURES = {62: "x86_64", 183: "aarch64"}


class BinaryWheelHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        if version == "editable":
            raise RuntimeError("indexkey is a binary: there is no editable install; run make wheel")
        binary = Path(os.environ.get("INDEXKEY_BIN") or Path(self.root) / ".build" / "release" / "indexkey")
        if not binary.is_file():
            raise RuntimeError(f"no indexkey binary at {binary}: run `make release` first, or set INDEXKEY_BIN")
        self._tmp = tempfile.mkdtemp(prefix="indexkey-wheel-")
        stripped = Path(self._tmp) / "indexkey"
        subprocess.run(["strip", "--strip-all", "-o", str(stripped), str(binary)], check=True)
        stripped.chmod(0o755)
        unexpected = sorted(needed_libraries(stripped) - SYSTEM_LIBRARIES)
        if unexpected:
            raise RuntimeError(f"{binary} needs {', '.join(unexpected)} at start; build it with `make release`, "
                               "which links those in")
        build_data["tag"] = f"py3-none-{platform_tag(stripped)}"
        build_data["pure_python"] = False
        build_data["shared_scripts"][str(stripped)] = "indexkey"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)


def needed_libraries(binary: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def glibc_floor(binary: Path) -> tuple[int, int]:
    """The newest GLIBC_x.y version among the symbols the binary imports."""
    out = subprocess.run(["objdump", "-T", str(binary)], capture_output=True, text=True, check=True).stdout
    versions = {(int(a), int(b)) for a, b in re.findall(r"\bGLIBC_(\d+)\.(\d+)(?:\.\d+)?\b", out)}
    if not versions:
        raise RuntimeError(f"{binary} refers to no versioned glibc symbol: is it a dynamically linked Linux binary?")
    return max(versions)


def platform_tag(binary: Path) -> str:
    with open(binary, "rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
        raise RuntimeError(f"{binary} is not a 64-bit little-endian ELF binary")
    machine = int.from_bytes(header[18:20], "little")
    if machine not in ARCHITECTURES:
        raise RuntimeError(f"{binary} is built for ELF machine {machine}, for which no wheel tag is known")
    major, minor = glibc_floor(binary)
    return f"manylinux_{major}_{minor}_{ARCHITECTURES[machine]}"
