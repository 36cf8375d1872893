"""Azure service principal certificates: AZURE_CLIENT_CERTIFICATE_PATH (PEM or
PKCS#12) → signed client assertion → Entra ID → Azure Artifacts → pip install."""

from __future__ import annotations

from emulator.entra_certificates import make_certificate, portal_thumbprint, thumbprints
from harness import CLIENT_ID, TENANT, login_args
from registry_harness import counts, rsandbox  # noqa: F401 (fixture)


def register(emu, *certificates):
    return emu.entra.add_app(TENANT, CLIENT_ID, certificates=[c["certificate"] for c in certificates])


def pem_env(rsandbox, made, **extra):
    rsandbox.add_private_key(made["key_pem"])
    path = rsandbox.write_input("client.pem", made["pem"])
    return rsandbox.azure_env(AZURE_CLIENT_CERTIFICATE_PATH=str(path), **extra)


def test_pem_bundle_signs_ps256_and_pip_installs(emu, rsandbox):
    made = make_certificate()
    register(emu, made)
    result = rsandbox.run(login_args(rsandbox, "--write", "shell"), pem_env(rsandbox, made))
    assert result.code == 0, result
    (grant,) = emu.entra.grants
    assert grant["method"] == "certificate"
    claims = grant["assertion_claims"]
    assert claims["_alg"] == "PS256" and claims["_x5t"] == thumbprints(made["certificate"])[0]
    assert claims["aud"] == emu.entra.token_endpoint(TENANT)
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["exp"] - claims["nbf"] == 600 and not claims["_x5c"]
    assert counts(emu, "entra") == (1, 1) and emu.requests("github") == []
    proc, _ = rsandbox.shell_pip_install(result.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pkcs12_with_password_chain_and_rs256(emu, rsandbox):
    made = make_certificate(password=b"pfx-pass")
    register(emu, made)
    rsandbox.add_private_key(made["key_pem"])
    path = rsandbox.work / "client.pfx"
    path.write_bytes(made["pfx"])
    rsandbox.leaks.add_input(path)
    env = rsandbox.azure_env(AZURE_CLIENT_CERTIFICATE_PATH=str(path),
                             AZURE_CLIENT_CERTIFICATE_PASSWORD="pfx-pass",
                             AZURE_CLIENT_SEND_CERTIFICATE_CHAIN="true")
    result = rsandbox.run(login_args(rsandbox, "--write", "shell", "--azure-certificate-rs256"), env)
    assert result.code == 0, result
    claims = emu.entra.grants[0]["assertion_claims"]
    assert claims["_alg"] == "RS256" and claims["_x5t"] == thumbprints(made["certificate"])[1]
    assert claims["_x5c"]
    assert "pfx-pass" not in result.stdout + result.stderr


def test_every_run_presents_a_new_assertion(emu, rsandbox):
    made = make_certificate()
    register(emu, made)
    env = pem_env(rsandbox, made)
    for _ in range(2):
        result = rsandbox.run(login_args(rsandbox, "--write", "shell"), env)
        assert result.code == 0, result
    jtis = [g["assertion_claims"]["jti"] for g in emu.entra.grants]
    assert len(jtis) == 2 and jtis[0] != jtis[1]


def test_an_unregistered_certificate_is_named_by_its_thumbprint(emu, rsandbox):
    registered, other = make_certificate("registered"), make_certificate("other")
    register(emu, registered)
    result = rsandbox.run(login_args(rsandbox, "--write", "shell"), pem_env(rsandbox, other))
    assert result.code == 4, result
    assert "AADSTS700027" in result.stderr
    assert f"thumbprint {portal_thumbprint(other['certificate'])}" in result.stderr
    assert "--azure-certificate-rs256" in result.stderr
    assert emu.entra.issued == []


def test_a_wrong_pkcs12_password_is_a_usage_error(emu, rsandbox):
    made = make_certificate(password=b"right")
    register(emu, made)
    path = rsandbox.work / "client.pfx"
    path.write_bytes(made["pfx"])
    rsandbox.leaks.add_input(path)
    env = rsandbox.azure_env(AZURE_CLIENT_CERTIFICATE_PATH=str(path),
                             AZURE_CLIENT_CERTIFICATE_PASSWORD="wrong")
    result = rsandbox.run(login_args(rsandbox), env)
    assert result.code == 2, result
    assert "does not open it" in result.stderr
    assert emu.requests() == []


def test_the_emulator_checks_the_signature_not_just_the_thumbprint(emu):
    """An assertion naming a registered certificate but signed by another key is refused."""
    import json
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    from emulator import jwt

    registered, other = make_certificate("registered"), make_certificate("other")
    register(emu, registered)
    key = serialization.load_pem_private_key(other["key_pem"].encode(), None)
    now = int(time.time())
    header = {"alg": "PS256", "typ": "JWT", "x5t#S256": thumbprints(registered["certificate"])[0]}
    claims = {"aud": emu.entra.token_endpoint(TENANT), "iss": CLIENT_ID, "sub": CLIENT_ID,
              "jti": "forged", "nbf": now, "iat": now, "exp": now + 600}
    signing_input = (jwt.b64url(json.dumps(header).encode()) + "." +
                     jwt.b64url(json.dumps(claims).encode())).encode()
    signature = key.sign(signing_input, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                         hashes.SHA256())
    form = urllib.parse.urlencode({
        "client_id": CLIENT_ID, "grant_type": "client_credentials",
        "scope": "499b84ac-1321-427f-aa17-267ca6975798/.default",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signing_input.decode() + "." + jwt.b64url(signature)}).encode()
    request = urllib.request.Request(emu.entra.token_endpoint(TENANT), data=form, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a forged assertion was accepted")
    except urllib.error.HTTPError as error:
        status, body = error.code, json.load(error)
    assert status == 401 and body["error_codes"] == [700027]
    assert "signature does not match" in body["error_description"]
