"""How action.yml gets indexkey onto a runner, run for real: its own scripts, in bash as the
runner runs them, against a loopback server laid out like GitHub's release downloads, with a
tarball of the release binary. The right tarball is installed; one that does not match its
SHA-256 is refused and nothing is installed; a release without a tarball for the runner falls
back to a build from source."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import re
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest

from ci_examples import ACTION, load_yaml
from harness import REPO_ROOT, VERSION, binary_path

REPOSITORY = "octo-org/indexkey"
ASSET = f"indexkey-{VERSION}-linux-x86_64.tar.gz"


def step(step_id: str) -> dict:
    return next(s for s in load_yaml(ACTION)["runs"]["steps"] if s.get("id") == step_id)


def run_step(step_id: str, env: dict[str, str], tmp: Path) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The step's script in bash as GitHub runs a `shell: bash` step; its outputs."""
    output = tmp / f"{step_id}.output"
    output.write_text("")
    script = step(step_id)["run"]
    assert "${{" not in script, "inputs must reach the script as variables"
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          env={"PATH": os.environ["PATH"], "HOME": str(tmp), "GITHUB_OUTPUT": str(output), **env},
                          capture_output=True, text=True, timeout=60)
    return proc, dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)


class Releases:
    """GitHub's /OWNER/REPO/releases/download/TAG/FILE, on loopback."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, name: str, body: bytes) -> None:
        self.files[f"/{REPOSITORY}/releases/download/v{VERSION}/{name}"] = body


def tarball() -> bytes:
    """The release tarball's layout (make dist): indexkey-VERSION-linux-x86_64/indexkey."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        tar.add(binary_path(), arcname=f"indexkey-{VERSION}-linux-x86_64/indexkey")
    return buffer.getvalue()


@pytest.fixture
def releases():
    server = Releases()
    yield server
    server.server.shutdown()


def plan(tmp: Path, from_source: str = "false", repository: str = REPOSITORY) -> dict[str, str]:
    proc, outputs = run_step("plan", {"SOURCE": str(REPO_ROOT), "REPOSITORY": repository, "FROM_SOURCE": from_source,
                                      "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
                                      "RUNNER_TOOL_CACHE": str(tmp / "toolcache")}, tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return outputs


def download(tmp: Path, releases: Releases, planned: dict[str, str]):
    return run_step("download", {"SERVER": releases.url, "REPOSITORY": REPOSITORY, "VERSION": planned["version"],
                                 "ASSET": planned["asset"], "DEST": planned["dir"]}, tmp)


def test_the_action_installs_the_release_tarball_of_its_own_version(tmp_path, releases):
    planned = plan(tmp_path)
    assert planned["version"] == VERSION and planned["asset"] == ASSET and planned["from"] == "release"
    assert planned["key"] == f"indexkey-release-{VERSION}-linux-x86_64"
    body = tarball()
    releases.publish(ASSET, body)
    releases.publish(ASSET + ".sha256", f"{hashlib.sha256(body).hexdigest()}  {ASSET}\n".encode())
    proc, outputs = download(tmp_path, releases, planned)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["found"] == "true"
    installed = Path(planned["dir"]) / "indexkey"
    assert installed.read_bytes() == binary_path().read_bytes()
    version = subprocess.run([str(installed), "--version"], capture_output=True, text=True, timeout=10)
    assert version.stdout.strip() == VERSION


def test_a_tarball_that_does_not_match_its_sha256_is_refused_and_nothing_installed(tmp_path, releases):
    planned = plan(tmp_path)
    body = tarball()
    releases.publish(ASSET, body)
    releases.publish(ASSET + ".sha256", f"{hashlib.sha256(body + b'x').hexdigest()}  {ASSET}\n".encode())
    proc, outputs = download(tmp_path, releases, planned)
    assert proc.returncode != 0
    assert f"::error::{ASSET} does not match the SHA-256 published with it" in proc.stdout, proc.stdout
    assert "found" not in outputs, "a mismatch must never fall back to a build"
    assert not Path(planned["dir"]).exists()


def test_a_release_without_a_tarball_for_the_runner_falls_back_to_a_build(tmp_path, releases):
    planned = plan(tmp_path)
    proc, outputs = download(tmp_path, releases, planned)  # nothing published: 404
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["found"] == "false"
    assert not Path(planned["dir"]).exists()
    build = next(s for s in load_yaml(ACTION)["runs"]["steps"] if "make -C" in s.get("run", ""))
    assert "steps.download.outputs.found == 'false'" in build["if"]


def test_build_from_source_and_a_local_action_skip_the_download(tmp_path):
    for planned in (plan(tmp_path, from_source="true"), plan(tmp_path, repository="")):
        assert planned["from"] == "source"
        assert re.fullmatch(r"indexkey-source-[0-9a-f]{32}-linux-x86_64", planned["key"]), planned["key"]
    assert step("download")["if"].endswith("steps.plan.outputs.from == 'release'")
