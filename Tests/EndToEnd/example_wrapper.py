"""Stands in for `indexkey` while the CI examples' command lines run (test_ci_examples.py).

Each call is logged (arguments, exit code, output) to the file the config names. `login`
calls get `--dry-run`, and the endpoints that no environment variable can redirect are
pointed at the emulator (the PyPI upload URL, Google's STS and IAM, Chainguard's issuer,
the JFrog platform's host in the repository URL).
A call that needs a registry, flag or output this build lacks is logged as unavailable and
exits 0 without running, so the test can say so rather than fail or pass silently.

    INDEXKEY_EXAMPLE_CONFIG=config.json python3 example_wrapper.py login URL ...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ci_examples import (Capabilities, option_values, positional_urls,  # noqa: E402
                         registry_for, sinks_of)


def point_at_emulator(args: list[str], registries: list[str], endpoints: dict) -> list[str]:
    """`login` arguments with the endpoints only a flag or the URL can change replaced."""
    def need(name: str) -> str:
        if not endpoints.get(name):
            raise SystemExit(f"example wrapper: the emulator has no {name} service for this command")
        return endpoints[name]

    out = list(args)
    if "pypi" in registries:
        out = [need("pypi_upload") if registry_for(a) == "pypi" else a for a in out]
        if not option_values(out, "--registry"):
            out += ["--registry", "pypi"]
    if "google-artifact-registry" in registries:
        if not option_values(out, "--gcp-sts-endpoint"):
            out += ["--gcp-sts-endpoint", need("google_sts")]
        if not option_values(out, "--gcp-iam-credentials-endpoint"):
            out += ["--gcp-iam-credentials-endpoint", need("google_iam")]
    if "jfrog" in registries:
        # A JFrog token goes only to its platform's host: the repository moves with it.
        origin = need("jfrog")
        out = [origin + "/" + a.split("://", 1)[1].split("/", 1)[1] if registry_for(a) == "jfrog" else a for a in out]
    if "chainguard" in registries and not option_values(out, "--chainguard-issuer"):
        out += ["--chainguard-issuer", need("chainguard")]
    return out


def main() -> int:
    config = json.loads(Path(os.environ["INDEXKEY_EXAMPLE_CONFIG"]).read_text())
    caps = Capabilities(set(config["flags"]), set(config["registries"]), set(config["sinks"]))
    args = sys.argv[1:]
    entry: dict = {"given": args}
    if args[:1] == ["login"]:
        rest = args[1:]
        forced = option_values(rest, "--registry")
        registries = forced[-1:] if forced else [r for r in map(registry_for, positional_urls(rest)) if r]
        gaps = caps.missing(rest, registries, sinks_of(rest))
        if gaps:
            entry["unavailable"] = gaps
            with open(config["log"], "a") as log:
                log.write(json.dumps(entry) + "\n")
            return 0
        args = ["login", *point_at_emulator(rest, registries, config["endpoints"]), "--dry-run"]
    started = time.monotonic()
    proc = subprocess.run([config["binary"], *args], stdin=subprocess.DEVNULL, capture_output=True)
    entry.update(args=args, code=proc.returncode, duration=time.monotonic() - started,
                 stdout=proc.stdout.decode("utf-8", "replace"), stderr=proc.stderr.decode("utf-8", "replace"))
    with open(config["log"], "a") as log:
        log.write(json.dumps(entry) + "\n")
    sys.stdout.buffer.write(proc.stdout)
    sys.stderr.buffer.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
