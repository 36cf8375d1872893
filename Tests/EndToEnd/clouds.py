"""Shared setup for the Google Artifact Registry and AWS CodeArtifact end-to-end tests:
the default cloud configuration each test starts from, the command lines that point
indexkey at the emulated endpoints, and a leak check that knows these clouds' secrets."""

from __future__ import annotations

import base64
import configparser
import urllib.parse
from typing import Optional

import pytest

from harness import FEED, ORG, PROJECT

# -- Google -------------------------------------------------------------------
GCP_NUMBER, GCP_POOL, GCP_PROVIDER = "123456789012", "ci-pool", "github"
GCP_PROVIDER_NAME = (f"projects/{GCP_NUMBER}/locations/global/workloadIdentityPools/{GCP_POOL}"
                     f"/providers/{GCP_PROVIDER}")
GCP_POOL_NAME = GCP_PROVIDER_NAME.rsplit("/providers/", 1)[0]
GCP_SA = "publisher@emulated-project.iam.gserviceaccount.com"
GCP_PROJECT, GCP_REPO = "emulated-project", "python-repo"
GCP_TOKEN_AUDIENCE = "https://iam.googleapis.com/" + GCP_PROVIDER_NAME

# -- AWS ----------------------------------------------------------------------
AWS_ACCOUNT, AWS_REGION = "111122223333", "eu-west-1"
AWS_ROLE = f"arn:aws:iam::{AWS_ACCOUNT}:role/indexkey-publisher"
AWS_DOMAIN, AWS_OWNER, AWS_REPO = "my-domain", "444455556666", "my-repo"


def configure_google(emu, member: Optional[str] = None) -> None:
    """A provider trusting the emulated GitHub issuer, and a service account the
    repository octo-org/app may impersonate."""
    google = emu.google
    google.add_provider(GCP_NUMBER, GCP_POOL, GCP_PROVIDER, emu.github.issuer)
    google.add_service_account(GCP_SA)
    google.grant(GCP_SA, "roles/iam.workloadIdentityUser",
                 member or f"principalSet://iam.googleapis.com/{GCP_POOL_NAME}/attribute.repository/octo-org/app")


def configure_aws(emu, sub: str = "repo:octo-org/app:*") -> None:
    aws = emu.aws
    aws.add_oidc_provider(AWS_ACCOUNT, emu.github.issuer, ["sts.amazonaws.com"])
    aws.add_role(AWS_ROLE, [{"aud": "sts.amazonaws.com", "sub": sub}])
    aws.add_domain(AWS_DOMAIN, AWS_OWNER)


def gar_url(emu) -> str:
    return f"{emu.google.index.url}/{GCP_PROJECT}/{GCP_REPO}/simple/"


def gar_upload_url(emu) -> str:
    return f"{emu.google.index.url}/{GCP_PROJECT}/{GCP_REPO}/"


def codeartifact_url(emu) -> str:
    return f"{emu.aws.index.url}/pypi/{AWS_REPO}/simple/"


def codeartifact_upload_url(emu) -> str:
    return f"{emu.aws.index.url}/pypi/{AWS_REPO}/"


def google_endpoints(emu) -> list[str]:
    return ["--gcp-sts-endpoint", emu.google.sts.url + "/v1/token",
            "--gcp-iam-credentials-endpoint", emu.google.iam.url,
            "--gcp-oauth-endpoint", emu.google.oauth.url + "/token"]


def google_args(emu, *extra: str, impersonate: bool = True, provider: str = GCP_PROVIDER_NAME) -> list[str]:
    args = ["login", gar_url(emu), "--registry", "google-artifact-registry",
            "--gcp-workload-identity-provider", provider, *google_endpoints(emu)]
    if impersonate:
        args += ["--gcp-service-account", GCP_SA]
    return args + list(extra)


def mixed_cloud_urls() -> list[str]:
    """An Azure Artifacts feed and a Google Artifact Registry repository by their real URLs
    (each recognised from its host): two exchanges with different audiences, which run
    against the emulator's endpoints (nothing contacts the index hosts themselves)."""
    return [f"https://pkgs.dev.azure.com/{ORG}/{PROJECT}/_packaging/{FEED}/pypi/simple/",
            f"https://europe-west1-python.pkg.dev/{GCP_PROJECT}/{GCP_REPO}/simple/"]


def mixed_cloud_args(emu) -> list[str]:
    return ["login", *mixed_cloud_urls(), "--gcp-workload-identity-provider", GCP_PROVIDER_NAME,
            *google_endpoints(emu)]


def aws_endpoints(emu) -> list[str]:
    return ["--aws-region", AWS_REGION, "--aws-domain", AWS_DOMAIN, "--aws-domain-owner", AWS_OWNER,
            "--aws-sts-endpoint", emu.aws.sts.url, "--aws-codeartifact-endpoint", emu.aws.codeartifact.url]


def aws_args(emu, *extra: str, role: Optional[str] = AWS_ROLE) -> list[str]:
    args = ["login", codeartifact_url(emu), "--registry", "aws-codeartifact", *aws_endpoints(emu)]
    if role:
        args += ["--aws-role-arn", role]
    return args + list(extra)


def with_credentials(url: str, user: str, password: str) -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = f"{user}:{urllib.parse.quote(password, safe='')}@{parts.netloc}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


CLOUD_SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@pytest.fixture
def cloud_sandbox(emu, sandbox):
    """The sandbox, with its leak check extended to these clouds: private keys, session
    secrets and intermediate tokens appear nowhere; issued index credentials only in
    the sinks meant for them (their Basic-auth header forms only in mask commands)."""
    configure_google(emu)
    configure_aws(emu)
    base = sandbox.canaries

    def canaries(env):
        found = base(env)
        for cloud in (emu.google, emu.aws):
            nowhere, access, usernames = cloud.canaries()
            found.nowhere |= nowhere
            found.access |= access
            # Basic-auth header forms: only ever inside a mask command.
            found.basic |= {base64.b64encode(f"{user}:{token}".encode()).decode()
                            for token in access for user in usernames}
        found.nowhere |= {env[name] for name in CLOUD_SECRET_ENV if env.get(name)}
        return found

    sandbox.canaries = canaries
    return sandbox


def request_counts(emu, services: list[str]) -> dict[str, tuple[int, int]]:
    """{service: (requests, connections)} since the last reset."""
    return {name: (len(emu.requests(name)), emu.connections(name)) for name in services}


def install_then_upload(box, emu, result, *, index_url: str, upload_url: str, repo: str, username: str,
                        token: str, service: str, upload_path: str, dist):
    """What a later CI step does with the outputs of a `--write github-env,pypirc` run:
    checks what was written and masked, installs through PIP_INDEX_URL with real pip,
    uploads through .pypirc with real twine, and returns the upload the index saw."""
    from harness import masked_values, quote_all

    pip_url = box.github_env_values()["PIP_INDEX_URL"]
    assert pip_url == with_credentials(index_url, username, token)
    assert {token, quote_all(token)} <= set(masked_values(result.stderr))
    proc, target = box.pip_install(pip_url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "mypkg" / "__init__.py").read_text() == '__version__ = "1.0.0"\n'

    config = configparser.RawConfigParser()
    config.read(box.home / ".pypirc")
    assert dict(config[repo]) == {"repository": upload_url, "username": username, "password": token}
    proc = box.twine_upload(repo, box.home / ".pypirc", [dist])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert dist.name in emu.index.packages()
    (upload,) = [r for r in emu.requests(service) if r.method == "POST"]
    assert upload.path == upload_path and upload.note["auth"] == "accepted"
    return upload
