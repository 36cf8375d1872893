"""Certificate client assertions (`private_key_jwt`) at the emulated Entra token
endpoint (PROTOCOLS.md §4b), and throwaway certificates for tests.

An assertion is recognised by an `x5t#S256` or `x5t` header and an `iss` that is
the client id. It must name a
certificate registered on the app (SHA-256 or SHA-1 thumbprint of its DER), be
signed with that certificate's key using the header's `alg` (PS256 or RS256),
say `aud` = the exact token endpoint and `iss` = `sub` = the client id, carry a
`jti` not seen before, and be inside its `nbf`..`exp` window. `x5c`, when sent,
must start with the signing certificate. AADSTS codes for these checks follow
Entra's documentation where it names them (700027 for signature and
certificate, 700024 for time) and are otherwise the generic 50027 (from memory).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import time
from typing import Any, Optional

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from . import jwt


def is_certificate_assertion(assertion: str, client_id: str) -> bool:
    """An assertion the app signed itself: a thumbprint header and `iss` = the client id
    (federated tokens carry `x5t` too, GitHub's for one, but name their own issuer)."""
    try:
        parsed = jwt.parse(assertion)
    except jwt.MalformedToken:
        return False
    return ("x5t#S256" in parsed.header or "x5t" in parsed.header) \
        and parsed.claims.get("iss") == client_id


def thumbprints(certificate: x509.Certificate) -> tuple[str, str]:
    """(x5t#S256, x5t) as they appear in a JWT header: base64url of the raw digests."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return (jwt.b64url(hashlib.sha256(der).digest()), jwt.b64url(hashlib.sha1(der).digest()))


def portal_thumbprint(certificate: x509.Certificate) -> str:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha1(der).hexdigest().upper()


def check(service: Any, app: Any, assertion: str, endpoint: str, error: Any,
          seen_jti: set[str]) -> dict[str, Any]:
    """The assertion's claims, or raises `error(status, kind, code, text)`."""
    service.certificate_assertions.append(assertion)
    parsed = jwt.parse(assertion)
    header = parsed.header
    by_s256 = {thumbprints(c)[0]: c for c in app.certificates}
    by_s1 = {thumbprints(c)[1]: c for c in app.certificates}
    alg = header.get("alg")
    if "x5t#S256" in header:
        certificate = by_s256.get(header["x5t#S256"])
        presented = header["x5t#S256"]
    else:
        certificate = by_s1.get(header.get("x5t"))
        presented = header.get("x5t")
    if certificate is None:
        raise error(401, "invalid_client", 700027,
                    "Client assertion failed signature validation. [Reason - The key was not "
                    f"found., Thumbprint of key used by client: '{presented}', Please visit the "
                    "Azure Portal, Graph Explorer or directly use MS Graph to see configured keys "
                    f"for app Id '{app.client_id}'.]")
    public = certificate.public_key()
    try:
        if alg == "PS256":
            public.verify(parsed.signature, parsed.signing_input,
                          padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        elif alg == "RS256":
            public.verify(parsed.signature, parsed.signing_input, padding.PKCS1v15(),
                          hashes.SHA256())
        else:
            raise InvalidSignature()
    except InvalidSignature:
        raise error(401, "invalid_client", 700027,
                    f"Client assertion failed signature validation. [Reason - The algorithm "
                    f"'{alg}' or the signature does not match the key.]") from None
    chain = header.get("x5c")
    if chain is not None:
        first = base64.b64decode(chain[0]) if isinstance(chain, list) and chain else b""
        if first != certificate.public_bytes(serialization.Encoding.DER):
            raise error(401, "invalid_client", 700027,
                        "Client assertion failed signature validation. [Reason - x5c does not "
                        "start with the signing certificate.]")
    claims = parsed.claims
    if claims.get("aud") != endpoint:
        raise error(400, "invalid_client", 50027,
                    f"Invalid JWT token. The audience '{claims.get('aud')}' is not the token "
                    f"endpoint '{endpoint}'.")
    if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
        raise error(400, "invalid_client", 50027,
                    "Invalid JWT token. iss and sub must both be the client id.")
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)) or not isinstance(nbf, (int, float)) or \
            now > exp or now < nbf or exp - nbf > 3600:
        raise error(401, "invalid_client", 700024,
                    "Client assertion is not within its valid time range.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or jti in seen_jti:
        raise error(400, "invalid_client", 50027,
                    "Invalid JWT token. The assertion's jti is missing or was used before.")
    seen_jti.add(jti)
    return {**claims, "_alg": alg, "_x5t": presented, "_x5c": chain is not None}


def make_certificate(common_name: str = "indexkey test client",
                     password: Optional[bytes] = None) -> dict[str, Any]:
    """A self-signed RSA certificate: the object, a PEM bundle (key + certificate)
    and a PKCS#12 file (encrypted with `password`, or unencrypted)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _dt.datetime.now(_dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - _dt.timedelta(minutes=5))
                   .not_valid_after(now + _dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    pfx = pkcs12.serialize_key_and_certificates(b"indexkey", key, certificate, None, encryption)
    return {"certificate": certificate, "pem": (key_pem + cert_pem).decode(), "pfx": pfx,
            "key_pem": key_pem.decode()}
