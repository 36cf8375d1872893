"""Chainguard's STS (service ``chainguard``) and the Chainguard Libraries index
shape (`/python/simple/`) on the index front (PROTOCOLS.md §7).

`/sts/exchange` (POST or GET) takes the CI token as a Bearer and `aud` and
`identity` as query (or form) fields, checks the token against the assumable
identity's issuer, subject and audience, and answers grpc-gateway JSON. The
index accepts the tokens it issued with the username `_token`, and pull tokens
with their identity id.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from . import jwt, oidc
from .core import Request, Response, Service

ISSUER = "https://issuer.enforce.dev"
LIBRARIES_AUDIENCE = "libraries.cgr.dev"
DEFAULT_IDENTITY_AUDIENCE = "issuer.enforce.dev"
TOKEN_USERNAME = "_token"

# gRPC codes as grpc-gateway reports them
INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED = 3, 5, 7, 16
_HTTP = {INVALID_ARGUMENT: 400, NOT_FOUND: 404, PERMISSION_DENIED: 403, UNAUTHENTICATED: 401}


@dataclass
class Identity:
    uidp: str
    issuer: str
    subject: str
    audience: str = DEFAULT_IDENTITY_AUDIENCE
    entitled: bool = True  # may it get tokens for libraries.cgr.dev?


class ChainguardSTS(Service):
    """Attributes a test may change (restored by `reset()`): `lifetime` of issued tokens."""

    name = "chainguard"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.key = jwt.SigningKey()
        self._lock = threading.Lock()
        self.identities: dict[str, Identity] = {}
        self.pull_tokens: dict[str, str] = {}  # identity id -> token
        self.issued: list[str] = []
        self.exchanges: list[dict[str, Any]] = []
        self._expiry: dict[str, float] = {}
        self.lifetime = 3600
        self.sessions: dict[str, str] = {}  # refresh token -> the signed-in user's subject
        self.route("POST", r"/sts/exchange", self._exchange)
        self.route("POST", r"/sts/exchange_refresh_token", self._exchange_refresh)
        self.route("GET", r"/sts/exchange", self._exchange)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.identities.clear()
            self.pull_tokens.clear()
            self.issued.clear()
            self.exchanges.clear()
            self._expiry.clear()
            self.sessions.clear()
        self.lifetime = 3600

    # -- configuration ---------------------------------------------------
    def add_identity(self, uidp: str, issuer: str, subject: str,
                     audience: str = DEFAULT_IDENTITY_AUDIENCE, entitled: bool = True) -> Identity:
        identity = Identity(uidp, issuer, subject, audience, entitled)
        with self._lock:
            self.identities[uidp] = identity
        return identity

    def add_pull_token(self, identity_id: str) -> str:
        token = "cgpt_" + secrets.token_urlsafe(24)
        with self._lock:
            self.pull_tokens[identity_id] = token
        return token

    def sign_in(self, subject: str) -> str:
        """A refresh token, as `chainctl auth login` keeps after a browser sign-in."""
        token = "cgrt_" + secrets.token_urlsafe(32)
        with self._lock:
            self.sessions[token] = subject
        return token

    def end_sessions(self) -> None:
        with self._lock:
            self.sessions.clear()

    def _exchange_refresh(self, request: Request) -> Response:
        """What chainctl calls with its refresh token: a token for `aud`, and a new refresh token."""
        refresh = oidc.bearer(request)
        fields = dict(request.query)
        if (request.header("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            for key, values in request.form().items():
                fields.setdefault(key, []).extend(values)
        with self._lock:
            subject = self.sessions.pop(refresh, None) if refresh else None
        if subject is None:
            return _error(UNAUTHENTICATED, "invalid refresh token")
        audiences = fields.get("aud") or []
        if audiences != [LIBRARIES_AUDIENCE]:
            return _error(PERMISSION_DENIED, f"may not get a token for {audiences!r}")
        now = int(time.time())
        issued = self.key.sign({"iss": ISSUER, "sub": subject, "aud": LIBRARIES_AUDIENCE,
                                "iat": now, "exp": now + self.lifetime})
        rotated = "cgrt_" + secrets.token_urlsafe(32)
        with self._lock:
            self.issued.append(issued)
            self._expiry[issued] = time.time() + self.lifetime
            self.sessions[rotated] = subject
            self.exchanges.append({"identity": subject, "claims": {}, "aud": audiences})
        return Response.json(200, {"token": issued, "refresh_token": rotated})

    # -- the index front's check -------------------------------------------
    def accepts(self, username: str, password: str) -> bool:
        with self._lock:
            if self.pull_tokens.get(username) == password:
                return True
            expiry = self._expiry.get(password)
        return username == TOKEN_USERNAME and expiry is not None and time.time() < expiry

    # -- the endpoint ----------------------------------------------------
    def _exchange(self, request: Request) -> Response:
        fields = dict(request.query)
        if request.method == "POST" and (request.header("Content-Type") or "").startswith(
                "application/x-www-form-urlencoded"):
            for key, values in request.form().items():
                fields.setdefault(key, []).extend(values)
        token = oidc.bearer(request)
        if token is None:
            return _error(UNAUTHENTICATED, "missing bearer token")
        uidp = (fields.get("identity") or [""])[0]
        if not uidp:
            return _error(INVALID_ARGUMENT, "identity is required for this exchange")
        with self._lock:
            identity = self.identities.get(uidp)
        if identity is None:
            return _error(NOT_FOUND, f"identity {uidp!r} not found")
        try:
            verified = oidc.verify(self.emulator, token, identity.audience)
        except oidc.Rejected as rejected:
            return _error(UNAUTHENTICATED, f"invalid identity token: {rejected.text}")
        claims = verified.claims
        if claims.get("iss") != identity.issuer:
            return _error(UNAUTHENTICATED, f"token issuer {claims.get('iss')!r} does not match the identity")
        if claims.get("sub") != identity.subject:
            return _error(UNAUTHENTICATED, f"token subject {claims.get('sub')!r} does not match the identity")
        audiences = fields.get("aud") or []
        if audiences != [LIBRARIES_AUDIENCE] or not identity.entitled:
            return _error(PERMISSION_DENIED, f"identity may not get a token for {audiences!r}")
        now = int(time.time())
        issued = self.key.sign({"iss": ISSUER, "sub": uidp, "aud": LIBRARIES_AUDIENCE,
                                "iat": now, "exp": now + self.lifetime})
        with self._lock:
            self.issued.append(issued)
            self._expiry[issued] = time.time() + self.lifetime
            self.exchanges.append({"identity": uidp, "claims": claims, "aud": audiences})
        return Response.json(200, {"token": issued})

    # -- leak check --------------------------------------------------------
    def canaries(self) -> tuple[set[str], set[str]]:
        """(secrets that must appear nowhere, credentials allowed only in sinks)."""
        with self._lock:
            return set(), set(self.issued) | set(self.pull_tokens.values())


def _error(code: int, message: str) -> Response:
    return Response.json(_HTTP[code], {"code": code, "message": message, "details": []})


def register_chainguard_libraries(index: Any, sts: ChainguardSTS) -> None:
    """Serve `/python/simple/` on the index front, guarded by Chainguard tokens."""
    index.add_route("chainguard", r"/python(?=/|$)", sts.accepts, upload_path="",
                    realm="libraries.cgr.dev")

