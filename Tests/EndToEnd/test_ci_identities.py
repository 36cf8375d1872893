"""Every CI identity source, each in the simulated environment of its CI, exchanged
with the emulated Entra ID for an Azure Artifacts feed the index then accepts."""

from __future__ import annotations

import json
import sys
import time
import urllib.parse

from ci_support import assert_logged_in, box, jti, login_shell, login_two_clouds  # noqa: F401  (box is a fixture)
from clouds import GCP_TOKEN_AUDIENCE
from emulator.ci import (AKS_ISSUER, EKS_ISSUER, EXCHANGE_AUDIENCE, GOOGLE_ISSUER,
                         GOOGLE_SERVICE_ACCOUNT_ID, SERVICE_CONNECTIONS)
from harness import CLIENT_ID, TENANT

SERVICE_CONNECTION_ID = next(iter(SERVICE_CONNECTIONS))


# -- GitLab ---------------------------------------------------------------------
def test_gitlab_id_token_named_after_the_audience(emu, box):
    box.trust("gitlab")
    token = emu.ci.mint("gitlab", EXCHANGE_AUDIENCE)
    result = login_shell(box, box.gitlab_env(API___AZUREADTOKENEXCHANGE_ID_TOKEN=token))
    grant = assert_logged_in(emu, result, "https://gitlab.com", emu.ci.claims["gitlab"]["sub"])
    assert grant["assertion_claims"]["jti"] == jti(token)


def test_gitlab_job_without_the_id_token_gets_the_block_to_add(emu, box):
    other = emu.ci.mint("gitlab", "pypi")
    result = login_shell(box, box.gitlab_env(PYPI_ID_TOKEN=other))
    assert result.code == 3, result
    assert ('`id_tokens: { API___AZUREADTOKENEXCHANGE_ID_TOKEN: { aud: "api://AzureADTokenExchange" } }`'
            in result.stderr)
    assert "PYPI_ID_TOKEN (aud 'pypi')" in result.stderr
    assert emu.requests("entra") == []


def test_gitlab_token_by_variable_name(emu, box):
    box.trust("gitlab")
    token = emu.ci.mint("gitlab", EXCHANGE_AUDIENCE)
    result = login_shell(box, box.gitlab_env(AZURE_OIDC=token), "--identity", "env:AZURE_OIDC")
    assert_logged_in(emu, result, "https://gitlab.com", emu.ci.claims["gitlab"]["sub"])


# -- Buildkite ------------------------------------------------------------------
def test_buildkite_agent_mints_a_fresh_token_per_exchange(emu, box):
    box.trust("buildkite")
    env = box.buildkite_env(PATH=box.fake_path("buildkite-agent"))
    result = login_two_clouds(box, env, emu.ci.claims["buildkite"]["iss"])
    assert result.code == 0, result
    calls = emu.requests("ci")
    assert len(calls) == 2
    assert all(c.path.startswith("/buildkite/v3/jobs/0190e7b6-2c3d-4e5f-8a9b-0c1d2e3f4a5b/oidc/tokens")
               for c in calls)
    # one token per exchange, each for its own audience
    assert sorted(json.loads(c.body)["audience"] for c in calls) == sorted([EXCHANGE_AUDIENCE, GCP_TOKEN_AUDIENCE])
    (grant,) = emu.entra.grants
    assert grant["assertion_claims"]["iss"] == "https://agent.buildkite.com"
    assert len(emu.google.issued("federated")) == 1
    assert len(set(emu.ci.issued)) == 2


def test_buildkite_agent_refusal_is_reported(emu, box):
    env = box.buildkite_env(PATH=box.fake_path("buildkite-agent"),
                            BUILDKITE_AGENT_ACCESS_TOKEN="bkua_wrong")
    result = login_shell(box, env)
    assert result.code == 3, result
    assert "buildkite-agent oidc request-token failed with exit status 1" in result.stderr
    assert "401" in result.stderr
    assert emu.requests("entra") == []


def test_buildkite_without_agent_on_path(emu, box):
    result = login_shell(box, box.buildkite_env(PATH="/usr/bin:/bin"))
    assert result.code == 3, result
    assert "'buildkite-agent' was not found on PATH" in result.stderr


# -- CircleCI -------------------------------------------------------------------
def test_circleci_custom_audience_through_the_cli(emu, box):
    box.trust("circleci")
    preset = emu.ci.mint("circleci")
    env = box.circleci_env(CIRCLE_OIDC_TOKEN_V2=preset, PATH=box.fake_path("circleci"))
    result = login_shell(box, env)
    grant = assert_logged_in(emu, result, emu.ci.claims["circleci"]["iss"], emu.ci.claims["circleci"]["sub"])
    assert grant["assertion_claims"]["jti"] != jti(preset)
    (call,) = emu.requests("ci")
    assert call.path == "/circleci/oidc"
    assert json.loads(call.body) == {"aud": EXCHANGE_AUDIENCE}


# -- Bitbucket ------------------------------------------------------------------
def test_bitbucket_step_token(emu, box):
    box.trust("bitbucket")
    token = emu.ci.mint("bitbucket", EXCHANGE_AUDIENCE)
    result = login_shell(box, box.bitbucket_env(BITBUCKET_STEP_OIDC_TOKEN=token))
    assert_logged_in(emu, result, emu.ci.claims["bitbucket"]["iss"], emu.ci.claims["bitbucket"]["sub"])


def test_bitbucket_step_without_oidc(emu, box):
    result = login_shell(box, box.bitbucket_env())
    assert result.code == 3, result
    assert "Add `oidc: true` to the step" in result.stderr
    assert 'oidc: { audiences: ["api://AzureADTokenExchange"] }' in result.stderr


# -- Azure Pipelines ------------------------------------------------------------
def test_azure_pipelines_with_a_service_connection_flag(emu, box):
    box.trust("azure-pipelines", subject="sc://octo-org/app/publish-connection")
    result = login_shell(box, box.azure_pipelines_env(), "--azure-service-connection-id", SERVICE_CONNECTION_ID)
    assert_logged_in(emu, result, emu.ci.claims["azure-pipelines"]["iss"], "sc://octo-org/app/publish-connection")
    (call,) = emu.requests("ci")
    assert call.method == "POST"
    assert call.path.endswith(f"/oidctoken?api-version=7.1&serviceConnectionId={SERVICE_CONNECTION_ID}")
    assert call.headers["Authorization"] == f"Bearer {emu.ci.access_token}"


def test_azure_pipelines_service_connection_from_the_task_variable(emu, box):
    box.trust("azure-pipelines", subject="sc://octo-org/app/publish-connection")
    env = box.azure_pipelines_env(AZURESUBSCRIPTION_SERVICE_CONNECTION_ID=SERVICE_CONNECTION_ID)
    result = login_shell(box, env)
    assert_logged_in(emu, result, emu.ci.claims["azure-pipelines"]["iss"], "sc://octo-org/app/publish-connection")


def test_azure_pipelines_pipeline_subject(emu, box):
    box.trust("azure-pipelines")
    result = login_shell(box, box.azure_pipelines_env())
    assert_logged_in(emu, result, emu.ci.claims["azure-pipelines"]["iss"], "p://octo-org/app/app-ci")


def test_azure_pipelines_without_the_access_token_mapping(emu, box):
    result = login_shell(box, box.azure_pipelines_env(SYSTEM_ACCESSTOKEN=None))
    assert result.code == 3, result
    assert "env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }" in result.stderr
    assert emu.requests() == []


def test_azure_pipelines_unknown_service_connection(emu, box):
    result = login_shell(box, box.azure_pipelines_env(), "--identity", "azure-pipelines:0000-not-there")
    assert result.code == 3, result
    assert "HTTP 404" in result.stderr
    assert "service connection '0000-not-there' exists" in result.stderr


# -- token files ----------------------------------------------------------------
def test_aks_token_file_is_read_again_for_each_login(emu, box):
    box.trust("aks")
    path = box.write_input("azure-identity-token", emu.ci.mint("aks", EXCHANGE_AUDIENCE))
    env = box.azure_env(AZURE_FEDERATED_TOKEN_FILE=str(path))
    first = login_shell(box, env)
    assert_logged_in(emu, first, AKS_ISSUER, "system:serviceaccount:builds:publisher")
    rotated = emu.ci.mint("aks", EXCHANGE_AUDIENCE)
    path = box.write_input("azure-identity-token", rotated)
    second = login_shell(box, env)
    grant = assert_logged_in(emu, second, AKS_ISSUER, "system:serviceaccount:builds:publisher")
    assert grant["assertion_claims"]["jti"] == jti(rotated)


def test_aws_web_identity_token_file(emu, box):
    box.trust("eks")
    path = box.write_input("eks-token", emu.ci.mint("eks", EXCHANGE_AUDIENCE))
    result = login_shell(box, box.azure_env(AWS_WEB_IDENTITY_TOKEN_FILE=str(path),
                                            AWS_ROLE_ARN="arn:aws:iam::123456789012:role/ci"))
    assert_logged_in(emu, result, EKS_ISSUER, "system:serviceaccount:builds:publisher")


# -- Google Cloud metadata server --------------------------------------------------
def test_google_metadata_server_id_token(emu, box):
    box.trust("gcp")
    env = box.azure_env(GCE_METADATA_HOST=f"127.0.0.1:{emu.ci.port}")
    result = login_shell(box, env)
    assert_logged_in(emu, result, GOOGLE_ISSUER, GOOGLE_SERVICE_ACCOUNT_ID)
    (call,) = emu.requests("ci")
    assert call.path == ("/computeMetadata/v1/instance/service-accounts/default/identity"
                         "?audience=api%3A%2F%2FAzureADTokenExchange&format=full")
    assert call.headers["Metadata-Flavor"] == "Google"


def test_google_metadata_server_without_a_service_account(emu, box):
    emu.ci.metadata_available = False
    result = login_shell(box, box.azure_env(GCE_METADATA_HOST=f"127.0.0.1:{emu.ci.port}"))
    assert result.code == 3, result
    assert "No service account is attached" in result.stderr


# -- command ------------------------------------------------------------------------
MINT_SCRIPT = '''import json, os, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/mint/gitlab", method="POST",
    data=json.dumps({"aud": os.environ["INDEXKEY_AUDIENCE"]}).encode())
print(urllib.request.urlopen(request, timeout=10).read().decode())
'''


def test_command_identity_runs_for_each_exchange(emu, box):
    box.trust("gitlab")
    script = box.write_input("mint.py", MINT_SCRIPT)
    command = f"{sys.executable} {script} {emu.ci.url}"
    result = login_two_clouds(box, box.azure_env(), emu.ci.claims["gitlab"]["iss"],
                              "--identity", f"command:{command}")
    assert result.code == 0, result
    assert [c.path for c in emu.requests("ci")] == ["/mint/gitlab", "/mint/gitlab"]
    # the command is told each exchange's audience (INDEXKEY_AUDIENCE) and mints for it
    assert sorted(m["aud"] for m in emu.ci.minted_for("gitlab")) == sorted([EXCHANGE_AUDIENCE, GCP_TOKEN_AUDIENCE])
    assert len(emu.entra.grants) == 1 and len(emu.google.issued("federated")) == 1


def test_command_identity_is_stopped_after_its_timeout(emu, box):
    started = time.monotonic()
    result = login_shell(box, box.azure_env(INDEXKEY_COMMAND_TIMEOUT="1"), "--identity", "command:sleep 20")
    assert result.code == 3, result
    assert "did not finish within 1 s" in result.stderr
    assert time.monotonic() - started < 8
    assert emu.requests() == []


# -- GitHub ---------------------------------------------------------------------------
def test_github_enterprise_server_issuer(emu, box):
    ghes = "https://ghe.example.com/_services/token"
    emu.github.claims["iss"] = ghes
    emu.entra.add_app(TENANT, CLIENT_ID, federated=[{"issuer": ghes, "subject": emu.github.claims["sub"]}])
    env = box.github_runner_env(GITHUB_SERVER_URL="https://ghe.example.com")
    result = login_shell(box, env)
    assert_logged_in(emu, result, ghes, emu.github.claims["sub"])


def test_github_token_is_fetched_for_each_exchange(emu, box):
    result = login_two_clouds(box, box.github_runner_env(), emu.github.issuer)
    assert result.code == 0, result
    requests = emu.requests("github")
    assert len(requests) == 2 and len(set(emu.github.issued)) == 2
    assert sorted(urllib.parse.parse_qs(urllib.parse.urlsplit(r.path).query)["audience"][0] for r in requests) == \
        sorted([EXCHANGE_AUDIENCE, GCP_TOKEN_AUDIENCE])
    assert len(emu.entra.grants) == 1 and len(emu.google.issued("federated")) == 1


def test_feeds_that_share_an_exchange_fetch_one_github_token(emu, box):
    urls = [box.index_url(), box.index_url(feed="second"), box.index_url(feed="third")]
    result = login_shell(box, box.github_runner_env(), urls=urls)
    assert result.code == 0, result
    assert len(emu.requests("github")) == 1 and len(emu.entra.grants) == 1