"""RS256 JSON Web Tokens: just what the emulated issuers and verifiers need."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _int_b64(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class SigningKey:
    """An RSA key pair with a stable key id."""

    def __init__(self, bits: int = 2048) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.public = self.private.public_key()
        numbers = self.public.public_numbers()
        self._jwk = {"kty": "RSA", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}
        # RFC 7638 thumbprint as the kid
        canonical = json.dumps(self._jwk, sort_keys=True, separators=(",", ":")).encode()
        self.kid = b64url(hashlib.sha256(canonical).digest())

    def jwk(self) -> dict[str, str]:
        return {**self._jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def sign(self, claims: dict[str, Any], header: Optional[dict[str, Any]] = None) -> str:
        head = {"typ": "JWT", "alg": "RS256", "kid": self.kid, **(header or {})}
        signing_input = (b64url(_compact(head)) + "." + b64url(_compact(claims))).encode()
        signature = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + b64url(signature)

    def verify(self, token: "ParsedToken") -> bool:
        if token.header.get("alg") != "RS256":
            return False
        try:
            self.public.verify(token.signature, token.signing_input, padding.PKCS1v15(),
                               hashes.SHA256())
            return True
        except InvalidSignature:
            return False


def _compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


@dataclass
class ParsedToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


class MalformedToken(ValueError):
    pass


def parse(token: str) -> ParsedToken:
    """Split and decode a compact JWS without checking its signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedToken("a JWT has three dot-separated parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError as exc:
        raise MalformedToken(str(exc)) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise MalformedToken("header and payload must be JSON objects")
    return ParsedToken(header, claims, (parts[0] + "." + parts[1]).encode(), signature)


def signature_segment(token: str) -> str:
    return token.rsplit(".", 1)[-1]
