"""IndexKit as a library: a package outside this one depends on it, sees only its public
surface (`IndexCredentials`), and mints a working credential against the emulator."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness import CLIENT_ID, TENANT, USERNAME, Result, index_accepts, masked_values

REPO = Path(__file__).resolve().parents[2]

MANIFEST = """// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "consumer",
  dependencies: [.package(path: "{repo}")],
  targets: [
    .executableTarget(name: "mint", dependencies: [.product(name: "IndexKit", package: "{identity}")]),
    .executableTarget(name: "peek", dependencies: [.product(name: "IndexKit", package: "{identity}")]),
  ]
)
"""

# The URL and registry from the environment, the password to the file CONSUMER_PASSWORD_FILE
# names; stdout gets only what may be shown.
MINT = """import Foundation
import IndexKit

let environment = ProcessInfo.processInfo.environment
let credential: IndexCredentials.Credential
do {
  credential = try IndexCredentials.mint(
    forIndex: environment["CONSUMER_URL"]!, registry: environment["CONSUMER_REGISTRY"], environment: environment)
} catch {
  print("failed exit=\\(error.exitCode) message=\\(error.message)")
  exit(error.exitCode)
}
try! credential.password.revealed.write(toFile: environment["CONSUMER_PASSWORD_FILE"]!, atomically: true, encoding: .utf8)
print("username=\\(credential.username) index=\\(credential.indexURL) password=\\(credential.password)")
print("expires=\\(credential.expiresAt.map { String(Int($0)) } ?? "-")")
"""

# Reaches past the public surface: must not compile.
PEEK = """import IndexKit

print(Secret("x").revealed)
"""


@pytest.fixture(scope="module")
def consumer(tmp_path_factory):
    root = tmp_path_factory.mktemp("consumer")
    (root / "Package.swift").write_text(MANIFEST.format(repo=REPO, identity=REPO.name.lower()))
    for name, source in (("mint", MINT), ("peek", PEEK)):
        (root / "Sources" / name).mkdir(parents=True)
        (root / "Sources" / name / "main.swift").write_text(source)
    built = subprocess.run(["swift", "build", "--product", "mint"], cwd=root, capture_output=True,
                           text=True, timeout=1200)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    binary = subprocess.run(["swift", "build", "--product", "mint", "--show-bin-path"], cwd=root,
                            capture_output=True, text=True, timeout=300).stdout.strip()
    return root, Path(binary) / "mint"


def test_a_dependent_package_sees_only_the_public_surface(consumer):
    root, _ = consumer
    peek = subprocess.run(["swift", "build", "--product", "peek"], cwd=root, capture_output=True,
                          text=True, timeout=600)
    output = peek.stdout + peek.stderr
    assert peek.returncode != 0, output
    assert ("cannot find 'Secret' in scope" in output
            or "'Secret' is inaccessible due to 'package' protection level" in output), output


def run_consumer(binary: Path, sandbox, env: dict[str, str], password_file: Path) -> Result:
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(sandbox.home),
                "CONSUMER_URL": sandbox.index_url(), "CONSUMER_REGISTRY": "azure-artifacts",
                "CONSUMER_PASSWORD_FILE": str(password_file), **env}
    proc = subprocess.run([str(binary)], env=full_env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)
    result = Result(["mint"], proc.returncode, proc.stdout, proc.stderr, 0, full_env)
    problems = sandbox.leaks.check_streams(result, sandbox.canaries(full_env))
    assert not problems, problems
    return result


def test_mints_a_credential_the_index_accepts(consumer, emu, sandbox, tmp_path_factory):
    _, binary = consumer
    password_file = tmp_path_factory.mktemp("consumer-out") / "password"
    result = run_consumer(binary, sandbox, sandbox.github_runner_env(), password_file)
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert password_file.read_text() == token
    # masked first in CI, as the executable does; shown nowhere else
    assert token in masked_values(result.stderr)
    assert token not in result.stdout
    assert token not in result.stderr.replace(f"::add-mask::{token}", "")
    assert f"username={USERNAME} index={sandbox.index_url()} password=***" in result.stdout
    assert "expires=-" not in result.stdout
    url = sandbox.index_url().replace("http://", f"http://{USERNAME}:{token}@", 1)
    assert index_accepts(url)


def test_a_refusal_is_indexkeys_sentence_and_exit_code(consumer, emu, sandbox, tmp_path_factory):
    _, binary = consumer
    emu.trust_github(TENANT, CLIENT_ID, subject="repo:someone-else/app:ref:refs/heads/main")
    password_file = tmp_path_factory.mktemp("consumer-out") / "password"
    result = run_consumer(binary, sandbox, sandbox.github_runner_env(), password_file)
    assert result.code == 4, result
    assert "failed exit=4 message=" in result.stdout
    assert "repo:octo-org/app" in result.stdout  # the subject the token presented
    assert not password_file.exists()
