"""Every output indexkey writes, used by the real client that reads it: pip (variables,
pip.conf, netrc), uv (named index variables, netrc, publish), twine (variables, .pypirc),
Poetry (a named source) and Hatch (publish), against the emulator-backed index."""

from __future__ import annotations

import stat
import sys

import pytest

from clients import Clients
from emulator.wheel import build_wheel
from harness import USERNAME, login_args, parse_github_env, quote_all

pytestmark = pytest.mark.usefixtures("fresh_emulator")


@pytest.fixture
def clients(sandbox, tmp_path_factory):
    # Outside the sandbox: what the clients leave behind is not indexkey's output.
    return Clients(sandbox, tmp_path_factory.mktemp("clients"))


@pytest.fixture
def wheel(tmp_path_factory):
    """`wheel(name)`: a fresh distribution to upload."""
    return lambda name: build_wheel(tmp_path_factory.mktemp("dist"), name, "0.1.0")


def login_env(emu, sandbox, *extra: str, opaque: bool = True) -> tuple[dict[str, str], str]:
    """Log in as a GitHub job writing github-env; the variables a later step sees, and the token."""
    if opaque:
        emu.entra.token_style = "opaque"  # a token that needs quoting and encoding everywhere
    result = sandbox.run(login_args(sandbox, *extra), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    return sandbox.github_env_values(), token


def index_requests(emu, method: str = "GET"):
    return [r for r in emu.requests("index") if r.method == method]


def only(values: dict[str, str], *prefixes: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if k.startswith(prefixes)}


def test_pip_reads_its_variables(emu, sandbox, clients):
    values, token = login_env(emu, sandbox)
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(token)
    proc, target = clients.pip_install(only(values, "PIP_"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()
    assert {r.note.get("auth") for r in index_requests(emu)} == {"accepted"}


def test_uv_installs_from_the_named_default_index(emu, sandbox, clients):
    values, token = login_env(emu, sandbox)
    uv = only(values, "UV_")
    assert uv["UV_DEFAULT_INDEX"] == f"feed={sandbox.index_url()}"
    assert (uv["UV_INDEX_FEED_USERNAME"], uv["UV_INDEX_FEED_PASSWORD"]) == (USERNAME, token)
    # Only the uv variables: the URL carries no credentials, uv takes them from the named index's.
    proc, target = clients.uv_install(uv)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()
    accepted = [r for r in index_requests(emu) if r.note.get("auth") == "accepted"]
    assert accepted and all(r.note["username"] == USERNAME for r in accepted)


def test_uv_publishes_with_its_publish_variables(emu, sandbox, clients, wheel):
    values, _ = login_env(emu, sandbox)
    dist = wheel("uvpublished")
    proc = clients.uv_publish(only(values, "UV_PUBLISH_"), dist)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = index_requests(emu, "POST")
    assert upload.path == "/org/proj/_packaging/feed/pypi/upload/" and upload.note["auth"] == "accepted"


def test_twine_uploads_with_its_variables(emu, sandbox, clients, wheel):
    values, _ = login_env(emu, sandbox)
    twine = only(values, "TWINE_")
    assert twine["TWINE_REPOSITORY_URL"] == sandbox.upload_url()  # never credentials in it
    dist = wheel("twinepublished")
    proc = clients.twine_upload(twine, dist)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()


def test_hatch_publishes_with_its_variables(emu, sandbox, clients, wheel):
    values, _ = login_env(emu, sandbox)
    dist = wheel("hatchpublished")
    proc = clients.hatch_publish(only(values, "HATCH_"), dist)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = index_requests(emu, "POST")
    assert upload.note["auth"] == "accepted"


def test_poetry_installs_from_a_named_source(emu, sandbox, clients):
    values, token = login_env(emu, sandbox, "--name", "internal")
    poetry = only(values, "POETRY_")
    assert poetry == {"POETRY_HTTP_BASIC_INTERNAL_USERNAME": USERNAME,
                      "POETRY_HTTP_BASIC_INTERNAL_PASSWORD": token,
                      "POETRY_REPOSITORIES_INTERNAL_URL": sandbox.upload_url()}
    proc, project = clients.poetry_install(poetry, "internal", sandbox.index_url())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(project.glob(".venv/lib/python*/site-packages/mypkg/__init__.py"))
    assert {r.note.get("auth") for r in index_requests(emu)} == {"accepted"}


def test_pip_conf_with_credentials_in_the_url(emu, sandbox, clients):
    conf = sandbox.work / "pip.conf"
    conf.write_text("# CI settings\n[global]\ntimeout = 30\n\n[install]\nno-compile = true\n")
    emu.entra.token_style = "opaque"
    result = sandbox.run(login_args(sandbox, "--write", f"pip-conf={conf}"), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert conf.read_text() == (
        "# CI settings\n[global]\ntimeout = 30\n"
        f"index-url = {sandbox.expected_pip_index_url(token)}\n\n[install]\nno-compile = true\n")
    proc, target = clients.pip_install({}, PIP_CONFIG_FILE=str(conf))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg").is_dir()


def test_netrc_keeps_credentials_out_of_urls_for_pip_and_uv(emu, sandbox, clients):
    conf, netrc = sandbox.work / "pip.conf", sandbox.work / "netrc"
    netrc.write_text("machine github.com login octocat password not-a-secret\n")
    result = sandbox.run(login_args(sandbox, "--write", f"pip-conf={conf},netrc={netrc},github-env",
                                    "--clients", "pip"), sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert conf.read_text() == f"[global]\nindex-url = {sandbox.index_url()}\n"
    assert netrc.read_text() == ("machine github.com login octocat password not-a-secret\n"
                                 f"machine 127.0.0.1 login {USERNAME} password {token}\n")
    assert stat.S_IMODE(netrc.stat().st_mode) == 0o600
    assert sandbox.github_env_values() == {"PIP_INDEX_URL": sandbox.index_url(), "NETRC": str(netrc)}

    proc, target = clients.pip_install({}, PIP_CONFIG_FILE=str(conf), NETRC=str(netrc))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, target = clients.uv_install({}, "--index-url", sandbox.index_url(), NETRC=str(netrc))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg").is_dir()
    # without the netrc the bare URL is refused: the credentials really come from it
    proc, _ = clients.pip_install({}, PIP_CONFIG_FILE=str(conf), NETRC=str(sandbox.work / "none"))
    assert proc.returncode != 0


def test_shell_output_drives_uv_in_sh(emu, sandbox, clients):
    emu.entra.token_style = "opaque"
    result = sandbox.run(login_args(sandbox, "--write", "shell", "--clients", "uv"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    target = clients.target()
    proc = clients.run(["sh", "-c", 'out=$OUT && eval "$out" && exec uv pip install --no-cache '
                        '--target "$TARGET" mypkg'], {"OUT": result.stdout, "TARGET": str(target)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg").is_dir()


def test_fish_output_drives_pip_and_uv_in_fish(emu, sandbox, clients):
    """`indexkey login … --write fish | source` in a real fish: every value arrives intact
    (the opaque token carries quotes, `$` and `%`), and pip and uv install with them."""
    emu.entra.token_style = "opaque"
    result = sandbox.run(login_args(sandbox, "--write", "fish", "--clients", "pip,uv"),
                         sandbox.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.entra.issued
    pip_target, uv_target = clients.work / "fish-pip", clients.work / "fish-uv"
    script = ('printf "%s" "$INDEXKEY_OUT" | source; or exit 97\n'
              'printf "%s\\n" "$PIP_INDEX_URL" "$UV_INDEX_FEED_USERNAME" "$UV_INDEX_FEED_PASSWORD"\n'
              '"$PYTHON" -m pip install --no-cache-dir --disable-pip-version-check --target "$PIP_TARGET" mypkg'
              ' >&2; or exit 98\n'
              'uv pip install --no-cache --target "$UV_TARGET" mypkg >&2; or exit 99\n')
    proc = clients.run(["fish", "--no-config", "-c", script], {},
                       INDEXKEY_OUT=result.stdout, PYTHON=sys.executable,
                       PIP_TARGET=str(pip_target), UV_TARGET=str(uv_target))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [sandbox.expected_pip_index_url(token), USERNAME, token]
    assert (pip_target / "mypkg").is_dir() and (uv_target / "mypkg").is_dir()


def test_github_output_holds_the_same_variables(emu, sandbox):
    outputs = sandbox.github_env.parent / "set_output_5e4d3c2b-1a09-4876-9f5e-4d3c2b1a0987"
    outputs.touch()
    result = sandbox.run(login_args(sandbox, "--write", "github-output", "--clients", "pip,twine"),
                         sandbox.github_runner_env(GITHUB_OUTPUT=str(outputs)))
    assert result.code == 0, result
    (token,) = emu.entra.issued
    assert parse_github_env(outputs.read_text()) == {
        "PIP_INDEX_URL": sandbox.expected_pip_index_url(token),
        "TWINE_REPOSITORY_URL": sandbox.upload_url(), "TWINE_USERNAME": USERNAME,
        "TWINE_PASSWORD": token}
    assert "job outputs" in result.stderr
    assert quote_all(token) in result.stderr.replace("%25", "%")  # masked before it was written
