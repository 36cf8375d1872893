#!/usr/bin/env python3
"""Is a secret ever logged before its mask? A harness that runs a step as a CI runner does.

The process names itself `Runner.Worker` (as GitHub's worker is named), runs the step
script with `bash --noprofile --norc -eo pipefail SCRIPT`, and reads the step's stdout and
stderr on two pipes with one thread each, queueing every line as it arrives: the order in
which a runner would log (and mask) them. A run "leaks" when a line holding the secret is
queued before the `::add-mask::` line for it.

    INDEXKEY_BIN=.build/release/indexkey python3 Tests/EndToEnd/mask_order.py [RUNS]
    ... --as-other   the harness keeps its own name: indexkey cannot tell stdout is the log

No network: `--registry basic` with the password in INDEXKEY_PASSWORD.
"""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import tempfile
import threading

SECRET = "canary-mask-order-" + os.urandom(8).hex()
URL = "https://index.example.test/simple/"


def name_this_process(name: str) -> None:
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(name.encode()), 0, 0, 0)  # PR_SET_NAME


def run_step(script: str, env: dict[str, str]) -> list[tuple[str, str]]:
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
        f.write(script)
    try:
        proc = subprocess.Popen(["bash", "--noprofile", "--norc", "-eo", "pipefail", f.name], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        queue: list[tuple[str, str]] = []
        lock = threading.Lock()

        def reader(stream, name):
            for line in iter(stream.readline, b""):
                with lock:
                    queue.append((name, line.decode()))

        threads = [threading.Thread(target=reader, args=(proc.stdout, "out")),
                   threading.Thread(target=reader, args=(proc.stderr, "err"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if proc.wait() != 0:
            raise SystemExit(f"step failed: {queue}")
        return queue
    finally:
        os.unlink(f.name)


def verdict(queue: list[tuple[str, str]]) -> str:
    masked = False
    for _, line in queue:
        if line.startswith("::add-mask::") and SECRET in line:
            masked = True
        elif SECRET in line and not masked:
            return "leaked"
    return "ok" if masked else "not masked"


def main() -> None:
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "200"))
    if "--as-other" not in sys.argv:
        name_this_process("Runner.Worker")
    binary = os.environ.get("INDEXKEY_BIN", ".build/release/indexkey")
    env = {"PATH": os.environ["PATH"], "HOME": tempfile.mkdtemp(), "GITHUB_ACTIONS": "true",
           "INDEXKEY_USERNAME": "ci", "INDEXKEY_PASSWORD": SECRET, "IK": binary, "URL": URL}
    steps = {
        "token, printed": '"$IK" token "$URL" --registry basic\n',
        "login --write shell, printed": '"$IK" login "$URL" --registry basic --write shell\n',
        "$(token)": 'T=$("$IK" token "$URL" --registry basic)\n[ "$T" = "$INDEXKEY_PASSWORD" ]\necho "captured ${#T} characters"\n',
        'eval "$(login --write shell)"': 'eval "$("$IK" login "$URL" --registry basic --write shell)"\n'
                                          '[ "$PIP_INDEX_URL" = "https://ci:$INDEXKEY_PASSWORD@index.example.test/simple/" ]\n'
                                          'echo "eval worked"\n',
    }
    for title, script in steps.items():
        counts: dict[str, int] = {}
        for _ in range(runs):
            v = verdict(run_step(script, env))
            counts[v] = counts.get(v, 0) + 1
        print(f"{title:32} {runs} runs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
