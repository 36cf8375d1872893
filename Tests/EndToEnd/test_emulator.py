"""The emulator on its own, driven with the standard library: issuance,
validation and every Entra error code, the index front, faults, the log."""

from __future__ import annotations

import base64
import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from emulator import faults
from emulator.entra import AZURE_DEVOPS_SCOPE, JWT_BEARER
from emulator.jwt import SigningKey, b64url, parse
from emulator.wheel import build_wheel
from harness import CLIENT_ID, TENANT

HERE = Path(__file__).resolve().parent


def call(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body) without raising on HTTP errors."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def fetch_oidc(emu, audience=None, token=None, scheme="Bearer"):
    url = emu.github.request_url
    if audience is not None:
        url += "&audience=" + urllib.parse.quote(audience, safe="")
    token = emu.github.request_token if token is None else token
    return call("GET", url, headers={"Authorization": f"{scheme} {token}"})


def oidc_token(emu, audience="api://AzureADTokenExchange"):
    status, _, body = fetch_oidc(emu, audience)
    assert status == 200, body
    return json.loads(body)["value"]


def token_form(**fields):
    form = {"client_id": CLIENT_ID, "grant_type": "client_credentials",
            "scope": AZURE_DEVOPS_SCOPE}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def post_token(emu, form, tenant=TENANT, content_type="application/x-www-form-urlencoded"):
    body = urllib.parse.urlencode(form).encode()
    status, headers, raw = call("POST", emu.entra.token_endpoint(tenant), body,
                                {"Content-Type": content_type})
    return status, json.loads(raw)


def federated(emu, assertion=None, **fields):
    if assertion is None:
        assertion = oidc_token(emu)
    return post_token(emu, token_form(client_assertion_type=JWT_BEARER,
                                      client_assertion=assertion, **fields))


def assert_entra_error(status, body, http_status, error, code):
    assert status == http_status, body
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert re.fullmatch(
        rf"AADSTS{code}: .+\r\nTrace ID: [0-9a-f-]{{36}}\r\nCorrelation ID: [0-9a-f-]{{36}}"
        r"\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", body["error_description"], re.S), body
    assert re.fullmatch(r"[0-9a-f-]{36}", body["trace_id"])
    assert re.fullmatch(r"[0-9a-f-]{36}", body["correlation_id"])
    assert body["error_uri"] == f"https://login.microsoftonline.com/error?code={code}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", body["timestamp"])
    return body["error_description"]


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def index_root(emu, scope="org/proj", feed="feed"):
    return f"{emu.index.url}/{scope}/_packaging/{feed}/pypi"


def access_token(emu):
    status, body = federated(emu)
    assert status == 200, body
    return body["access_token"]


# -- GitHub OIDC issuer -------------------------------------------------------
class TestGitHub:
    def test_default_audience_and_claims(self, emu):
        status, headers, body = fetch_oidc(emu)
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        token = json.loads(body)["value"]
        claims = parse(token).claims
        assert claims["aud"] == "https://github.com/octo-org"
        assert claims["iss"] == "https://token.actions.githubusercontent.com"
        assert claims["sub"] == "repo:octo-org/app:ref:refs/heads/main"
        assert claims["exp"] - claims["iat"] == 300 and claims["nbf"] == claims["iat"]
        for name in ("repository", "repository_owner", "ref", "event_name", "workflow_ref",
                     "job_workflow_ref", "sha", "run_id", "actor", "runner_environment"):
            assert claims[name], name
        assert "environment" not in claims
        assert emu.github.issued == [token]

    def test_requested_audience_and_fresh_jti(self, emu):
        first = parse(oidc_token(emu, "api://AzureADTokenExchange")).claims
        second = parse(oidc_token(emu, "api://AzureADTokenExchange")).claims
        assert first["aud"] == second["aud"] == "api://AzureADTokenExchange"
        assert first["jti"] != second["jti"]

    def test_claims_are_configurable(self, emu):
        emu.github.claims.update(sub="repo:octo-org/app:environment:prod", environment="prod")
        claims = parse(oidc_token(emu)).claims
        assert claims["sub"] == "repo:octo-org/app:environment:prod"
        assert claims["environment"] == "prod"

    def test_signature_verifies_against_served_jwks(self, emu):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
        status, _, body = call("GET", emu.github.url + "/.well-known/openid-configuration")
        discovery = json.loads(body)
        assert discovery["issuer"] == "https://token.actions.githubusercontent.com"
        _, _, jwks = call("GET", discovery["jwks_uri"])
        token = parse(oidc_token(emu))
        (key,) = [k for k in json.loads(jwks)["keys"] if k["kid"] == token.header["kid"]]
        as_int = lambda s: int.from_bytes(base64.urlsafe_b64decode(s + "=="), "big")  # noqa: E731
        public = rsa.RSAPublicNumbers(as_int(key["e"]), as_int(key["n"])).public_key()
        public.verify(token.signature, token.signing_input, padding.PKCS1v15(), hashes.SHA256())

    @pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
    def test_scheme_is_case_insensitive(self, emu, scheme):
        assert fetch_oidc(emu, scheme=scheme)[0] == 200

    def test_wrong_or_missing_request_token(self, emu):
        assert fetch_oidc(emu, token="nope")[0] == 401
        assert fetch_oidc(emu, scheme="Basic")[0] == 401
        assert call("GET", emu.github.request_url)[0] == 401
        assert emu.github.issued == []

    def test_query_must_keep_api_version(self, emu):
        auth = {"Authorization": "Bearer " + emu.github.request_token}
        assert call("GET", emu.github.url + "/_apis/idtoken?audience=x", headers=auth)[0] == 400
        twice = emu.github.request_url + "&audience=a&audience=b"
        assert call("GET", twice, headers=auth)[0] == 400

    def test_request_token_changes_at_reset(self, emu):
        before = emu.github.request_token
        emu.reset()
        assert emu.github.request_token != before


# -- Entra token endpoint -----------------------------------------------------
class TestEntra:
    def test_federated_success(self, emu):
        status, body = federated(emu)
        assert status == 200, body
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == body["ext_expires_in"] == 3599
        claims = parse(body["access_token"]).claims
        assert claims["aud"] == "499b84ac-1321-427f-aa17-267ca6975798"
        assert claims["tid"] == TENANT and claims["appid"] == CLIENT_ID
        assert emu.entra.issued == [body["access_token"]]
        assert emu.entra.grants[0]["method"] == "client_assertion"

    def test_secret_success(self, emu):
        emu.entra.add_app(TENANT, "secret-app", secret="s3cr3t")
        status, body = post_token(emu, token_form(client_id="secret-app", client_secret="s3cr3t"))
        assert status == 200, body
        assert emu.entra.grants[0]["method"] == "client_secret"

    def test_tokens_are_fresh(self, emu):
        assert access_token(emu) != access_token(emu)

    def test_expires_in_is_configurable(self, emu):
        emu.entra.expires_in = 2
        status, body = federated(emu)
        assert body["expires_in"] == 2

    def test_opaque_tokens(self, emu):
        emu.entra.token_style = "opaque"
        token = access_token(emu)
        assert urllib.parse.quote(token, safe="") != token and "." not in token

    def test_unknown_tenant(self, emu):
        status, body = post_token(emu, token_form(), tenant="no-such-tenant")
        text = assert_entra_error(status, body, 400, "invalid_request", 90002)
        assert "Tenant 'no-such-tenant' not found" in text

    def test_unknown_client(self, emu):
        status, body = post_token(emu, token_form(client_id="someone-else"))
        text = assert_entra_error(status, body, 400, "unauthorized_client", 700016)
        assert "'someone-else' was not found in the directory" in text

    def test_missing_client_id(self, emu):
        status, body = post_token(emu, token_form(client_id=None))
        assert_entra_error(status, body, 400, "invalid_request", 900144)

    def test_json_body_is_not_a_form(self, emu):
        status, body = post_token(emu, token_form(), content_type="application/json")
        assert_entra_error(status, body, 400, "invalid_request", 900144)

    def test_grant_type(self, emu):
        status, body = post_token(emu, token_form(grant_type=None))
        assert_entra_error(status, body, 400, "invalid_request", 900144)
        status, body = post_token(emu, token_form(grant_type="password"))
        assert_entra_error(status, body, 400, "unsupported_grant_type", 70003)

    def test_scope(self, emu):
        status, body = post_token(emu, token_form(scope="499b84ac-1321-427f-aa17-267ca6975798"))
        assert_entra_error(status, body, 400, "invalid_scope", 1002012)
        status, body = post_token(emu, token_form(scope="https://graph.microsoft.com/.default"))
        assert_entra_error(status, body, 400, "invalid_scope", 70011)
        status, body = post_token(emu, token_form(scope=None))
        assert_entra_error(status, body, 400, "invalid_request", 900144)

    def test_wrong_secret(self, emu):
        emu.entra.add_app(TENANT, "secret-app", secret="right")
        status, body = post_token(emu, token_form(client_id="secret-app", client_secret="wrong"))
        text = assert_entra_error(status, body, 401, "invalid_client", 7000215)
        assert "client secret value, not the client secret ID" in text
        assert "wrong" not in text and "right" not in text

    def test_no_credential(self, emu):
        status, body = post_token(emu, token_form())
        assert_entra_error(status, body, 401, "invalid_client", 7000218)

    def test_wrong_assertion_type(self, emu):
        status, body = post_token(emu, token_form(client_assertion=oidc_token(emu),
                                                  client_assertion_type="jwt"))
        assert_entra_error(status, body, 400, "invalid_request", 9002313)

    @pytest.mark.parametrize("assertion", ["not-a-jwt", "a.b.c", "e30.e30"])
    def test_malformed_assertion(self, emu, assertion):
        status, body = federated(emu, assertion)
        assert_entra_error(status, body, 400, "invalid_request", 50027)

    def test_bad_signature(self, emu):
        token = oidc_token(emu)
        head, payload, sig = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["sub"] = "repo:evil/app:ref:refs/heads/main"
        forged = ".".join([head, b64url(json.dumps(claims).encode()), sig])
        assert_entra_error(*federated(emu, forged), 401, "invalid_client", 700027)
        stranger = SigningKey().sign(parse(token).claims)  # right claims, untrusted key
        assert_entra_error(*federated(emu, stranger), 401, "invalid_client", 700027)
        unsigned = b64url(b'{"alg":"none"}') + "." + payload + "."
        assert_entra_error(*federated(emu, unsigned), 401, "invalid_client", 700027)

    def test_expired_assertion(self, emu):
        old = emu.github.mint("api://AzureADTokenExchange", issued_at=time.time() - 600)
        text = assert_entra_error(*federated(emu, old), 401, "invalid_client", 700024)
        assert "not within its valid time range" in text

    def test_issuer_mismatch(self, emu):
        token = emu.github.mint("api://AzureADTokenExchange",
                                iss="https://token.actions.githubusercontent.com/")
        text = assert_entra_error(*federated(emu, token), 401, "invalid_client", 700211)
        assert "issuer 'https://token.actions.githubusercontent.com/'" in text

    def test_audience_mismatch(self, emu):
        token = oidc_token(emu, audience="https://github.com/octo-org")
        text = assert_entra_error(*federated(emu, token), 401, "invalid_client", 700212)
        assert "audience 'https://github.com/octo-org'" in text

    def test_subject_mismatch(self, emu):
        emu.github.claims.update(sub="repo:octo-org/app:environment:prod", environment="prod")
        text = assert_entra_error(*federated(emu), 401, "invalid_client", 700213)
        assert ("No matching federated identity record found for presented assertion subject "
                "'repo:octo-org/app:environment:prod'. Check your federated identity credential "
                "Subject, Audience and Issuer against the presented assertion.") in text

    def test_subject_matches_only_ignoring_case(self, emu):
        emu.github.claims.update(sub="repo:Octo-Org/App:ref:refs/heads/main")
        text = assert_entra_error(*federated(emu), 401, "invalid_client", 7002138)
        assert "'repo:Octo-Org/App:ref:refs/heads/main'" in text

    def test_validation_order_tenant_before_client_before_scope(self, emu):
        status, body = post_token(emu, token_form(client_id="x", scope="bad"), tenant="nope")
        assert body["error_codes"] == [90002]
        status, body = post_token(emu, token_form(client_id="x", scope="bad"))
        assert body["error_codes"] == [700016]
        status, body = post_token(emu, token_form(scope="bad", client_secret="x"))
        assert body["error_codes"] == [1002012]

    def test_only_post(self, emu):
        status, _, raw = call("GET", emu.entra.token_endpoint(TENANT))
        assert status == 400 and json.loads(raw)["error_codes"] == [900561]

    def test_correlation_id_is_echoed(self, emu):
        body = urllib.parse.urlencode(token_form(client_id="x")).encode()
        cid = "0f0e0d0c-0b0a-4908-8706-050403020100"
        _, _, raw = call("POST", emu.entra.token_endpoint(TENANT), body,
                         {"Content-Type": "application/x-www-form-urlencoded",
                          "client-request-id": cid})
        assert json.loads(raw)["correlation_id"] == cid


# -- the index front -----------------------------------------------------------
class TestIndex:
    def test_requires_basic_auth(self, emu):
        status, headers, _ = call("GET", index_root(emu) + "/simple/mypkg/")
        assert status == 401
        challenges = headers.get_all("WWW-Authenticate")
        assert any(c.startswith('Basic realm="') for c in challenges)

    def test_refuses_unknown_and_expired_tokens(self, emu):
        url = index_root(emu) + "/simple/mypkg/"
        assert call("GET", url, headers=basic("EntraToken", "made-up"))[0] == 401
        emu.entra.expires_in = 1
        token = access_token(emu)
        assert call("GET", url, headers=basic("EntraToken", token))[0] == 200
        assert call("GET", url, headers=basic("", token))[0] == 401  # username must not be empty
        time.sleep(1.1)
        assert call("GET", url, headers=basic("EntraToken", token))[0] == 401
        token = access_token(emu)
        emu.entra.expire_all()
        assert call("GET", url, headers=basic("EntraToken", token))[0] == 401

    def test_tokens_die_with_reset(self, emu):
        token = access_token(emu)
        emu.reset()
        assert call("GET", index_root(emu) + "/simple/", headers=basic("x", token))[0] == 401

    @pytest.mark.parametrize("scope", ["org/proj", "org"])
    def test_simple_page_and_download(self, emu, scope):
        auth = basic("EntraToken", access_token(emu))
        status, _, page = call("GET", index_root(emu, scope) + "/simple/mypkg/", headers=auth)
        assert status == 200, page
        href = re.search(rb'href="([^"]+)"', page).group(1).decode()
        file_url = urllib.parse.urljoin(index_root(emu, scope) + "/simple/mypkg/", href)
        assert file_url.startswith(index_root(emu, scope) + "/")
        status, _, wheel = call("GET", file_url.split("#")[0], headers=auth)
        assert status == 200 and wheel[:2] == b"PK"
        import hashlib
        assert hashlib.sha256(wheel).hexdigest() == href.split("#sha256=")[1]
        assert call("GET", file_url.split("#")[0])[0] == 401  # files need the credential too

    def test_unknown_paths(self, emu):
        auth = basic("EntraToken", access_token(emu))
        assert call("GET", emu.index.url + "/simple/mypkg/", headers=auth)[0] == 404
        assert call("GET", index_root(emu) + "/simple/nothing-here/", headers=auth)[0] == 404

    def test_upload(self, emu, tmp_path):
        auth = basic("EntraToken", access_token(emu))
        wheel = build_wheel(tmp_path, "uploadpkg", "0.1.0")
        boundary = "emulatorboundary"
        parts = [(":action", "file_upload"), ("protocol_version", "1"),
                 ("name", "uploadpkg"), ("version", "0.1.0")]
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        .encode() for k, v in parts)
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; '
                 f'filename="{wheel.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 ).encode() + wheel.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **auth}
        assert call("POST", index_root(emu) + "/upload/", body, headers)[0] == 200
        assert wheel.name in emu.index.packages()
        status, _, page = call("GET", index_root(emu) + "/simple/uploadpkg/", headers=auth)
        assert status == 200 and wheel.name.encode() in page
        assert call("POST", index_root(emu) + "/upload/", body, {"Content-Type": headers[
            "Content-Type"]})[0] == 401
        emu.reset()
        assert wheel.name not in emu.index.packages()
        assert "mypkg-1.0.0-py3-none-any.whl" in emu.index.packages()

    def test_pluggable_routes(self, emu):
        emu.index.add_route("test-registry", r"/custom/(?P<repo>[^/]+)",
                            lambda user, password: (user, password) == ("aws", "let-me-in"))
        try:
            url = emu.index.url + "/custom/r1/simple/mypkg/"
            assert call("GET", url, headers=basic("aws", "nope"))[0] == 401
            status, _, page = call("GET", url, headers=basic("aws", "let-me-in"))
            assert status == 200 and b"/custom/r1/packages/mypkg-1.0.0" in page
            record = emu.requests("index")[-1]
            assert record.note["route"] == "test-registry" and record.note["feed"] == {"repo": "r1"}
        finally:
            emu.index.index_routes.pop()


# -- faults ------------------------------------------------------------------------
class TestFaults:
    def test_status_faults_are_consumed_in_order(self, emu):
        emu.inject("entra", f"/{TENANT}/", [faults.status(503), faults.status(500),
                                            faults.status(429, retry_after=1)])
        url = emu.entra.token_endpoint(TENANT)
        form = urllib.parse.urlencode(token_form(client_id="x")).encode()
        results = [call("POST", url, form) for _ in range(4)]
        assert [r[0] for r in results] == [503, 500, 429, 400]
        assert results[2][1]["Retry-After"] == "1"
        assert [r.fault for r in emu.requests("entra")] == ["status"] * 3 + [None]

    def test_prefix_and_service_must_match(self, emu):
        emu.inject("entra", "/other-tenant/", faults.status(503))
        emu.inject("github", "/", faults.status(500))
        assert post_token(emu, token_form(client_id="x"))[0] == 400
        assert fetch_oidc(emu)[0] == 500
        assert fetch_oidc(emu)[0] == 200

    def test_persistent(self, emu):
        emu.inject("github", "/_apis/", faults.status(503, times=None))
        assert [fetch_oidc(emu)[0] for _ in range(3)] == [503, 503, 503]
        assert emu.faults.pending() == 1

    def test_times(self, emu):
        emu.inject("github", "/", faults.status(502, times=2))
        assert [fetch_oidc(emu)[0] for _ in range(3)] == [502, 502, 200]

    def test_slow(self, emu):
        emu.inject("github", "/", faults.slow(0.5))
        started = time.monotonic()
        assert fetch_oidc(emu)[0] == 200
        assert time.monotonic() - started >= 0.5
        (record,) = emu.requests("github")
        assert record.end - record.start >= 0.5 and record.fault == "slow"

    def test_slow_client_timeout_and_reset_cuts_it_short(self, emu):
        emu.inject("github", "/", faults.slow(30, times=None))
        with pytest.raises(TimeoutError):
            conn = http.client.HTTPConnection("127.0.0.1", emu.github.port, timeout=0.3)
            conn.request("GET", "/.well-known/jwks")
            conn.getresponse()
        started = time.monotonic()
        emu.reset()
        assert fetch_oidc(emu)[0] == 200
        assert time.monotonic() - started < 2
        time.sleep(0.1)
        assert [r.fault for r in emu.requests("github")] == [None]  # the cut request is not logged

    def test_slow_notices_the_client_hanging_up(self, emu):
        emu.inject("github", "/", faults.slow(30))
        conn = http.client.HTTPConnection("127.0.0.1", emu.github.port, timeout=0.3)
        with pytest.raises(TimeoutError):
            conn.request("GET", "/.well-known/jwks")
            conn.getresponse()
        (record,) = emu.requests("github")
        assert record.end is None  # still in flight
        conn.close()
        deadline = time.monotonic() + 2
        while record.end is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert record.end is not None and record.end - record.start < 1
        assert record.note["client"] == "hung up while waiting" and record.status == 0

    def test_truncated(self, emu):
        emu.inject("entra", "/", faults.truncated())
        conn = http.client.HTTPConnection("127.0.0.1", emu.entra.port, timeout=5)
        conn.request("POST", f"/{TENANT}/oauth2/v2.0/token", body=b"x",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        assert resp.status == 200
        with pytest.raises(http.client.IncompleteRead):
            resp.read()
        conn.close()
        assert post_token(emu, token_form(client_id="x"))[0] == 400  # next one is normal

    def test_invalid_json(self, emu):
        emu.inject("entra", "/", faults.invalid_json())
        status, headers, raw = call("POST", emu.entra.token_endpoint(TENANT), b"")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        with pytest.raises(ValueError):
            json.loads(raw)

    def test_connection_reset(self, emu):
        emu.inject("github", "/", faults.connection_reset())
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            conn = http.client.HTTPConnection("127.0.0.1", emu.github.port, timeout=5)
            conn.request("GET", "/.well-known/jwks")
            conn.getresponse()

    def test_unknown_service(self, emu):
        with pytest.raises(KeyError):
            emu.inject("nope", "/", faults.status(500))


# -- the log ---------------------------------------------------------------------
class TestLog:
    def test_keep_alive_connections_and_timestamps(self, emu):
        conn = http.client.HTTPConnection("127.0.0.1", emu.github.port, timeout=5)
        for _ in range(3):
            conn.request("GET", "/.well-known/jwks")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.version == 11
            resp.read()
        conn.close()
        fetch_oidc(emu)  # urllib opens a connection of its own
        records = emu.requests("github")
        assert [r.path for r in records][:3] == ["/.well-known/jwks"] * 3
        assert records[3].path == "/_apis/idtoken?api-version=2.0"
        assert len({r.connection for r in records[:3]}) == 1
        assert records[3].connection != records[0].connection
        assert emu.connections("github") == 2
        assert all(r.start <= r.end for r in records)
        assert all(a.end <= b.start for a, b in zip(records, records[1:]))
        assert records[3].headers["Authorization"].startswith("Bearer ")

    def test_services_are_logged_separately(self, emu):
        fetch_oidc(emu)
        federated(emu, emu.github.issued[0])
        assert {r.service for r in emu.requests()} == {"github", "entra"}
        assert len(emu.requests("entra")) == 1 and emu.requests("entra")[0].method == "POST"
        assert emu.connections("index") == 0

    def test_reset_clears(self, emu):
        fetch_oidc(emu)
        emu.reset()
        assert emu.requests() == [] and emu.connections("github") == 0
        assert emu.github.issued == [] and emu.entra.tenants == {}


# -- standalone mode ----------------------------------------------------------------
def test_standalone_serve(tmp_path):
    state_file = tmp_path / "state.json"
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "serve", "--state-file",
                             str(state_file)], cwd=HERE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not state_file.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no state file"
            time.sleep(0.05)
        state = json.loads(state_file.read_text())
        env = state["environment"]
        req = urllib.request.Request(env["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience="
                                     "api://AzureADTokenExchange", headers={
                                         "Authorization": "Bearer " + env[
                                             "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]})
        jwt = json.load(urllib.request.urlopen(req, timeout=5))["value"]
        form = urllib.parse.urlencode({
            "client_id": env["AZURE_CLIENT_ID"], "grant_type": "client_credentials",
            "scope": AZURE_DEVOPS_SCOPE, "client_assertion_type": JWT_BEARER,
            "client_assertion": jwt}).encode()
        token = json.load(urllib.request.urlopen(state["entra"]["token_endpoint"], form,
                                                 timeout=5))["access_token"]
        status, _, page = call("GET", state["index"]["simple_url"] + "mypkg/",
                               headers=basic("EntraToken", token))
        assert status == 200 and b"mypkg-1.0.0-py3-none-any.whl" in page
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stderr.close()
    assert not state_file.exists()
