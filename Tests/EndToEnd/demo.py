#!/usr/bin/env python3
"""Show indexkey end to end on loopback: a simulated GitHub Actions job logs in
to an emulated Azure Artifacts feed, then real pip installs from it and real
twine uploads to it. Secrets are shown as ***. Exits non-zero on any failure.

    python3 Tests/EndToEnd/demo.py [--bin PATH]     (default: $INDEXKEY_BIN or .build/release/indexkey)
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator import Emulator  # noqa: E402
from emulator.wheel import build_wheel  # noqa: E402
from harness import (CLIENT_ID, FEED, TENANT, Sandbox, binary_path, login_args,  # noqa: E402
                     quote_all)


class Demo:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.step = 0
        self.also_hidden: set[str] = set()

    def hide(self, text: str) -> str:
        secrets = set(self.emu.github.issued) | set(self.emu.entra.issued)
        secrets.add(self.emu.github.request_token)
        secrets |= self.also_hidden
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***").replace(quote_all(secret), "***")
        return text

    def say(self, title: str, detail: str = "") -> None:
        self.step += 1
        print(f"\n[{self.step}] {title}")
        if detail.strip():
            print(textwrap.indent(self.hide(detail.rstrip()), "    "))

    def check(self, ok: bool, what: str) -> None:
        print(f"    {'ok' if ok else 'FAILED'}: {what}")
        if not ok:
            raise SystemExit(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="the indexkey binary")
    args = parser.parse_args()
    if args.bin:
        os.environ["INDEXKEY_BIN"] = str(Path(args.bin).resolve())
    binary = binary_path()
    if not binary.exists():
        print(f"indexkey binary not found at {binary}; run `swift build -c release` first",
              file=sys.stderr)
        return 2

    with Emulator() as emu, tempfile.TemporaryDirectory(prefix="indexkey-demo-") as tmp:
        root = Path(tmp)
        demo = Demo(emu)
        emu.index.seed(build_wheel(root / "seed", "mypkg", "1.0.0"))
        upload = build_wheel(root / "dist", "uploadpkg", "0.1.0")
        claims = emu.github.claims
        emu.trust_github(TENANT, CLIENT_ID)
        (root / "job").mkdir()
        box = Sandbox(emu, root / "job")
        demo.also_hidden |= {box.runtime_canary, box.github_token_canary}
        demo.say("Emulator up on loopback", "\n".join(f"{k:7} {v}" for k, v in emu.urls().items()) +
                 f"\nEntra app {CLIENT_ID} in tenant {TENANT} trusts "
                 f"{claims['iss']} subject {claims['sub']}\nfeed has: {', '.join(emu.index.packages())}")

        env = box.github_runner_env()
        shown = {k: v for k, v in env.items()
                 if k.startswith(("GITHUB_A", "GITHUB_ENV", "ACTIONS_ID", "AZURE_"))}
        cmd = login_args(box, "--write", "github-env,pypirc")
        demo.say("GitHub Actions job runs: indexkey " + shlex.join(cmd),
                 "\n".join(f"{k}={v}" for k, v in sorted(shown.items())))
        try:
            result = box.run(cmd, env)
        except AssertionError as failure:
            demo.say("indexkey run rejected", str(failure))
            return 1
        print(textwrap.indent(demo.hide(f"exit {result.code} in {result.duration:.2f}s\n"
                                        f"stderr:\n{result.stderr}stdout:\n{result.stdout}"), "    "))
        demo.check(result.code == 0, "indexkey login succeeded")
        demo.check(len(emu.requests("github")) == 1 and len(emu.entra.grants) == 1,
                   "one OIDC token fetched, one Entra exchange")

        values = box.github_env_values()
        demo.say("Next step sees from GITHUB_ENV", "\n".join(f"{k}={v}" for k, v in values.items()))
        demo.check("PIP_INDEX_URL" in values, "PIP_INDEX_URL was set")
        pypirc = box.home / ".pypirc"
        demo.say("~/.pypirc", pypirc.read_text() if pypirc.exists() else "(missing)")
        demo.check(pypirc.exists() and oct(pypirc.stat().st_mode & 0o777) == "0o600",
                   ".pypirc written with mode 0600")

        demo.say("pip install mypkg (PIP_INDEX_URL from GITHUB_ENV, PIP_CONFIG_FILE=/dev/null)")
        proc, target = box.pip_install(values.get("PIP_INDEX_URL", ""))
        print(textwrap.indent(demo.hide(proc.stdout + proc.stderr).rstrip(), "    "))
        demo.check(proc.returncode == 0 and (target / "mypkg" / "__init__.py").exists(),
                   "mypkg installed")

        demo.say(f"twine upload -r {FEED} --config-file ~/.pypirc {upload.name}")
        proc = box.twine_upload(FEED, pypirc, [upload])
        print(textwrap.indent(demo.hide(proc.stdout + proc.stderr).rstrip(), "    "))
        demo.check(proc.returncode == 0 and upload.name in emu.index.packages(),
                   f"{upload.name} is in the feed")

        box.recheck()
        demo.say("Done", "no OIDC token, request token or access token leaked outside its sink")
    return 0


if __name__ == "__main__":
    sys.exit(main())
