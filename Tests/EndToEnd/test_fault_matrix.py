"""Every fault on every exchange route: injected once, indexkey survives with a working
credential; injected every time, it exits with the code that names the failure, within
its deadline, having written nothing.

Each route gets an emulator of its own, and the routes run side by side (their cells one
after another), so the whole matrix takes about as long as its slowest route.
"""

from __future__ import annotations

import base64
import concurrent.futures
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from clouds import AWS_REGION, aws_args, configure_aws, configure_google, google_args
from emulator import Emulator, faults
from emulator.wheel import build_wheel
from harness import CLIENT_ID, TENANT, index_accepts, login_args
from registry_harness import RegistrySandbox

TIMEOUT = 1  # --timeout: a stall costs a second per attempt
STALL = 30  # a stall outlasts every attempt
WRITES = ["--write", "github-env,pypirc", "--timeout", str(TIMEOUT)]


@dataclass
class Route:
    name: str
    service: str
    prefix: str
    setup: Callable[[Emulator], None]
    args: Callable[[RegistrySandbox], list[str]]
    env: Callable[[RegistrySandbox], dict[str, str]]
    works: Callable[[RegistrySandbox, Emulator], bool]
    # what an expired credential every time exits with: 3 for the CI token, else 5
    expired_code: int = 5
    # faults that do not apply (a document with no credential cannot expire)
    not_applicable: tuple[str, ...] = ()


class MatrixSandbox(RegistrySandbox):
    """The registries' leak check, plus the Google and AWS secrets and tokens."""

    def canaries(self, env):
        found = super().canaries(env)
        for cloud in (self.emu.google, self.emu.aws):
            nowhere, access, usernames = cloud.canaries()
            found.nowhere |= nowhere
            found.access |= access
            found.basic |= {base64.b64encode(f"{user}:{token}".encode()).decode()
                            for token in access for user in usernames}
        return found


def _pip_works(box: RegistrySandbox, emu: Emulator) -> bool:
    return index_accepts(box.github_env_values()["PIP_INDEX_URL"])


def _pypi_works(box: RegistrySandbox, emu: Emulator) -> bool:
    section = box.pypirc()["pypi"]
    return emu.pypi.accepts(section["username"], section["password"])


def _azure(emu):
    emu.trust_github(TENANT, CLIENT_ID)


def _jfrog(emu):
    emu.jfrog.add_integration("github-oidc", "https://token.actions.githubusercontent.com", "jfrog-github",
                              [({"repository": "octo-org/app"}, "ci-bot")])


CHAINGUARD_IDENTITY = "0123abcd4567ef89/0a1b2c3d4e5f6a7b"


def _chainguard(emu):
    emu.chainguard.add_identity(CHAINGUARD_IDENTITY, emu.github.claims["iss"], emu.github.claims["sub"])


def _pypi(emu):
    emu.pypi.add_publisher("octo-org/app", "ci.yml")


def _azure_args(box):
    return login_args(box, *WRITES)


def _github_env(box):
    return box.github_runner_env()


ROUTES = [
    Route("GitHub OIDC token", "github", "/_apis/idtoken", _azure, _azure_args, _github_env, _pip_works,
          expired_code=3),
    Route("Entra ID token", "entra", f"/{TENANT}/oauth2/v2.0/token", _azure, _azure_args, _github_env, _pip_works),
    Route("Google STS", "google-sts", "/v1/token", configure_google, lambda box: google_args(box.emu, *WRITES),
          _github_env, _pip_works),
    Route("IAM Credentials", "google-iam", "/v1/projects/", configure_google,
          lambda box: google_args(box.emu, *WRITES), _github_env, _pip_works),
    Route("AWS STS", "aws-sts", "/", configure_aws, lambda box: aws_args(box.emu, *WRITES),
          lambda box: box.github_runner_env(AWS_REGION=AWS_REGION), _pip_works),
    Route("CodeArtifact", "codeartifact", "/v1/authorization-token", configure_aws,
          lambda box: aws_args(box.emu, *WRITES), lambda box: box.github_runner_env(AWS_REGION=AWS_REGION),
          _pip_works),
    Route("JFrog OIDC exchange", "jfrog", "/access/api/v1/oidc/token", _jfrog,
          lambda box: ["login", box.emu.jfrog.repository_url + "/simple", "--jfrog-oidc-provider", "github-oidc",
                       "--jfrog-oidc-audience", "jfrog-github", *WRITES], _github_env, _pip_works),
    Route("Chainguard STS", "chainguard", "/sts/exchange", _chainguard,
          lambda box: ["login", f"{box.emu.index.url}/python/simple/", "--registry", "chainguard",
                       "--chainguard-issuer", box.emu.chainguard.url, *WRITES],
          lambda box: box.github_runner_env(CHAINGUARD_IDENTITY=CHAINGUARD_IDENTITY), _pip_works),
    Route("PyPI audience", "pypi", "/_/oidc/audience", _pypi,
          lambda box: ["login", box.emu.pypi.upload_url, "--registry", "pypi", *WRITES], _github_env, _pypi_works,
          not_applicable=("expired",)),
    Route("PyPI mint", "pypi", "/_/oidc/mint-token", _pypi,
          lambda box: ["login", box.emu.pypi.upload_url, "--registry", "pypi", *WRITES], _github_env, _pypi_works),
]

FAULTS: list[tuple[str, Callable[[Optional[int]], faults.Fault]]] = [
    ("500", lambda times: faults.status(500, times=times)),
    ("503", lambda times: faults.status(503, times=times)),
    ("429+RA", lambda times: faults.status(429, retry_after=1, times=times)),
    ("truncated", lambda times: faults.truncated(times=times)),
    ("bad 200", lambda times: faults.invalid_json(times=times)),
    ("reset", lambda times: faults.connection_reset(times=times)),
    ("stall", lambda times: faults.slow(STALL, times=times)),
    ("expired", lambda times: faults.expired(times=times)),
]


# What the message of an every-time failure must say (one of these words).
NAMED = {"500": ("500",), "503": ("503",), "429+RA": ("429",), "truncated": ("truncated",),
         "bad 200": ("http 200", "json", "xml", "not"), "reset": ("reset",), "stall": ("timed out",),
         "expired": ("expired",)}


@dataclass
class Cell:
    route: str
    fault: str
    always: bool
    code: int = -1
    seconds: float = 0.0
    problem: str = ""

    @property
    def mark(self) -> str:
        text = f"{'ok' if self.code == 0 else 'exit ' + str(self.code)} {self.seconds:.1f}s"
        return text if not self.problem else "FAIL " + text


def _run_cell(emu: Emulator, root: Path, route: Route, fault: str, make, always: bool) -> Cell:
    cell = Cell(route.name, fault, always)
    emu.reset()
    route.setup(emu)
    root.mkdir(parents=True)
    box = MatrixSandbox(emu, root)
    emu.inject(route.service, route.prefix, make(None if always else 1))
    env = route.env(box)
    result = box.run(route.args(box), env, timeout=60)
    box.recheck()
    cell.code, cell.seconds = result.code, result.duration
    hit = [r for r in emu.requests(route.service) if r.fault]
    problems = []
    if not hit:
        problems.append("the fault was never served")
    if always:
        expected = route.expired_code if fault == "expired" else 5
        if result.code != expected:
            problems.append(f"exit {result.code}, expected {expected}")
        if box.github_env.read_bytes() != b"" or (box.home / ".pypirc").exists():
            problems.append("something was written")
        said = NAMED[fault]
        if not any(word in result.stderr.lower() for word in said):
            problems.append(f"the message names none of {said}: {result.stderr.strip()[-300:]}")
        limit = 25 if fault in ("stall", "429+RA") else 15
        if result.duration > limit:
            problems.append(f"took {result.duration:.1f}s (limit {limit}s)")
    else:
        if result.code != 0:
            problems.append(f"exit {result.code}: {result.stderr.strip()[-300:]}")
        elif not route.works(box, emu):
            problems.append("the credential written does not work")
    cell.problem = "; ".join(problems)
    return cell


def _run_route(route: Route, emu: Emulator, root: Path) -> list[Cell]:
    try:
        cells = []
        for n, (fault, make) in enumerate(FAULTS):
            if fault in route.not_applicable:
                continue
            for always in (False, True):
                cells.append(_run_cell(emu, root / f"{n}-{int(always)}", route, fault, make, always))
        return cells
    finally:
        emu.stop()


def _table(cells: list[Cell]) -> str:
    names = [f for f, _ in FAULTS]
    rows = [["route / fault"] + names]
    for route in ROUTES:
        for always in (False, True):
            row = [f"{route.name} ({'every time' if always else 'once'})"]
            for fault in names:
                match = [c for c in cells if c.route == route.name and c.fault == fault and c.always == always]
                row.append(match[0].mark if match else "n/a")
            rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def test_fault_matrix(tmp_path, capsys):
    wheel = build_wheel(tmp_path / "seed", "mypkg", "1.0.0")
    started = time.monotonic()
    emulators = [Emulator().start() for _ in ROUTES]  # built one by one: pypiserver's apps are not thread-safe to make
    for emu in emulators:
        emu.index.seed(wheel)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(ROUTES)) as pool:
        futures = [pool.submit(_run_route, route, emulators[i], tmp_path / f"route-{i}") for i, route in enumerate(ROUTES)]
        cells = [cell for f in futures for cell in f.result()]
    table = _table(cells)
    with capsys.disabled():
        print(f"\nfault matrix ({len(cells)} cells, {time.monotonic() - started:.0f} s; "
              f"once: survived with a working credential; every time: the exit code)\n{table}")
    failures = [f"{c.route} / {c.fault} / {'every time' if c.always else 'once'}: {c.problem}" for c in cells if c.problem]
    assert not failures, "\n".join(failures)
