"""The emulated laptop and cloud-runtime services refuse what the real ones refuse:
Google's refresh-token grant and metadata server, STS AssumeRole (signed with botocore's
signer), IAM Identity Center's portal, the container-credentials agent, IMDSv2."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from clouds import AWS_ACCOUNT, GCP_SA, configure_aws, configure_google


def call(url: str, *, method: str = "GET", data: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)


def refresh(emu, user, **change) -> tuple[int, dict]:
    form = {"grant_type": "refresh_token", "refresh_token": user.refresh_token,
            "client_id": user.client_id, "client_secret": user.client_secret, **change}
    status, body, _ = call(emu.google.oauth.url + "/token", method="POST",
                           data=urllib.parse.urlencode(form).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status, json.loads(body)


def test_refresh_grant_answers_the_signed_in_user_and_refuses_the_rest(emu):
    user = emu.google.users.add("dev@example.com")
    status, body = refresh(emu, user)
    assert status == 200 and body["access_token"].startswith("ya29.")
    assert emu.google.lookup(body["access_token"]).principal == "user:dev@example.com"
    assert refresh(emu, user, client_secret="wrong") == (401, {"error": "invalid_client", "error_description": "Unauthorized"})
    assert refresh(emu, user, refresh_token="1//0gunknown")[1]["error"] == "invalid_grant"
    emu.google.users.revoke(user)
    assert refresh(emu, user) == (400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    assert user.refresh_token in emu.google.canaries()[0] and user.client_secret in emu.google.canaries()[0]


METADATA_TOKEN = "/computeMetadata/v1/instance/service-accounts/default/token"


def test_metadata_server_needs_its_header_and_an_attached_account(emu):
    url = emu.google.metadata.url + METADATA_TOKEN
    assert call(url, headers={"Metadata-Flavor": "Google"})[0] == 404  # nothing attached
    emu.google.metadata.attach(GCP_SA)
    assert call(url)[0] == 403
    assert call(url, headers={"Metadata-Flavor": "Google", "X-Forwarded-For": "1.2.3.4"})[0] == 403
    status, body, headers = call(url, headers={"Metadata-Flavor": "Google"})
    assert status == 200 and headers["Metadata-Flavor"] == "Google"
    token = json.loads(body)["access_token"]
    assert emu.google.lookup(token).principal == "serviceAccount:" + GCP_SA
    scopes = call(url.replace("/token", "/scopes"), headers={"Metadata-Flavor": "Google"})[1].decode()
    assert scopes == "https://www.googleapis.com/auth/cloud-platform\n"


def test_index_refuses_a_metadata_token_without_cloud_platform(emu):
    emu.google.metadata.attach(GCP_SA, scopes=["https://www.googleapis.com/auth/devstorage.read_only"])
    status, body, _ = call(emu.google.metadata.url + METADATA_TOKEN, headers={"Metadata-Flavor": "Google"})
    assert status == 200
    assert not emu.google.index._accepts("oauth2accesstoken", json.loads(body)["access_token"])


def signed_assume_role(emu, keys, role: str, *, region: str = "eu-west-1", **extra: str) -> tuple[int, bytes]:
    form = {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role, "RoleSessionName": "dev", **extra}
    request = AWSRequest(method="POST", url=emu.aws.sts.url + "/", data=urllib.parse.urlencode(form).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(keys.access_key_id, keys.secret, keys.session_token), "sts", region).add_auth(request)
    status, body, _ = call(request.url, method="POST", data=request.body, headers=dict(request.headers))
    return status, body


def test_assume_role_verifies_the_signature_and_the_trust(emu):
    configure_aws(emu)
    role = f"arn:aws:iam::{AWS_ACCOUNT}:role/deploy"
    caller = emu.aws.add_static_keys(f"arn:aws:iam::{AWS_ACCOUNT}:user/dev")
    stranger = emu.aws.add_static_keys("arn:aws:iam::999999999999:user/x")
    emu.aws.add_role(role, [], assumers=[f"arn:aws:iam::{AWS_ACCOUNT}:root"], external_id="ext-1")
    status, body = signed_assume_role(emu, caller, role, ExternalId="ext-1")
    assert status == 200 and b"<AccessKeyId>ASIA" in body, body
    assert emu.requests("aws-sts")[-1].note["caller"] == f"arn:aws:iam::{AWS_ACCOUNT}:user/dev"
    assert b"<Code>AccessDenied</Code>" in signed_assume_role(emu, caller, role)[1]  # no external id
    assert b"<Code>AccessDenied</Code>" in signed_assume_role(emu, stranger, role, ExternalId="ext-1")[1]
    forged = dataclasses.replace(caller, secret=caller.secret[:-1] + ("A" if caller.secret[-1] != "A" else "B"))
    status, body = signed_assume_role(emu, forged, role, ExternalId="ext-1")
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def test_sso_portal_answers_assigned_roles_for_a_live_token(emu):
    session = emu.aws.sso.sign_in("dev", [(AWS_ACCOUNT, "Developer")])
    base = emu.aws.sso.url + "/federation/credentials?"
    good = base + urllib.parse.urlencode({"account_id": AWS_ACCOUNT, "role_name": "Developer"})
    status, body, _ = call(good, headers={"x-amz-sso_bearer_token": session.token})
    credentials = json.loads(body)["roleCredentials"]
    assert status == 200 and emu.aws.key(credentials["accessKeyId"]).secret == credentials["secretAccessKey"]
    assert credentials["expiration"] > 10**12  # milliseconds
    other = base + urllib.parse.urlencode({"account_id": AWS_ACCOUNT, "role_name": "Admin"})
    status, _, headers = call(other, headers={"x-amz-sso_bearer_token": session.token})
    assert (status, headers["x-amzn-ErrorType"]) == (403, "ForbiddenException")
    status, _, headers = call(good, headers={"x-amz-sso_bearer_token": "aoa-unknown"})
    assert (status, headers["x-amzn-ErrorType"]) == (401, "UnauthorizedException")


def test_container_agent_checks_its_authorization_token(emu):
    emu.aws.container.add_container_credentials("/v1/credentials", f"arn:aws:iam::{AWS_ACCOUNT}:role/pod", token="pod-token")
    url = emu.aws.container.url + "/v1/credentials"
    assert call(url)[0] == 401
    status, body, _ = call(url, headers={"Authorization": "pod-token"})
    answer = json.loads(body)
    assert status == 200 and emu.aws.key(answer["AccessKeyId"]).session_token == answer["Token"]
    assert call(emu.aws.container.url + "/v2/other")[0] == 404


def test_imds_answers_only_with_a_session_token(emu):
    imds = emu.aws.imds.url
    emu.aws.imds.attach_role("web-server")
    assert call(imds + "/latest/meta-data/iam/security-credentials/")[0] == 401  # IMDSv1
    assert call(imds + "/latest/api/token", method="PUT")[0] == 400  # no TTL
    assert call(imds + "/latest/api/token", method="PUT", headers={
        "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "1.2.3.4"})[0] == 403
    status, token, _ = call(imds + "/latest/api/token", method="PUT",
                            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
    assert status == 200
    headers = {"X-aws-ec2-metadata-token": token.decode()}
    assert call(imds + "/latest/meta-data/iam/security-credentials/", headers=headers)[1] == b"web-server"
    status, body, _ = call(imds + "/latest/meta-data/iam/security-credentials/web-server", headers=headers)
    assert status == 200 and json.loads(body)["Code"] == "Success"
    assert call(imds + "/latest/meta-data/iam/security-credentials/other", headers=headers)[0] == 404


@pytest.fixture(autouse=True)
def _configured(emu):
    configure_google(emu)
