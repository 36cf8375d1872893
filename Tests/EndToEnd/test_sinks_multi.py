"""Several indexes in one step: exchanges in parallel (the emulator's timestamps show
two slow exchanges overlapping), one exchange for indexes that take the same token,
outputs written once and coherently, and one failure reported without stopping the
others."""

from __future__ import annotations

import configparser
import json
import urllib.parse

from clients import Clients
from clouds import (GCP_REPO, GCP_TOKEN_AUDIENCE, cloud_sandbox, mixed_cloud_args,  # noqa: F401
                    mixed_cloud_urls, with_credentials)
from emulator import faults
from emulator.wheel import build_wheel
from harness import FEED, TENANT, USERNAME

SLOW = 1.0


def two_feeds(sandbox) -> list[str]:
    return [sandbox.index_url(), sandbox.index_url(project=None, feed="other")]


def login_many(sandbox, urls, *extra):
    return sandbox.run(["login", *urls, "--registry", "azure-artifacts", *extra],
                       sandbox.github_runner_env())


def login_mixed(box, emu, *extra):
    return box.run([*mixed_cloud_args(emu), *extra], box.github_runner_env())


def test_two_slow_exchanges_of_different_clouds_overlap(emu, cloud_sandbox):
    box = cloud_sandbox
    emu.inject("entra", f"/{TENANT}/", faults.slow(SLOW))
    emu.inject("google-sts", "/v1/token", faults.slow(SLOW))
    result = login_mixed(box, emu, "--write", "github-env", "--clients", "pip,uv")
    assert result.code == 0, result

    # the two token requests were in flight at the same time
    (entra,), (sts,) = emu.requests("entra"), emu.requests("google-sts")
    assert entra.fault == sts.fault == "slow"
    assert entra.start < sts.end and sts.start < entra.end
    assert result.duration < 2 * SLOW
    # one CI token per exchange, each with its cloud's audience
    audiences = sorted(urllib.parse.parse_qs(urllib.parse.urlsplit(r.path).query)["audience"][0]
                       for r in emu.requests("github"))
    assert audiences == sorted(["api://AzureADTokenExchange", GCP_TOKEN_AUDIENCE])

    (azure_token,), (google_token,) = emu.entra.issued, emu.google.issued("federated")
    values = box.github_env_values()
    azure, google = mixed_cloud_urls()
    assert values["PIP_INDEX_URL"] == with_credentials(azure, USERNAME, azure_token)
    assert values["PIP_EXTRA_INDEX_URL"] == with_credentials(google, "oauth2accesstoken", google_token)
    assert values["UV_DEFAULT_INDEX"] == f"{FEED}={azure}"
    assert values["UV_INDEX"] == f"{GCP_REPO}={google}"
    assert values[f"UV_INDEX_{FEED.upper()}_PASSWORD"] == azure_token
    assert values["UV_INDEX_PYTHON_REPO_PASSWORD"] == google_token


def test_feeds_that_take_the_same_token_share_one_exchange_and_are_written_together(
        emu, sandbox, tmp_path_factory):
    urls = two_feeds(sandbox)
    result = login_many(sandbox, urls, "--write", "github-env,pypirc", "--clients", "pip,uv,twine")
    assert result.code == 0, result
    # every Azure DevOps feed takes the same Entra token: one CI token, one exchange
    assert len(emu.requests("github")) == 1 and len(emu.requests("entra")) == 1
    (token,) = emu.entra.issued

    values = sandbox.github_env_values()
    assert values["UV_INDEX_FEED_PASSWORD"] == values["UV_INDEX_OTHER_PASSWORD"] == token
    assert values["PIP_INDEX_URL"] == sandbox.expected_pip_index_url(token)
    assert values["PIP_EXTRA_INDEX_URL"] == sandbox.expected_pip_index_url(
        token, project=None, feed="other")
    assert values["UV_DEFAULT_INDEX"] == f"feed={urls[0]}"
    assert values["UV_INDEX"] == f"other={urls[1]}"
    # with ~/.pypirc written too, twine gets a section name, which -r can still override
    assert values["TWINE_REPOSITORY"] == "feed" and "TWINE_REPOSITORY_URL" not in values

    config = configparser.RawConfigParser()
    config.read(sandbox.home / ".pypirc")
    assert config.get("distutils", "index-servers").split() == ["feed", "other"]
    assert config["other"]["repository"] == sandbox.upload_url(project=None, feed="other")
    assert config["other"]["password"] == token

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


def test_one_failure_does_not_stop_the_other(emu, cloud_sandbox):
    box = cloud_sandbox
    body = json.dumps({"error": "unauthorized_client", "error_codes": [700016],
                       "error_description": "AADSTS700016: Application with identifier 'x' "
                                            "was not found in the directory."}).encode()
    emu.inject("entra", f"/{TENANT}/", faults.status(400, body=body))
    result = login_mixed(box, emu, "--write", "github-env", "--clients", "pip", "--json")
    assert result.code == 4, result
    report = json.loads(result.stdout)
    statuses = {i["name"]: i["status"] for i in report["indexes"]}
    assert statuses == {FEED: "error", GCP_REPO: "ok"}
    (failed,) = [i for i in report["indexes"] if i["status"] == "error"]
    (ok,) = [i for i in report["indexes"] if i["status"] == "ok"]
    assert failed["exit_code"] == 4 and "AADSTS700016" in failed["error"]
    assert report["exit_code"] == 4
    assert f"index '{failed['name']}' ({failed['url']}) failed: " in result.stderr
    # the index that worked is written, alone, as the main index
    (token,) = emu.google.issued("federated")
    assert box.github_env_values() == {"PIP_INDEX_URL": with_credentials(ok["url"], "oauth2accesstoken", token)}
    assert report["outputs"] == [{"sink": "github-env", "destination": str(box.github_env),
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
