"""Checks a relying party makes on an incoming CI OIDC token, shared by the
emulated token exchanges (Chainguard STS, JFrog Access, PyPI)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional

from . import jwt


@dataclass
class Verified:
    claims: dict[str, Any]
    header: dict[str, Any]


class Rejected(Exception):
    """Why a token was not accepted; `kind` is one of malformed, signature, expired, audience."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(text)
        self.kind, self.text = kind, text


def verify(emulator: Any, token: str, audience: Optional[str] = None, skew: float = 0) -> Verified:
    """Parse `token`, check its signature against the emulator's trusted issuer keys,
    its time window, and (when given) that `audience` is among its `aud`."""
    try:
        parsed = jwt.parse(token)
    except jwt.MalformedToken as exc:
        raise Rejected("malformed", f"malformed JWT: {exc}") from None
    key = emulator.trusted_key(parsed.header.get("kid"))
    if key is None or not key.verify(parsed):
        raise Rejected("signature", "token signature could not be verified")
    claims = parsed.claims
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)) or now > exp + skew:
        raise Rejected("expired", "token is expired")
    if isinstance(nbf, (int, float)) and now + skew < nbf:
        raise Rejected("expired", "token is not yet valid")
    if audience is not None:
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if audience not in auds:
            raise Rejected("audience", f"token audience {aud!r} is not {audience!r}")
    return Verified(claims, parsed.header)


def bearer(request: Any) -> Optional[str]:
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
