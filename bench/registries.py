"""Requests, connections and wall time of each registry flow against the emulator.

    python3 bench/registries.py [--runs N] [--bin .build/release/indexkey]

For every flow: one run with the emulator's log cleared, counting requests and
accepted connections per service, then hyperfine over the release binary.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "EndToEnd"))

from emulator import Emulator  # noqa: E402
from emulator.entra_certificates import make_certificate  # noqa: E402
from emulator.wheel import build_wheel  # noqa: E402
from harness import CLIENT_ID, TENANT  # noqa: E402

IDENTITY = "0123abcd4567ef89/0a1b2c3d4e5f6a7b"


def flows(emu: Emulator, tmp: Path) -> list[tuple[str, list[str], dict[str, str]]]:
    github = {"GITHUB_ACTIONS": "true", "ACTIONS_ID_TOKEN_REQUEST_URL": emu.github.request_url,
              "ACTIONS_ID_TOKEN_REQUEST_TOKEN": emu.github.request_token}
    claims = emu.github.claims
    emu.chainguard.add_identity(IDENTITY, claims["iss"], claims["sub"])
    pull = emu.chainguard.add_pull_token("0123abcd4567ef89/feedfacecafe0001")
    emu.jfrog.add_integration("github-oidc", claims["iss"], "jfrog-github",
                              [({"repository": "octo-org/app"}, "ci-bot")])
    emu.pypi.add_publisher("octo-org/app", "ci.yml")
    job = emu.gitlab.start_job()
    made = make_certificate()
    emu.entra.add_app(TENANT, CLIENT_ID, certificates=[made["certificate"]])
    pem = tmp / "client.pem"
    pem.write_text(made["pem"])
    azure_feed = f"{emu.index.url}/org/proj/_packaging/feed/pypi/simple/"
    gitlab_feed = f"{emu.gitlab.api_url}/projects/42/packages/pypi/simple"
    return [
        ("chainguard: GitHub OIDC -> STS",
         ["login", f"{emu.index.url}/python/simple/", "--registry", "chainguard",
          "--chainguard-issuer", emu.chainguard.url, "--write", "shell"],
         {**github, "CHAINGUARD_IDENTITY": IDENTITY}),
        ("chainguard: pull token",
         ["login", f"{emu.index.url}/python/simple/", "--registry", "chainguard", "--write", "shell"],
         {"CHAINGUARD_PYTHON_IDENTITY_ID": "0123abcd4567ef89/feedfacecafe0001",
          "CHAINGUARD_PYTHON_TOKEN": pull}),
        ("jfrog: GitHub OIDC -> Access",
         ["login", emu.jfrog.repository_url + "/simple", "--jfrog-oidc-provider", "github-oidc",
          "--jfrog-oidc-audience", "jfrog-github", "--write", "shell"], github),
        ("pypi: audience -> GitHub OIDC -> mint",
         ["login", emu.pypi.upload_url, "--registry", "pypi", "--write", "pypirc",
          "--pypirc", str(tmp / "pypirc")], github),
        ("gitlab: job token",
         ["login", gitlab_feed, "--write", "shell"], {"CI_JOB_TOKEN": job}),
        ("azure: certificate -> Entra",
         ["login", azure_feed, "--registry", "azure-artifacts", "--write", "shell"],
         {"AZURE_CLIENT_ID": CLIENT_ID, "AZURE_TENANT_ID": TENANT,
          "AZURE_AUTHORITY_HOST": emu.entra.url, "AZURE_CLIENT_CERTIFICATE_PATH": str(pem)}),
        ("basic: static credentials",
         ["login", gitlab_feed, "--registry", "basic", "--write", "shell"],
         {"INDEXKEY_USERNAME": "gitlab-ci-token", "INDEXKEY_PASSWORD": job}),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "indexkey"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    services = ["github", "entra", "chainguard", "jfrog", "pypi", "gitlab"]
    with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
        emu.index.seed(build_wheel(tmp, "mypkg", "1.0.0"))
        rows = []
        for name, argv, env in flows(emu, Path(tmp)):
            full_env = {"PATH": os.environ["PATH"], "HOME": tmp, **env}
            emu.log.clear()
            before = {s: emu.services[s].connections_since_reset for s in services}
            proc = subprocess.run([args.bin, *argv], env=full_env, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name}: exit {proc.returncode}\n{proc.stderr}", file=sys.stderr)
                return 1
            requests = {s: len(emu.requests(s)) for s in services if emu.requests(s)}
            connections = {s: emu.services[s].connections_since_reset - before[s] for s in services
                           if emu.services[s].connections_since_reset > before[s]}
            export = Path(tmp) / "hyperfine.json"
            command = shlex.join([args.bin, *argv])
            subprocess.run(["hyperfine", "-N", "--warmup", "3", "--runs", str(args.runs),
                            "--export-json", str(export), command],
                           env=full_env, check=True, capture_output=True)
            result = json.loads(export.read_text())["results"][0]
            rows.append((name, requests, connections, result["mean"] * 1000,
                         result["stddev"] * 1000, result["min"] * 1000))
        print(f"{'flow':40} {'requests':32} {'connections':32} {'mean ms':>8} {'± ms':>6} {'min ms':>7}")
        for name, requests, connections, mean, stddev, low in rows:
            print(f"{name:40} {json.dumps(requests):32} {json.dumps(connections):32} "
                  f"{mean:8.1f} {stddev:6.1f} {low:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
