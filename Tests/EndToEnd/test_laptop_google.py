"""Google Artifact Registry on a laptop and in Google Cloud runtimes: Application Default
Credentials in google-auth's order — GOOGLE_APPLICATION_CREDENTIALS, the gcloud ADC file
(authorized_user, impersonated_service_account), the gcloud CLI's active account (a fake
gcloud on PATH), the metadata server — each through to a real pip install, each documented
error, and which link answered in `doctor`."""

from __future__ import annotations

import json

import pytest

from clouds import GCP_SA, cloud_sandbox, gar_url  # noqa: F401
from laptop import Laptop

LOGIN = ["--registry", "google-artifact-registry", "--write", "shell"]


@pytest.fixture
def laptop(emu, cloud_sandbox):
    return Laptop(cloud_sandbox, emu)


def login(box, laptop, env: dict, *extra: str):
    return box.run(["login", gar_url(box.emu), *LOGIN, *extra], {**laptop.google_env(), **env})


def installs(box, result) -> None:
    assert result.code == 0, result
    proc, target = box.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").exists()


def oauth_users(emu) -> list[str]:
    return [r.note.get("user") for r in emu.requests("google-oauth")]


def test_adc_authorized_user_then_pip_install(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("dev@example.com")
    laptop.adc_user(user)
    result = login(cloud_sandbox, laptop, {})
    installs(cloud_sandbox, result)
    (grant,) = emu.requests("google-oauth")
    assert grant.note == {"user": "dev@example.com"}
    assert "credential for user oauth2accesstoken" in result.stderr


def test_revoked_adc_sign_in_names_the_command(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("dev@example.com")
    laptop.adc_user(user)
    emu.google.users.revoke(user)
    result = login(cloud_sandbox, laptop, {})
    assert result.code == 3, result
    assert "Token has been expired or revoked" in result.stderr
    assert "Run `gcloud auth application-default login` again." in result.stderr
    assert result.stdout == ""


def test_google_application_credentials_beats_the_adc_file(emu, cloud_sandbox, laptop):
    adc_user = emu.google.users.add("adc@example.com")
    laptop.adc_user(adc_user)
    named = emu.google.users.add("named@example.com")
    path = cloud_sandbox.write_input("user.json", json.dumps({
        "type": "authorized_user", "client_id": named.client_id, "client_secret": named.client_secret,
        "refresh_token": named.refresh_token}))
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {"GOOGLE_APPLICATION_CREDENTIALS": str(path)}))
    assert oauth_users(emu) == ["named@example.com"]


def test_impersonated_adc_file(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("dev@example.com")
    emu.google.grant(GCP_SA, "roles/iam.serviceAccountTokenCreator", "user:dev@example.com")
    laptop.adc({"type": "impersonated_service_account", "delegates": [],
                "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/"
                                                     f"serviceAccounts/{GCP_SA}:generateAccessToken",
                "source_credentials": {"type": "authorized_user", "client_id": user.client_id,
                                       "client_secret": user.client_secret, "refresh_token": user.refresh_token}})
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {}))
    (generate,) = emu.requests("google-iam")
    assert generate.note["caller"] == "user:dev@example.com"
    # the user's own token only authorised the impersonation
    assert emu.google.issued("user") and all(emu.google.tokens[t].bearer_only for t in emu.google.issued("user"))


def test_impersonation_refused_names_the_role_to_grant(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("dev@example.com")
    laptop.adc({"type": "impersonated_service_account",
                "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/"
                                                     f"serviceAccounts/{GCP_SA}:generateAccessToken",
                "source_credentials": {"type": "authorized_user", "client_id": user.client_id,
                                       "client_secret": user.client_secret, "refresh_token": user.refresh_token}})
    result = login(cloud_sandbox, laptop, {})
    assert result.code == 4, result
    assert "roles/iam.serviceAccountTokenCreator" in result.stderr and "--member=user:YOUR_EMAIL" in result.stderr


def test_gcloud_cli_active_account(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("cli@example.com")
    laptop.gcloud_login(user)
    result = login(cloud_sandbox, laptop, {"PATH": laptop.fake_path()})
    installs(cloud_sandbox, result)
    assert oauth_users(emu) == ["cli@example.com"]


def test_gcloud_without_an_active_account(emu, cloud_sandbox, laptop):
    (laptop.gcloud_dir / "configurations").mkdir(parents=True)
    result = login(cloud_sandbox, laptop, {"PATH": laptop.fake_path()})
    # the probe reads gcloud's configuration as gcloud does; gcloud itself is not run
    assert result.code == 2, result
    assert "has no active account in configuration default; run `gcloud auth login`" in result.stderr
    assert emu.requests() == []


def test_the_adc_file_comes_before_the_gcloud_cli(emu, cloud_sandbox, laptop):
    adc = emu.google.users.add("adc@example.com")
    cli = emu.google.users.add("cli@example.com")
    laptop.adc_user(adc)
    laptop.gcloud_login(cli)
    installs(cloud_sandbox, login(cloud_sandbox, laptop, {"PATH": laptop.fake_path()}))
    assert oauth_users(emu) == ["adc@example.com"]


def test_metadata_server_token_is_used_directly(emu, cloud_sandbox, laptop):
    emu.google.metadata.attach(GCP_SA)
    host = emu.google.metadata.url.split("://", 1)[1]
    result = login(cloud_sandbox, laptop, {"GCE_METADATA_HOST": host})
    installs(cloud_sandbox, result)
    assert [r.path.rsplit("/", 1)[1] for r in emu.requests("google-metadata")] == ["scopes", "token"]
    assert all(r.headers.get("Metadata-Flavor") == "Google" for r in emu.requests("google-metadata"))
    assert emu.requests("google-oauth") == [] and emu.requests("google-iam") == []


def test_metadata_server_without_cloud_platform_names_the_scope(emu, cloud_sandbox, laptop):
    emu.google.metadata.attach(GCP_SA, scopes=["https://www.googleapis.com/auth/devstorage.read_only"])
    host = emu.google.metadata.url.split("://", 1)[1]
    result = login(cloud_sandbox, laptop, {"GCE_METADATA_HOST": host})
    assert result.code == 3, result
    assert "without https://www.googleapis.com/auth/cloud-platform" in result.stderr
    assert "--scopes=cloud-platform" in result.stderr
    assert [r.path.rsplit("/", 1)[1] for r in emu.requests("google-metadata")] == ["scopes"]


def test_nothing_configured_says_what_was_tried(emu, cloud_sandbox, laptop):
    result = login(cloud_sandbox, laptop, {"PATH": str(cloud_sandbox.work)})  # no gcloud there
    assert result.code == 2, result
    for tried in ("user-credentials: GOOGLE_APPLICATION_CREDENTIALS is not set", "gcloud-adc: no ",
                  "application_default_credentials.json", "gcloud: gcloud is not on PATH", "metadata-server: NO_GCE_CHECK"):
        assert tried in result.stderr, tried
    assert "gcloud auth application-default login" in result.stderr
    assert emu.requests() == []


def test_doctor_shows_which_link_answered(emu, cloud_sandbox, laptop):
    user = emu.google.users.add("cli@example.com")
    laptop.gcloud_login(user)
    env = {**laptop.google_env(), "PATH": laptop.fake_path()}
    result = cloud_sandbox.run(["doctor", gar_url(emu), "--registry", "google-artifact-registry"], env)
    assert result.code == 0, result
    text = result.stdout + result.stderr
    assert "- gcloud-adc: skipped: no " in text
    assert "✓ gcloud: " in text and "account cli@example.com" in text
    assert "  metadata-server: not tried" in text
    assert emu.requests("google-oauth") == []  # doctor probes; it fetches nothing
