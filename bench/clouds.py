#!/usr/bin/env python3
"""Wall time, requests and connections of each Google and AWS flow against the emulator.

    swift build -c release && python3 bench/clouds.py [--runs 30]

For each flow: one counted run (requests and connections per emulated service), then
hyperfine over the release binary (`--write shell`, output discarded). Results are
printed as a table and written to bench/out/clouds-*.json, after the binary's bare
startup (`--version`) for comparison. Run it where loopback is not shaped (a traffic
shaper on `lo` adds its own delays), e.g. `unshare --net sh -c 'ip link set lo up && …'`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))

from clouds import (GCP_SA, aws_args, configure_aws, configure_google,  # noqa: E402
                    google_args, google_endpoints, gar_url)
from emulator import Emulator  # noqa: E402

SERVICES = ["github", "google-sts", "google-iam", "google-oauth", "aws-sts", "codeartifact"]


def flows(emu, work: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    runner = {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": emu.github.request_url,
              "ACTIONS_ID_TOKEN_REQUEST_TOKEN": emu.github.request_token}
    key = work / "key.json"
    key.write_text(emu.google.new_key_file(GCP_SA))
    keys = emu.aws.add_static_keys(session=True)
    file_args = ["login", gar_url(emu), "--registry", "google-artifact-registry", *google_endpoints(emu)]
    return [
        ("gcp-wif-impersonation", google_args(emu), runner),
        ("gcp-wif-direct", google_args(emu, impersonate=False), runner),
        ("gcp-service-account-key", file_args, {"GOOGLE_APPLICATION_CREDENTIALS": str(key)}),
        ("aws-web-identity", aws_args(emu), runner),
        ("aws-static-keys", aws_args(emu, role=None),
         {"AWS_ACCESS_KEY_ID": keys.access_key_id, "AWS_SECRET_ACCESS_KEY": keys.secret,
          "AWS_SESSION_TOKEN": keys.session_token or ""}),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--binary", default=os.environ.get("INDEXKEY_BIN", str(ROOT / ".build/release/indexkey")))
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        emu.reset()
        configure_google(emu)
        configure_aws(emu)
        for name, login, extra in flows(emu, Path(tmp)):
            env = {"PATH": os.environ["PATH"], "HOME": tmp, **extra}
            command = [args.binary, *login, "--write", "shell"]
            before = {s: (len(emu.requests(s)), emu.connections(s)) for s in SERVICES}
            proc = subprocess.run(command, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name}: exit {proc.returncode}\n{proc.stderr}", file=sys.stderr)
                return 1
            counts = {s: (len(emu.requests(s)) - before[s][0], emu.connections(s) - before[s][1]) for s in SERVICES}
            counts = {s: c for s, c in counts.items() if c != (0, 0)}
            report = out / f"clouds-{name}.json"
            # -N: no shell in between, so the time is the binary's alone (no argument has spaces)
            subprocess.run(["hyperfine", "-N", "--runs", str(args.runs), "--warmup", "3",
                            "--export-json", str(report), " ".join(command)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            result = json.loads(report.read_text())["results"][0]
            rows.append((name, sum(r for r, _ in counts.values()), sum(c for _, c in counts.values()), counts,
                         result["mean"] * 1000, result["stddev"] * 1000, result["min"] * 1000))
    baseline = out / "clouds-startup.json"
    subprocess.run(["hyperfine", "-N", "--runs", str(args.runs), "--warmup", "3", "--export-json", str(baseline),
                    f"{args.binary} --version"], check=True, stdout=subprocess.DEVNULL)
    start = json.loads(baseline.read_text())["results"][0]
    rows.insert(0, ("startup (--version)", 0, 0, {}, start["mean"] * 1000, start["stddev"] * 1000, start["min"] * 1000))
    print(f"{'flow':26} {'requests':>8} {'conns':>5} {'mean ms':>8} {'± ms':>6} {'min ms':>7}  per service (requests/connections)")
    for name, requests, connections, counts, mean, stddev, low in rows:
        detail = ", ".join(f"{s} {r}/{c}" for s, (r, c) in counts.items())
        print(f"{name:26} {requests:8} {connections:5} {mean:8.1f} {stddev:6.1f} {low:7.1f}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
