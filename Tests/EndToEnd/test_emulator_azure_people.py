"""The emulator's Azure services for laptops and Azure compute behave as the real ones do:
Entra's device-code and refresh-token grants, the PAT lifecycle API, and the App Service,
IMDS and Azure Arc managed-identity endpoints (each checked here against its own rules,
before indexkey relies on them)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness import TENANT

CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access"
RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
UPN = "ada@contoso.example"


def call(url: str, form: dict | None = None, headers: dict | None = None,
         body: bytes | None = None) -> tuple[int, dict, dict]:
    data = urllib.parse.urlencode(form).encode() if form is not None else body
    hdrs = dict(headers or {})
    if form is not None:
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=data, headers=hdrs)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else {}, dict(err.headers)


@pytest.fixture
def person(emu):
    emu.entra.users.add_user(UPN, TENANT)
    emu.entra.users.interval = 1
    return UPN


def start(emu, tenant="organizations"):
    status, body, _ = call(f"{emu.entra.url}/{tenant}/oauth2/v2.0/devicecode",
                           {"client_id": CLI, "scope": SCOPE})
    assert status == 200, body
    return body


def poll(emu, device_code, tenant="organizations"):
    return call(f"{emu.entra.url}/{tenant}/oauth2/v2.0/token",
                {"client_id": CLI, "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                 "device_code": device_code})


def test_device_code_pending_then_tokens_once(emu, person):
    started = start(emu)
    assert started["user_code"] in started["message"] and started["interval"] == 1
    status, body, _ = poll(emu, started["device_code"])
    assert (status, body["error"], body["error_codes"]) == (400, "authorization_pending", [70016])
    emu.entra.users.approve(started["user_code"], person)
    time.sleep(1)
    status, body, _ = poll(emu, started["device_code"])
    assert status == 200 and {"access_token", "refresh_token", "expires_in"} <= set(body)
    assert emu.entra.accepts("anyone", body["access_token"])
    time.sleep(1)
    status, body, _ = poll(emu, started["device_code"])  # a device code answers once
    assert (status, body["error"]) == (400, "bad_verification_code")


def test_device_code_slow_down_declined_and_expired(emu, person):
    started = start(emu)
    poll(emu, started["device_code"])
    status, body, _ = poll(emu, started["device_code"])  # faster than the interval
    assert (status, body["error"]) == (400, "slow_down")
    emu.entra.users.decline(started["user_code"])
    time.sleep(6.1)  # the interval grew by 5 s
    assert poll(emu, started["device_code"])[1]["error"] == "authorization_declined"
    emu.entra.users.expires_in = 0
    late = start(emu)
    time.sleep(0.05)
    assert poll(emu, late["device_code"])[1]["error"] == "expired_token"


def test_refresh_rotates_until_revoked(emu, person):
    refresh = emu.entra.users.sign_in(person)
    url = f"{emu.entra.url}/organizations/oauth2/v2.0/token"
    form = {"client_id": CLI, "grant_type": "refresh_token", "refresh_token": refresh, "scope": SCOPE}
    status, body, _ = call(url, form)
    assert status == 200 and body["refresh_token"] != refresh
    emu.entra.users.revoke(person)
    status, body, _ = call(url, {**form, "refresh_token": body["refresh_token"]})
    assert (status, body["error"], body["error_codes"]) == (400, "invalid_grant", [50173])


def test_pat_lifecycle_api(emu, person):
    access = emu.entra.users.sign_in(person)
    status, tokens, _ = call(f"{emu.entra.url}/organizations/oauth2/v2.0/token",
                             {"client_id": CLI, "grant_type": "refresh_token",
                              "refresh_token": access, "scope": SCOPE})
    url = f"{emu.vssps.url}/org/_apis/tokens/pats?api-version=7.1-preview.1"
    valid_to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    request = {"displayName": "indexkey-host-2026-12-05", "scope": "vso.packaging",
               "validTo": valid_to, "allOrgs": False}
    bearer = {"Authorization": "Bearer " + tokens["access_token"], "Content-Type": "application/json"}
    status, body, _ = call(url, headers=bearer, body=json.dumps(request).encode())
    assert status == 200 and body["patTokenError"] == "none"
    pat = body["patToken"]["token"]
    assert emu.entra.accepts("indexkey", pat)
    emu.vssps.max_days["org"] = 7
    status, body, _ = call(url, headers=bearer, body=json.dumps(request).encode())
    assert body == {"patToken": None, "patTokenError": "patLifespanPolicyViolation"}
    status, _, headers = call(url, headers={"Content-Type": "application/json"},
                              body=json.dumps(request).encode())
    assert status == 401
    emu.vssps.revoke_pats()
    assert not emu.entra.accepts("indexkey", pat)


def test_managed_identity_endpoints(emu, tmp_path):
    mi = emu.azure_mi
    query = f"resource={RESOURCE}"
    status, body, _ = call(f"{mi.url}/msi/token?api-version=2019-08-01&{query}",
                           headers={"X-IDENTITY-HEADER": mi.identity_header})
    assert status == 200 and body["expires_on"].isdigit() and emu.entra.accepts("x", body["access_token"])
    assert call(f"{mi.url}/msi/token?api-version=2019-08-01&{query}")[0] == 400

    status, body, _ = call(f"{mi.url}/metadata/identity/oauth2/token?api-version=2018-02-01&{query}",
                           headers={"Metadata": "true"})
    assert status == 200 and body["expires_in"].isdigit()
    status, body, _ = call(f"{mi.url}/metadata/identity/oauth2/token?api-version=2018-02-01&{query}"
                           "&client_id=0000", headers={"Metadata": "true"})
    assert (status, body["error_description"]) == (400, "Identity not found")

    mi.arc_key_dir = tmp_path
    arc = f"{mi.url}/arc/metadata/identity/oauth2/token?api-version=2020-06-01&{query}"
    status, _, headers = call(arc, headers={"Metadata": "true"})
    realm = headers["WWW-Authenticate"].split("realm=", 1)[1]
    assert status == 401 and realm.startswith("/var/opt/azcmagent/tokens/") and realm.endswith(".key")
    key = (tmp_path / realm.rsplit("/", 1)[1]).read_text()
    status, body, _ = call(arc, headers={"Metadata": "true", "Authorization": "Basic " + key})
    assert status == 200 and emu.entra.accepts("x", body["access_token"])
