"""The emulated Google and AWS services themselves: the SigV4 verifier agrees with
AWS's test suite and with botocore and refuses tampering; the token services refuse
what the real ones refuse; the leak check knows these clouds' secrets."""

from __future__ import annotations

import base64
import calendar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from clouds import (AWS_ROLE, GCP_PROVIDER_NAME, GCP_SA, GCP_TOKEN_AUDIENCE, cloud_sandbox,  # noqa: F401
                    configure_aws, configure_google)
from emulator import sigv4
from emulator.jwt import SigningKey
from harness import LeakCheck, Result

SUITE = Path(__file__).resolve().parents[1] / "IndexKitTests" / "Fixtures" / "sigv4"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = calendar.timegm(time.strptime("2015-08-30T12:36:00Z", "%Y-%m-%dT%H:%M:%SZ"))


def parse_signed(text: str, body: bytes):
    head = text.split("\n\n", 1)[0]
    lines = head.split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rsplit(" ", 1)[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.lower(), value))

    def values(name: str) -> list[str]:
        return [v for n, v in headers if n == name.lower()]
    return method, target, values


def suite_body(case: Path) -> bytes:
    request = (case / "request.txt").read_bytes()
    return request.split(b"\n\n", 1)[1] if b"\n\n" in request else b""


@pytest.mark.parametrize("case", sorted(p.name for p in SUITE.iterdir() if p.is_dir()))
def test_verifier_accepts_every_aws_test_suite_signature(case):
    folder = SUITE / case
    method, target, values = parse_signed((folder / "header-signed-request.txt").read_text(), suite_body(folder))
    verified = sigv4.verify(method, target, values, suite_body(folder),
                            lambda key: SUITE_SECRET if key == "AKIDEXAMPLE" else None,
                            "us-east-1", "service", now=SUITE_TIME)
    assert verified.access_key_id == "AKIDEXAMPLE"
    with pytest.raises(sigv4.SignatureError) as wrong:
        sigv4.verify(method, target, values, suite_body(folder), lambda key: SUITE_SECRET[:-1] + "X",
                     "us-east-1", "service", now=SUITE_TIME)
    assert wrong.value.code == "InvalidSignatureException"


def botocore_signed(url: str, *, method: str = "POST", body: bytes = b"", token: str | None = None,
                    region: str = "eu-west-1", secret: str = "s3cr3t/+key"):
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials("AKIATESTKEY", secret, token), "codeartifact", region).add_auth(request)
    headers = [(k.lower(), v) for k, v in request.headers.items()]
    host = url.split("/")[2]
    if not any(k == "host" for k, _ in headers):
        headers.append(("host", host))
    target = "/" + url.split("/", 3)[3]
    return method, target, lambda name: [v for k, v in headers if k == name], body


@pytest.mark.parametrize("url", [
    "https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?domain=my-domain&domain-owner=444455556666&duration=3600",
    "https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?duration=0&domain-owner=444455556666&domain=d%20x",
    "http://127.0.0.1:8123/v1/authorization-token?domain=a~b&domain-owner=444455556666",
])
def test_verifier_agrees_with_botocore(url):
    method, target, values, body = botocore_signed(url, token="session/token+=")
    verified = sigv4.verify(method, target, values, body, lambda key: "s3cr3t/+key", "eu-west-1", "codeartifact")
    assert "x-amz-security-token" in verified.signed_headers


@pytest.mark.parametrize("tamper,code", [
    ("secret", "InvalidSignatureException"),
    ("query", "InvalidSignatureException"),
    ("body", "InvalidSignatureException"),
    ("signed-header", "InvalidSignatureException"),
    ("region", "InvalidSignatureException"),
    ("service", "InvalidSignatureException"),
    ("unknown-key", "UnrecognizedClientException"),
    ("stale", "InvalidSignatureException"),
    ("missing", "MissingAuthenticationTokenException"),
])
def test_verifier_refuses_tampering(tamper, code):
    url = "https://codeartifact.eu-west-1.amazonaws.com/v1/authorization-token?domain=d&domain-owner=444455556666"
    method, target, values, body = botocore_signed(url, token="tok")
    region, service, secret, now = "eu-west-1", "codeartifact", "s3cr3t/+key", None
    if tamper == "secret":
        secret = "another"
    elif tamper == "query":
        target = target.replace("domain=d", "domain=e")
    elif tamper == "body":
        body = b"{}"
    elif tamper == "signed-header":
        original = values
        values = lambda name: ["other"] if name == "x-amz-security-token" else original(name)  # noqa: E731
    elif tamper == "region":
        region = "us-east-1"
    elif tamper == "service":
        service = "sts"
    elif tamper == "stale":
        now = time.time() + 3600
    elif tamper == "missing":
        original = values
        values = lambda name: [] if name == "authorization" else original(name)  # noqa: E731
    known = (lambda key: None) if tamper == "unknown-key" else (lambda key: secret)
    with pytest.raises(sigv4.SignatureError) as err:
        sigv4.verify(method, target, values, body, known, region, service, now=now)
    assert err.value.code == code


def post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def sts_form(token: str) -> bytes:
    return urllib.parse.urlencode({
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "audience": "//iam.googleapis.com/" + GCP_PROVIDER_NAME,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "subject_token": token}).encode()


def test_google_sts_refuses_a_token_from_an_untrusted_issuer(emu):
    configure_google(emu)
    claims = {"iss": emu.github.issuer, "sub": "x", "aud": GCP_TOKEN_AUDIENCE, "exp": int(time.time()) + 60}
    forged = SigningKey().sign(claims)
    status, body = post(emu.google.sts.url + "/v1/token", sts_form(forged),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and json.loads(body)["error"] == "invalid_grant"
    status, body = post(emu.google.sts.url + "/v1/token", sts_form(emu.github.mint(GCP_TOKEN_AUDIENCE)),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and json.loads(body)["access_token"].startswith("ya29.")


def test_iam_credentials_needs_a_token_it_issued(emu):
    configure_google(emu)
    url = f"{emu.google.iam.url}/v1/projects/-/serviceAccounts/{GCP_SA}:generateAccessToken"
    status, body = post(url, b'{"scope":["https://www.googleapis.com/auth/cloud-platform"]}',
                        {"Authorization": "Bearer ya29.made-up", "Content-Type": "application/json"})
    assert status == 401 and json.loads(body)["error"]["status"] == "UNAUTHENTICATED"


def test_aws_sts_refuses_a_token_from_an_untrusted_issuer(emu):
    configure_aws(emu)
    claims = {"iss": emu.github.issuer, "sub": "repo:octo-org/app:ref:refs/heads/main", "aud": "sts.amazonaws.com",
              "exp": int(time.time()) + 60}
    form = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": AWS_ROLE,
            "RoleSessionName": "s1", "WebIdentityToken": SigningKey().sign(claims)}
    status, body = post(emu.aws.sts.url + "/", urllib.parse.urlencode(form).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"<Code>InvalidIdentityToken</Code>" in body
    form["WebIdentityToken"] = emu.github.mint("sts.amazonaws.com")
    status, body = post(emu.aws.sts.url + "/", urllib.parse.urlencode(form).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"<AccessKeyId>ASIA" in body


def test_the_leak_check_knows_cloud_secrets(emu, cloud_sandbox, tmp_path):
    """A run that printed a Google token, an AWS session secret or a Basic header would fail."""
    google = emu.google.issue("impersonated", "serviceAccount:" + GCP_SA, 60).token
    keys = emu.aws.add_static_keys(session=True)
    basic = base64.b64encode(f"oauth2accesstoken:{google}".encode()).decode()
    env = {"HOME": str(cloud_sandbox.home)}
    for leaked in (google, keys.secret, keys.session_token, basic):
        result = Result(["login", "x"], 0, "", f"debug: {leaked}\n", 0.1, env)
        problems = LeakCheck(cloud_sandbox.root).check(result, cloud_sandbox.canaries(env))
        assert problems, f"not caught: {leaked[:8]}…"
