"""Several indexes in one step: exchanges in parallel (the emulator's timestamps show
two slow exchanges overlapping), outputs written once and coherently, and one failure
reported without stopping the others."""

from __future__ import annotations

import configparser
import json

from clients import Clients
from emulator import faults
from emulator.wheel import build_wheel
from harness import TENANT, USERNAME, quote_all

SLOW = 1.0


def two_feeds(sandbox) -> list[str]:
    return [sandbox.index_url(), sandbox.index_url(project=None, feed="other")]


def login_many(sandbox, urls, *extra):
    return sandbox.run(["login", *urls, "--registry", "azure-artifacts", *extra],
                       sandbox.github_runner_env())


def test_two_slow_exchanges_overlap_and_are_written_together(emu, sandbox, tmp_path_factory):
    emu.inject("entra", f"/{TENANT}/", faults.slow(SLOW, times=2))
    urls = two_feeds(sandbox)
    result = login_many(sandbox, urls, "--write", "github-env,pypirc", "--clients", "pip,uv,twine")
    assert result.code == 0, result

    # the two token requests were in flight at the same time
    first, second = emu.requests("entra")
    assert first.fault == second.fault == "slow"
    assert first.start < second.end and second.start < first.end
    assert result.duration < 2 * SLOW
    # each exchange asked for its own CI token and got its own access token
    assert len(set(emu.github.issued)) == 2 and len(set(emu.entra.issued)) == 2

    values = sandbox.github_env_values()
    feed_token, other_token = values["UV_INDEX_FEED_PASSWORD"], values["UV_INDEX_OTHER_PASSWORD"]
    assert {feed_token, other_token} == set(emu.entra.issued)
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(feed_token)
    assert values["PIP_EXTRA_INDEX_URL"] == sandbox.expected_pip_index_url(
        other_token, project=None, feed="other")
    assert values["UV_DEFAULT_INDEX"] == f"feed={urls[0]}"
    assert values["UV_INDEX"] == f"other={urls[1]}"
    # with ~/.pypirc written too, twine gets a section name, which -r can still override
    assert values["TWINE_REPOSITORY"] == "feed" and "TWINE_REPOSITORY_URL" not in values

    config = configparser.RawConfigParser()
    config.read(sandbox.home / ".pypirc")
    assert config.get("distutils", "index-servers").split() == ["feed", "other"]
    assert config["other"]["repository"] == sandbox.upload_url(project=None, feed="other")
    assert config["other"]["password"] == other_token

    # pip and uv install with them, twine uploads to the second index by its section
    clients = Clients(sandbox, tmp_path_factory.mktemp("clients"))
    proc, _ = clients.pip_install({k: v for k, v in values.items() if k.startswith("PIP_")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, _ = clients.uv_install({k: v for k, v in values.items() if k.startswith("UV_")})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dist = build_wheel(tmp_path_factory.mktemp("dist"), "secondfeedpkg", "0.1.0")
    twine = {k: v for k, v in values.items() if k.startswith("TWINE_")}
    proc = clients.twine_upload(twine, dist, "-r", "other")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = build_wheel(tmp_path_factory.mktemp("dist"), "firstfeedpkg", "0.1.0")
    proc = clients.twine_upload(twine, first)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    uploads = [r.path for r in emu.requests("index") if r.method == "POST"]
    assert uploads == ["/org/_packaging/other/pypi/upload/", "/org/proj/_packaging/feed/pypi/upload/"]


def test_one_failure_does_not_stop_the_other(emu, sandbox):
    body = json.dumps({"error": "unauthorized_client", "error_codes": [700016],
                       "error_description": "AADSTS700016: Application with identifier 'x' "
                                            "was not found in the directory."}).encode()
    emu.inject("entra", f"/{TENANT}/", faults.status(400, body=body))
    result = login_many(sandbox, two_feeds(sandbox), "--write", "github-env", "--clients", "pip",
                        "--json")
    assert result.code == 4, result
    report = json.loads(result.stdout)
    statuses = {i["name"]: i["status"] for i in report["indexes"]}
    assert sorted(statuses.values()) == ["error", "ok"]
    (failed,) = [i for i in report["indexes"] if i["status"] == "error"]
    (ok,) = [i for i in report["indexes"] if i["status"] == "ok"]
    assert failed["exit_code"] == 4 and "AADSTS700016" in failed["error"]
    assert report["exit_code"] == 4
    assert f"index '{failed['name']}' ({failed['url']}) failed: " in result.stderr
    # the index that worked is written, alone, as the main index
    (token,) = emu.entra.issued
    assert sandbox.github_env_values() == {
        "PIP_INDEX_URL": ok["url"].replace("http://", f"http://{USERNAME}:{quote_all(token)}@", 1)}
    assert report["outputs"] == [{"sink": "github-env", "destination": str(sandbox.github_env),
                                  "wrote": ["PIP_INDEX_URL"]}]


def test_names_must_be_distinct(emu, sandbox):
    same = [sandbox.index_url(), sandbox.index_url(org="another")]
    result = login_many(sandbox, same, "--write", "github-env")
    assert result.code == 2, result
    assert "--name" in result.stderr and emu.requests() == []
    result = login_many(sandbox, same, "--write", "github-env", "--clients", "uv",
                        "--name", "main", "--name", "mirror")
    assert result.code == 0, result
    values = sandbox.github_env_values()
    assert values["UV_DEFAULT_INDEX"] == f"main={same[0]}" and values["UV_INDEX"] == f"mirror={same[1]}"
