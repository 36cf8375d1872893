"""`indexkey claims` and `indexkey doctor`, text and JSON, against the emulator: what
they show, that they never exchange or write anything, and that no token leaks
(every run goes through the sandbox's canary check)."""

from __future__ import annotations

import json

from ci_support import box  # noqa: F401  (fixture)
from emulator.ci import CIRCLECI_ORG, EXCHANGE_AUDIENCE, SERVICE_CONNECTIONS
from emulator.jwt import parse


def row(text: str, name: str, value: str) -> bool:
    """True when `text` has the table line `  NAME<spaces>VALUE`."""
    for line in text.splitlines():
        if line.startswith(f"  {name} ") and line.endswith(value):
            middle = line[len(name) + 2:len(line) - len(value)]
            if middle and not middle.strip():
                return True
    return False


# -- claims ---------------------------------------------------------------------
def test_claims_text_for_github(emu, box):
    emu.github.claims.update({"environment": "production", "sub": "repo:octo-org/app:environment:production"})
    result = box.run(["claims", "--audience", "pypi"], box.github_runner_env())
    assert result.code == 0, result
    out = result.stdout
    (token,) = emu.github.issued
    claims = parse(token).claims
    assert out.startswith("Token from GitHub Actions OIDC, requested for the audience 'pypi'")
    assert row(out, "iss", "https://token.actions.githubusercontent.com")
    assert row(out, "sub", "repo:octo-org/app:environment:production")
    assert row(out, "aud", "pypi")
    assert row(out, "jti", claims["jti"])
    assert "Claims that trust rules use (GitHub Actions):" in out
    for name in ("repository", "ref", "environment", "event_name", "job_workflow_ref", "repository_owner_id"):
        assert row(out, name, str(claims[name])), name
    assert "lifetime" in out and "5 min, " in out
    assert "GitHub environment 'production'" in out
    assert result.stderr == ""
    assert emu.requests("entra") == []


def test_claims_json_for_github(emu, box):
    result = box.run(["claims", "--audience", EXCHANGE_AUDIENCE, "--json"], box.github_runner_env())
    assert result.code == 0, result
    report = json.loads(result.stdout)
    (token,) = emu.github.issued
    assert report["claims"] == parse(token).claims
    assert report["source"] == "GitHub Actions OIDC"
    assert report["audience_requested"] == EXCHANGE_AUDIENCE
    assert report["ci"] == "github"
    assert report["header"]["alg"] == "RS256"
    assert 0 < report["expires_in_seconds"] <= 300
    assert report["lifetime_seconds"] == 300
    assert "job_workflow_ref" in report["trust_claims"]


def test_claims_default_audience_and_refusal(emu, box):
    result = box.run(["claims"], box.github_runner_env())
    assert result.code == 0, result
    assert row(result.stdout, "aud", "https://github.com/octo-org")
    denied = box.run(["claims"], box.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_URL=None))
    assert denied.code == 3, denied
    assert "id-token: write" in denied.stderr
    assert denied.stdout == ""


def test_claims_for_a_gitlab_job(emu, box):
    token = emu.ci.mint("gitlab", "pypi")
    result = box.run(["claims", "--audience", "pypi"], box.gitlab_env(PYPI_ID_TOKEN=token))
    assert result.code == 0, result
    assert row(result.stdout, "project_path", "octo-group/app")
    assert row(result.stdout, "ref_type", "branch")
    assert "Claims that trust rules use (GitLab CI):" in result.stdout
    single = box.run(["claims", "--json"], box.gitlab_env(PYPI_ID_TOKEN=token))
    assert json.loads(single.stdout)["claims"]["aud"] == "pypi"


def test_claims_circleci_preset_token_needs_no_cli(emu, box):
    preset = emu.ci.mint("circleci")
    result = box.run(["claims", "--audience", CIRCLECI_ORG, "--json"],
                     box.circleci_env(CIRCLE_OIDC_TOKEN_V2=preset, PATH="/usr/bin:/bin"))
    assert result.code == 0, result
    assert json.loads(result.stdout)["claims"]["jti"] == parse(preset).claims["jti"]
    assert emu.requests("ci") == []


def test_claims_azure_pipelines_service_connection(emu, box):
    connection = next(iter(SERVICE_CONNECTIONS))
    result = box.run(["claims", "--json", "--azure-service-connection-id", connection], box.azure_pipelines_env())
    assert result.code == 0, result
    report = json.loads(result.stdout)
    assert report["claims"]["sub"] == "sc://octo-org/app/publish-connection"
    assert report["ci"] == "azure-pipelines"


# -- doctor ---------------------------------------------------------------------
def test_doctor_text_in_a_github_job(emu, box):
    env = box.github_runner_env()
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts"], env)
    assert result.code == 0, result
    out = result.stdout
    assert "GitHub Actions, detected from GITHUB_ACTIONS=true." in out
    assert "set:     GITHUB_ACTIONS, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN" in out
    assert row(out, "registry", "Azure Artifacts ('feed')")
    assert any(line.startswith("  exchange  POST ") and "/oauth2/v2.0/token" in line
               and line.endswith("with the CI token as a federated client assertion") for line in out.splitlines())
    assert row(out, "token", "GitHub Actions OIDC, audience 'api://AzureADTokenExchange'")
    assert row(out, "subject", "repo:octo-org/app:ref:refs/heads/main")
    assert row(out, "username", "EntraToken")
    assert f"github-env → {box.github_env}: PIP_INDEX_URL" in out
    assert "ok      The job may request GitHub OIDC tokens" in out
    # doctor fetched a token but made no exchange and wrote nothing
    assert len(emu.requests("github")) == 1
    assert emu.requests("entra") == []
    assert box.github_env.read_bytes() == b""


def test_doctor_json_in_a_github_job(emu, box):
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts", "--json"], box.github_runner_env())
    assert result.code == 0, result
    report = json.loads(result.stdout)
    assert report["identity"]["detected"] == "GitHub Actions"
    assert report["identity"]["evidence"] == "GITHUB_ACTIONS=true"
    (index,) = report["indexes"]
    assert index["audience"] == EXCHANGE_AUDIENCE
    assert index["token"]["sub"] == emu.github.claims["sub"]
    assert index["token"]["iss"] == emu.github.claims["iss"]
    assert index["token"]["aud"] == [EXCHANGE_AUDIENCE]
    assert report["outputs"][0]["sink"] == "github-env"
    assert report["exit_status"] == 0
    assert "AZURE_CLIENT_SECRET" in report["variables"]["not_set"]
    assert emu.requests("entra") == []


def test_doctor_offline_fetches_no_token(emu, box):
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts", "--offline"],
                     box.github_runner_env())
    assert result.code == 0, result
    assert row(result.stdout, "token", "GitHub Actions OIDC, audience 'api://AzureADTokenExchange'")
    assert "subject" not in result.stdout
    assert emu.requests() == []


def test_doctor_finds_missing_id_token_permission(emu, box):
    env = box.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_URL=None, ACTIONS_ID_TOKEN_REQUEST_TOKEN=None)
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts"], env)
    assert result.code == 3, result
    assert "problem The job may not request GitHub OIDC tokens" in result.stdout
    assert "`permissions: id-token: write`" in result.stdout
    assert emu.requests() == []


def test_doctor_finds_a_fork_pull_request(emu, box):
    event = box.write_input("event.json", json.dumps({
        "pull_request": {"head": {"repo": {"full_name": "stranger/app"}}},
        "repository": {"full_name": "octo-org/app"}}))
    env = box.github_runner_env(ACTIONS_ID_TOKEN_REQUEST_URL=None, ACTIONS_ID_TOKEN_REQUEST_TOKEN=None,
                                GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(event))
    result = box.run(["doctor", "--json"], env)
    assert result.code == 3, result
    checks = json.loads(result.stdout)["checks"]
    assert any(c["severity"] == "problem" and "pull request from the fork stranger/app" in c["message"]
               for c in checks)


def test_doctor_finds_a_gitlab_job_without_id_tokens(emu, box):
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts"], box.gitlab_env())
    assert result.code == 3, result
    assert ('add `id_tokens: { API___AZUREADTOKENEXCHANGE_ID_TOKEN: { aud: "api://AzureADTokenExchange" } }`'
            in result.stdout)
    assert "GitLab CI, detected from GITLAB_CI=true." in result.stdout


def test_doctor_warns_when_a_fixed_audience_differs(emu, box):
    token = emu.ci.mint("bitbucket")
    result = box.run(["doctor", box.index_url(), "--registry", "azure-artifacts"],
                     box.bitbucket_env(BITBUCKET_STEP_OIDC_TOKEN=token))
    assert result.code == 0, result
    assert "carries the audience 'ari:cloud:bitbucket::workspace/" in result.stdout
    assert row(result.stdout, "subject", emu.ci.claims["bitbucket"]["sub"])


def test_doctor_finds_azure_pipelines_without_access_token(emu, box):
    result = box.run(["doctor"], box.azure_pipelines_env(SYSTEM_ACCESSTOKEN=None))
    assert result.code == 3, result
    assert "map it into the step with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }`" in result.stdout


def test_doctor_finds_google_and_aws_configuration_traps(emu, box):
    env = box.github_runner_env(
        GCP_WORKLOAD_IDENTITY_PROVIDER="projects/my-project/locations/global/workloadIdentityPools/ci-pool",
        AWS_ROLE_ARN="ci-publisher")
    result = box.run(["doctor", "--json"], env)
    assert result.code == 2, result
    messages = [c["message"] for c in json.loads(result.stdout)["checks"] if c["severity"] == "problem"]
    assert any("GCP_WORKLOAD_IDENTITY_PROVIDER" in m and "project by its ID 'my-project'" in m for m in messages)
    assert any("'ci-publisher' is not an IAM role ARN" in m for m in messages)
    pool = box.run(["doctor"], box.github_runner_env(
        GCP_WORKLOAD_IDENTITY_PROVIDER="projects/123456/locations/global/workloadIdentityPools/ci-pool"))
    assert "names the pool 'ci-pool', not a provider" in pool.stdout
