"""Run the emulator on its own: ``python3 -m emulator serve --state-file PATH``.

Starts every service on loopback, registers a demo tenant and app whose
federated credential matches the default GitHub claims (and which also has a
client secret), seeds a small package, writes a JSON state file describing
all of it, and serves until interrupted or terminated.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from . import Emulator
from .wheel import build_wheel

DEMO_TENANT = "3f1b5c2e-7a4d-4e8b-9c1f-0d2e3a4b5c6d"
DEMO_CLIENT_ID = "6d5c1f2a-8f4e-4b7a-9c3d-2e1f0a9b8c7d"
DEMO_ORG, DEMO_PROJECT, DEMO_FEED = "octo-org", "app", "internal"


def configure_demo(emu: Emulator, secret: str) -> dict[str, Any]:
    """Register the demo app; return the state a client needs to use it."""
    claims = emu.github.claims
    emu.trust_github(DEMO_TENANT, DEMO_CLIENT_ID, secret=secret)
    feed_root = f"{emu.index.url}/{DEMO_ORG}/{DEMO_PROJECT}/_packaging/{DEMO_FEED}/pypi"
    return {
        "pid": os.getpid(),
        "services": emu.urls(),
        "github": {"request_url": emu.github.request_url,
                   "request_token": emu.github.request_token,
                   "issuer": claims["iss"], "subject": claims["sub"]},
        "entra": {"authority_host": emu.entra.url, "tenant_id": DEMO_TENANT,
                  "client_id": DEMO_CLIENT_ID, "client_secret": secret,
                  "token_endpoint": emu.entra.token_endpoint(DEMO_TENANT)},
        "index": {"simple_url": feed_root + "/simple/", "upload_url": feed_root + "/upload/",
                  "feed": DEMO_FEED, "packages_dir": str(emu.index.packages_dir)},
        "environment": {
            "GITHUB_ACTIONS": "true",
            "ACTIONS_ID_TOKEN_REQUEST_URL": emu.github.request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": emu.github.request_token,
            "AZURE_CLIENT_ID": DEMO_CLIENT_ID,
            "AZURE_TENANT_ID": DEMO_TENANT,
            "AZURE_AUTHORITY_HOST": emu.entra.url,
        },
    }


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Write atomically, so a reader polling for the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def serve(args: argparse.Namespace) -> int:
    import secrets
    emu = Emulator(packages_dir=args.packages_dir)
    emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        emu.index.seed(build_wheel(tmp, "mypkg", "1.0.0"))
    state = configure_demo(emu, "demo-secret-" + secrets.token_urlsafe(16))
    state_file = Path(args.state_file)
    write_state(state_file, state)
    print(f"emulator serving {json.dumps(state['services'])}; state in {state_file}",
          file=sys.stderr, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    emu.stop()
    try:
        state_file.unlink()
    except FileNotFoundError:
        pass
    return 0


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run every emulated service until killed")
    p.add_argument("--state-file", required=True, help="where to write ports, URLs and secrets")
    p.add_argument("--packages-dir", help="package directory (default: a fresh temp dir)")
    p.set_defaults(func=serve)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
