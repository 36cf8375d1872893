"""A secret printed on stdout is never logged before its mask, as a runner reads the two
pipes; captured output (`$(indexkey token URL)`, `eval "$(…)"`) stays exactly as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import binary_path


def test_masks_precede_secrets_and_captured_output_is_untouched():
    script = Path(__file__).with_name("mask_order.py")
    proc = subprocess.run([sys.executable, str(script), "25"], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "INDEXKEY_BIN": str(binary_path())})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 4, proc.stdout
    for line in lines:
        assert line.endswith("25 runs: ok 25"), proc.stdout
