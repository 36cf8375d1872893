"""The emulated CI issuers on their own: they refuse what the real services refuse, and
the tokens they sign verify with the key the token exchanges trust."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from emulator.ci import EXCHANGE_AUDIENCE, SERVICE_CONNECTIONS
from emulator.jwt import parse

OIDC_PATH = "/octo-org/proj/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken"


def call(method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_tokens_verify_with_the_trusted_key(emu):
    for ci in emu.ci.claims:
        token = emu.ci.mint(ci, "aud-x")
        parsed = parse(token)
        key = emu.trusted_key(parsed.header["kid"])
        assert key is not None and key.verify(parsed), ci
        assert parsed.claims["aud"] == "aud-x"
        assert parsed.claims["iss"] == emu.ci.claims[ci]["iss"]
        assert parsed.claims["exp"] > parsed.claims["iat"]


def test_azure_pipelines_endpoint_checks_token_version_and_connection(emu):
    url = emu.ci.url + OIDC_PATH
    auth = {"Authorization": f"Bearer {emu.ci.access_token}"}
    assert call("POST", url + "?api-version=7.1")[0] == 401
    assert call("POST", url + "?api-version=7.1", headers={"Authorization": "Bearer wrong"})[0] == 401
    assert call("POST", url + "?api-version=6.0", headers=auth)[0] == 400
    assert call("POST", url + "?api-version=7.1&serviceConnectionId=nope", headers=auth)[0] == 404
    connection = next(iter(SERVICE_CONNECTIONS))
    status, body = call("POST", f"{url}?api-version=7.1&serviceConnectionId={connection}", headers=auth)
    assert status == 200
    claims = parse(json.loads(body)["oidcToken"]).claims
    assert claims["sub"] == f"sc://octo-org/app/{SERVICE_CONNECTIONS[connection]}"
    assert claims["aud"] == EXCHANGE_AUDIENCE


def test_metadata_server_needs_its_header_and_an_audience(emu):
    url = emu.ci.url + "/computeMetadata/v1/instance/service-accounts/default/identity"
    assert call("GET", url + "?audience=a")[0] == 403
    assert call("GET", url, headers={"Metadata-Flavor": "Google"})[0] == 400
    status, body = call("GET", url + "?audience=a&format=full", headers={"Metadata-Flavor": "Google"})
    assert status == 200 and parse(body.decode()).claims["aud"] == "a"
    emu.ci.metadata_available = False
    assert call("GET", url + "?audience=a", headers={"Metadata-Flavor": "Google"})[0] == 404


def test_buildkite_agent_api_and_circleci_claims(emu):
    url = emu.ci.url + "/buildkite/v3/jobs/j1/oidc/tokens"
    body = json.dumps({"audience": "sts.amazonaws.com"}).encode()
    assert call("POST", url, body, {"Authorization": "Token wrong"})[0] == 401
    status, answer = call("POST", url, body, {"Authorization": f"Token {emu.ci.agent_token}"})
    assert status == 201
    claims = parse(json.loads(answer)["token"]).claims
    assert claims["aud"] == "sts.amazonaws.com" and claims["job_id"] == "j1"
    circle = emu.ci.url + "/circleci/oidc"
    assert call("POST", circle, json.dumps({"aud": "a", "sub": "x"}).encode())[0] == 400
    status, token = call("POST", circle, json.dumps({"aud": "a"}).encode())
    assert status == 200 and parse(token.decode().strip()).claims["aud"] == "a"
