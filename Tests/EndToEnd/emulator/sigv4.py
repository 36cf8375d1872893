"""AWS Signature Version 4 verification, written from AWS's published description
("Create a signed AWS API request") for header-signed requests to services other
than S3. The emulated CodeArtifact uses it to check every request's signature
against the secret of the credentials it names; a test checks it agrees with
botocore's signer."""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Optional

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH_RE = re.compile(r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
                      r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})")
MAX_SKEW = 15 * 60


class SignatureError(Exception):
    """A request that fails verification: `code` is the AWS error type."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Verified:
    access_key_id: str
    region: str
    service: str
    signed_headers: list[str]


def _encode(text: str) -> str:
    return urllib.parse.quote(text, safe="-_.~")


def canonical_uri(raw_path: str) -> str:
    """Dot segments resolved and empty ones dropped, then every segment encoded once more."""
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    path = "/" + "/".join(_encode(s) for s in segments)
    if raw_path.endswith("/") and segments:
        path += "/"
    return path


def canonical_query(raw_query: str) -> str:
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        name, _, value = item.partition("=")
        pairs.append((_encode(urllib.parse.unquote(name)), _encode(urllib.parse.unquote(value))))
    return "&".join(f"{n}={v}" for n, v in sorted(pairs))


def _header_value(values: list[str]) -> str:
    return ",".join(re.sub(r"\s+", " ", v.strip()) for v in values)


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), day.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(method: str, target: str, header_values: Callable[[str], list[str]],
                       signed: list[str], body: bytes, amz_date: str, scope: str,
                       secret: str) -> tuple[str, str]:
    """(canonical request, signature) for the request as received."""
    path, _, query = target.partition("?")
    headers = "".join(f"{name}:{_header_value(header_values(name))}\n" for name in signed)
    canonical = "\n".join([method, canonical_uri(path), canonical_query(query), headers,
                           ";".join(signed), hashlib.sha256(body).hexdigest()])
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope,
                                hashlib.sha256(canonical.encode()).hexdigest()])
    day, region, service = scope.split("/")[:3]
    signature = hmac.new(signing_key(secret, day, region, service), string_to_sign.encode(),
                         hashlib.sha256).hexdigest()
    return canonical, signature


def verify(method: str, target: str, header_values: Callable[[str], list[str]], body: bytes,
           secret_for: Callable[[str], Optional[str]], region: str, service: str,
           now: Optional[float] = None) -> Verified:
    """Checks the Authorization header of a request; raises `SignatureError` on any fault.

    `secret_for(access_key_id)` returns the secret, or None for an unknown key.
    """
    authorization = " ".join(header_values("authorization"))
    if not authorization:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTH_RE.fullmatch(authorization.strip())
    if not match:
        raise SignatureError("IncompleteSignatureException",
                             "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature', "
                             f"using the {ALGORITHM} algorithm.", 400)
    credential = match["credential"].split("/")
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise SignatureError("IncompleteSignatureException", "Credential is malformed.", 400)
    access_key_id, day, scope_region, scope_service, _ = credential
    secret = secret_for(access_key_id)
    if secret is None:
        raise SignatureError("UnrecognizedClientException", "The security token included in the request is invalid.")
    if scope_service != service:
        raise SignatureError("InvalidSignatureException",
                             f"Credential should be scoped to correct service: '{service}'.")
    if scope_region != region:
        raise SignatureError("InvalidSignatureException",
                             f"Credential should be scoped to a valid region, not '{scope_region}'.")
    signed = match["signed"].split(";")
    if signed != sorted(signed) or any(h != h.lower() for h in signed):
        raise SignatureError("InvalidSignatureException", "SignedHeaders must be lower-case and sorted.")
    if "host" not in signed:
        raise SignatureError("InvalidSignatureException", "'Host' must be a signed header.")
    dates = header_values("x-amz-date")
    if len(dates) != 1 or "x-amz-date" not in signed or not re.fullmatch(r"\d{8}T\d{6}Z", dates[0]):
        raise SignatureError("IncompleteSignatureException", "X-Amz-Date must be given once, signed, as YYYYMMDDTHHMMSSZ.", 400)
    amz_date = dates[0]
    if amz_date[:8] != day:
        raise SignatureError("InvalidSignatureException", "Credential date does not match X-Amz-Date.")
    when = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    current = time.time() if now is None else now
    if abs(current - when) > MAX_SKEW:
        raise SignatureError("InvalidSignatureException",
                             f"Signature expired: {amz_date} is now earlier than the allowed window "
                             f"(current time {time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(current))}).")
    scope = f"{day}/{scope_region}/{scope_service}/aws4_request"
    _, signature = expected_signature(method, target, header_values, signed, body, amz_date, scope, secret)
    if not hmac.compare_digest(signature, match["signature"]):
        raise SignatureError("InvalidSignatureException",
                             "The request signature we calculated does not match the signature you provided. "
                             "Check your AWS Secret Access Key and signing method. Consult the service "
                             "documentation for details.")
    return Verified(access_key_id, scope_region, scope_service, signed)
