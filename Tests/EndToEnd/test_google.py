"""Google Artifact Registry: CI token → Google STS → (IAM Credentials) → a real pip
install and twine upload through the Artifact-Registry-shaped front; external_account
files, service account keys, every refusal, and faults."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse

import pytest

from clouds import (GCP_NUMBER, GCP_POOL, GCP_PROVIDER_NAME, GCP_REPO, GCP_SA, GCP_TOKEN_AUDIENCE,
                    cloud_sandbox, gar_upload_url, gar_url, google_args, google_endpoints,  # noqa: F401
                    install_then_upload, request_counts, with_credentials)
from emulator import faults
from emulator.jwt import parse
from harness import index_accepts, quote_all



def basic_credentials(record) -> tuple[str, str]:
    scheme, _, value = record.headers.get("Authorization", "").partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(value).decode().partition(":")
    return user, password

EXCHANGE = ["github", "google-sts", "google-iam", "google-oauth"]


def impersonated_token(emu) -> str:
    (token,) = [t for t in emu.google.issued("impersonated")]
    return token


def test_impersonation_then_pip_install_and_twine_upload(emu, cloud_sandbox, dist):
    box = cloud_sandbox
    result = box.run(google_args(emu, "--write", "github-env,pypirc"), box.github_runner_env())
    assert result.code == 0, result
    token = impersonated_token(emu)
    # the protocol minimum: CI token, STS, generateAccessToken — one connection each
    assert request_counts(emu, EXCHANGE) == {"github": (1, 1), "google-sts": (1, 1), "google-iam": (1, 1),
                                             "google-oauth": (0, 0)}
    (oidc,) = emu.requests("github")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(oidc.path).query)["audience"] == [GCP_TOKEN_AUDIENCE]
    (exchange,) = emu.requests("google-sts")
    form = urllib.parse.parse_qs(exchange.body.decode())
    assert form["audience"] == ["//iam.googleapis.com/" + GCP_PROVIDER_NAME]
    assert "authorization" not in {k.lower() for k in exchange.headers}
    (impersonation,) = emu.requests("google-iam")
    assert impersonation.path == f"/v1/projects/-/serviceAccounts/{quote_all(GCP_SA)}:generateAccessToken"
    assert impersonation.note["caller"] == f"federated:projects/{GCP_NUMBER}/locations/global/workloadIdentityPools/{GCP_POOL}"
    assert json.loads(impersonation.body) == {"scope": ["https://www.googleapis.com/auth/cloud-platform"],
                                              "lifetime": "3600s"}

    install_then_upload(box, emu, result, index_url=gar_url(emu), upload_url=gar_upload_url(emu), repo=GCP_REPO,
                        username="oauth2accesstoken", token=token, service="gar",
                        upload_path=f"/emulated-project/{GCP_REPO}/", dist=dist)


def test_direct_federation_needs_two_requests(emu, cloud_sandbox):
    box = cloud_sandbox
    result = box.run(google_args(emu, impersonate=False), box.github_runner_env())
    assert result.code == 0, result
    (token,) = emu.google.issued("federated")
    assert request_counts(emu, EXCHANGE) == {"github": (1, 1), "google-sts": (1, 1), "google-iam": (0, 0),
                                             "google-oauth": (0, 0)}
    pip_url = box.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == with_credentials(gar_url(emu), "oauth2accesstoken", token)
    assert index_accepts(pip_url)


def external_account(emu, source: dict, *, impersonate: bool = True, **extra) -> str:
    config = {
        "type": "external_account",
        "audience": "//iam.googleapis.com/" + GCP_PROVIDER_NAME,
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
        "token_url": emu.google.sts.url + "/v1/token",
        "credential_source": source,
        "universe_domain": "googleapis.com",
        **extra,
    }
    if impersonate:
        config["service_account_impersonation_url"] = (
            f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{GCP_SA}:generateAccessToken")
        config["service_account_impersonation"] = {"token_lifetime_seconds": 1800}
    return json.dumps(config, indent=2)


def file_args(emu, *extra: str) -> list[str]:
    return ["login", gar_url(emu), "--registry", "google-artifact-registry", *google_endpoints(emu), *extra]


def test_external_account_with_a_json_token_file(emu, cloud_sandbox):
    box = cloud_sandbox
    token_file = box.write_input("token.json", json.dumps({"value": emu.github.mint(GCP_TOKEN_AUDIENCE)}))
    creds = box.write_input("gcp.json", external_account(
        emu, {"file": str(token_file), "format": {"type": "json", "subject_token_field_name": "value"}}))
    result = box.run(file_args(emu, "--write", "shell"), {"GOOGLE_APPLICATION_CREDENTIALS": str(creds)})
    assert result.code == 0, result
    assert request_counts(emu, EXCHANGE) == {"github": (0, 0), "google-sts": (1, 1), "google-iam": (1, 1),
                                             "google-oauth": (0, 0)}
    (impersonation,) = emu.requests("google-iam")
    assert json.loads(impersonation.body)["lifetime"] == "1800s"
    proc, target = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_external_account_with_the_github_url_recipe(emu, cloud_sandbox):
    """The file gcloud writes for GitHub: the runner's URL with the audience, its bearer in headers."""
    box = cloud_sandbox
    url = emu.github.request_url + "&audience=" + urllib.parse.quote(GCP_TOKEN_AUDIENCE, safe="")
    creds = box.write_input("gcp.json", external_account(emu, {
        "url": url, "headers": {"Authorization": "Bearer " + emu.github.request_token},
        "format": {"type": "json", "subject_token_field_name": "value"}}, impersonate=False))
    result = box.run(file_args(emu), {"GOOGLE_APPLICATION_CREDENTIALS": str(creds), "GITHUB_ACTIONS": "true",
                                      "GITHUB_ENV": str(box.github_env)})
    assert result.code == 0, result
    (oidc,) = emu.requests("github")
    assert oidc.headers["Authorization"] == "Bearer " + emu.github.request_token
    assert index_accepts(box.github_env_values()["PIP_INDEX_URL"])


def test_external_account_executable(emu, cloud_sandbox):
    box = cloud_sandbox
    token = emu.github.mint(GCP_TOKEN_AUDIENCE)
    seen = box.work / "seen-env.txt"
    response = json.dumps({"version": 1, "success": True, "token_type": "urn:ietf:params:oauth:token-type:jwt",
                           "id_token": token, "expiration_time": int(time.time()) + 300})
    script = box.write_input("get-token.sh", "#!/bin/sh\n"
                             f'printf "%s|%s" "$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE" "$GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL" > {seen}\n'
                             f"cat <<'EOF'\n{response}\nEOF\n", mode=0o700)
    creds = box.write_input("gcp.json", external_account(emu, {"executable": {"command": f"{script} --flag",
                                                                               "timeout_millis": 5000}}))
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(creds)}
    refused = box.run(file_args(emu), env)
    assert refused.code == 2, refused
    assert "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1" in refused.stderr
    assert not seen.exists() and emu.requests() == []

    result = box.run(file_args(emu, "--write", "shell"), {**env, "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES": "1"})
    assert result.code == 0, result
    assert seen.read_text() == f"//iam.googleapis.com/{GCP_PROVIDER_NAME}|{GCP_SA}"
    (exchange,) = emu.requests("google-sts")
    assert urllib.parse.parse_qs(exchange.body.decode())["subject_token"] == [token]


def test_a_credential_file_cannot_send_the_token_elsewhere(emu, cloud_sandbox):
    """token_url in the file is not a Google host: refused before the CI token is even
    fetched, unless the user names the endpoint explicitly."""
    box = cloud_sandbox
    url = emu.github.request_url + "&audience=" + urllib.parse.quote(GCP_TOKEN_AUDIENCE, safe="")
    creds = box.write_input("gcp.json", external_account(emu, {
        "url": url, "headers": {"Authorization": "Bearer " + emu.github.request_token},
        "format": {"type": "json", "subject_token_field_name": "value"}}, impersonate=False))
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(creds)}
    args = ["login", gar_url(emu), "--registry", "google-artifact-registry", "--write", "shell"]
    result = box.run(args, env)
    assert result.code == 2, result
    assert f"The external_account file {creds} has token_url '{emu.google.sts.url}/v1/token', " \
           "which is not a Google API host" in result.stderr
    assert "--gcp-sts-endpoint" in result.stderr
    assert emu.requests() == []
    result = box.run(args + ["--gcp-sts-endpoint", emu.google.sts.url + "/v1/token"], env)
    assert result.code == 0, result


def test_service_account_key_jwt_bearer_then_pip(emu, cloud_sandbox):
    box = cloud_sandbox
    key = box.write_input("key.json", emu.google.new_key_file(GCP_SA))
    result = box.run(file_args(emu, "--write", "shell"), {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert result.code == 0, result
    (token,) = emu.google.issued("key")
    assert request_counts(emu, EXCHANGE) == {"github": (0, 0), "google-sts": (0, 0), "google-iam": (0, 0),
                                             "google-oauth": (1, 1)}
    (grant,) = emu.requests("google-oauth")
    assertion = parse(urllib.parse.parse_qs(grant.body.decode())["assertion"][0])
    assert assertion.header["kid"] == json.loads(key.read_text())["private_key_id"]
    assert assertion.claims["iss"] == GCP_SA
    proc, _ = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = emu.requests("gar")[0]
    assert first.note["auth"] == "accepted"
    assert basic_credentials(first) == ("oauth2accesstoken", token)


def test_a_key_the_emulator_does_not_know_is_refused(emu, cloud_sandbox):
    box = cloud_sandbox
    text = emu.google.new_key_file(GCP_SA)
    forged = json.loads(text)
    forged["private_key_id"] = "0" * 40  # Google finds no such key: the signature cannot be checked
    key = box.write_input("key.json", json.dumps(forged))
    result = box.run(file_args(emu), {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert result.code == 4, result
    assert "Invalid JWT Signature." in result.stderr
    assert "deleted, disabled or never belonged to this account" in result.stderr


def test_key_as_password(emu, cloud_sandbox):
    box = cloud_sandbox
    text = emu.google.new_key_file(GCP_SA)
    key = box.write_input("key.json", text)
    result = box.run(file_args(emu, "--gcp-key-as-password", "--write", "shell"),
                     {"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    assert result.code == 0, result
    assert "never expires" in result.stderr
    assert emu.requests() == []
    proc, _ = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = emu.requests("gar")[0]
    assert first.note["auth"] == "accepted"
    assert basic_credentials(first) == ("_json_key_base64", base64.b64encode(text.encode()).decode())


# -- refusals ---------------------------------------------------------------
def refused(box, emu, args, env=None):
    result = box.run(args, env or box.github_runner_env())
    assert result.code == 4, result
    assert box.github_env.read_bytes() == b""
    return result.stderr


def test_invalid_grant_wrong_audience(emu, cloud_sandbox):
    err = refused(cloud_sandbox, emu, google_args(emu, "--gcp-audience", "https://github.com/octo-org"))
    assert "invalid_grant (The audience in ID Token [https://github.com/octo-org] does not match" in err
    assert "aud 'https://github.com/octo-org'" in err
    assert f"by default that is '{GCP_TOKEN_AUDIENCE}'" in err


def test_invalid_target_unknown_provider(emu, cloud_sandbox):
    other = GCP_PROVIDER_NAME.replace("/providers/github", "/providers/gitlab")
    err = refused(cloud_sandbox, emu, google_args(emu, provider=other))
    assert "invalid_target" in err
    assert f"providers describe gitlab --workload-identity-pool={GCP_POOL} --location=global --project={GCP_NUMBER}" in err


def test_unauthorized_client_attribute_condition(emu, cloud_sandbox):
    emu.google.providers[GCP_PROVIDER_NAME].condition = lambda c: c.get("repository_owner") == "other-org"
    err = refused(cloud_sandbox, emu, google_args(emu))
    assert "unauthorized_client (The given credential is rejected by the attribute condition.)" in err
    assert "repository 'octo-org/app', repository_owner 'octo-org'" in err
    assert "sub 'repo:octo-org/app:ref:refs/heads/main'" in err


def test_permission_denied_on_impersonation(emu, cloud_sandbox):
    emu.google.accounts[GCP_SA].members.clear()
    err = refused(cloud_sandbox, emu, google_args(emu))
    assert "IAM Credentials refused to issue a token for the service account " + GCP_SA + ": PERMISSION_DENIED" in err
    assert ("--role=roles/iam.workloadIdentityUser --member=principalSet://iam.googleapis.com/"
            f"projects/{GCP_NUMBER}/locations/global/workloadIdentityPools/{GCP_POOL}/attribute.repository/octo-org/app") in err


def test_project_id_and_pool_are_caught_before_any_request(emu, cloud_sandbox):
    box = cloud_sandbox
    for provider, text in [
        (GCP_PROVIDER_NAME.replace(GCP_NUMBER, "emulated-project"), "names the project by its ID 'emulated-project'"),
        (GCP_PROVIDER_NAME.rsplit("/providers/", 1)[0], "names the pool 'ci-pool', not a provider"),
    ]:
        result = box.run(google_args(emu, provider=provider), box.github_runner_env())
        assert result.code == 2, result
        assert text in result.stderr
    assert emu.requests() == []


# -- faults -----------------------------------------------------------------
@pytest.mark.parametrize("service,prefix,fault", [
    ("google-sts", "/v1/token", faults.status(503)),
    ("google-sts", "/v1/token", faults.status(429, retry_after=1)),
    ("google-iam", "/v1/projects", faults.connection_reset()),
    ("google-iam", "/v1/projects", faults.truncated()),
], ids=["sts-503", "sts-429", "iam-reset", "iam-truncated"])
def test_transient_faults_are_retried(emu, cloud_sandbox, service, prefix, fault):
    emu.inject(service, prefix, fault)
    result = cloud_sandbox.run(google_args(emu), cloud_sandbox.github_runner_env())
    assert result.code == 0, result
    first, second = emu.requests(service)
    assert first.fault == fault.kind and second.fault is None and second.status == 200
    if fault.retry_after:
        assert second.start - first.end >= fault.retry_after - 0.05
    assert index_accepts(cloud_sandbox.github_env_values()["PIP_INDEX_URL"])


def test_persistent_sts_failure_gives_up_with_exit_5(emu, cloud_sandbox):
    emu.inject("google-sts", "/v1/token", faults.status(503, times=None))
    result = cloud_sandbox.run(google_args(emu), cloud_sandbox.github_runner_env())
    assert result.code == 5, result
    assert "503" in result.stderr
    assert emu.requests("google-iam") == []
