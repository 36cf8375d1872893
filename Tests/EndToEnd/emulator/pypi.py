"""PyPI's trusted publishing (service ``pypi``): `/_/oidc/audience`,
`/_/oidc/mint-token` and the upload endpoint `/legacy/` on one host, as on
upload.pypi.org (PROTOCOLS.md §9).

Minting checks, in warehouse's order: the JSON payload, the token's issuer
(known issuers only), its signature, audience and lifetime, reuse of its `jti`,
pending publishers, then publishers. Refusals are HTTP 422 with
`{"message": "Token request failed", "errors": [{"code", "description"}]}`.
Uploads to `/legacy/` need `__token__` and a minted, unexpired token; `/simple/`
is public, as on PyPI. Both are served by the index's pypiserver.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional

from . import jwt, oidc
from .core import Request, Response, Service
from .index import basic_credentials

TOKEN_USERNAME = "__token__"
KNOWN_ISSUERS = ("https://token.actions.githubusercontent.com", "https://gitlab.com")


@dataclass
class Publisher:
    repository: str
    workflow: str
    environment: Optional[str] = None
    pending_project: Optional[str] = None  # a pending publisher for this new project

    def matches(self, claims: dict[str, Any]) -> bool:
        ref = claims.get("job_workflow_ref")
        workflow = ref.split("@", 1)[0].rsplit("/", 1)[-1] if isinstance(ref, str) else None
        return (claims.get("repository") == self.repository and workflow == self.workflow
                and (self.environment is None or claims.get("environment") == self.environment))


class PyPIWarehouse(Service):
    """Attributes a test may change (restored by `reset()`): `audience` ("pypi"),
    `enabled` (False: audience 403 and mint `not-enabled`), `lifetime` (900)."""

    name = "pypi"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self._lock = threading.Lock()
        self.publishers: list[Publisher] = []
        self.projects: set[str] = set()
        self.minted: list[str] = []
        self.mints: list[dict[str, Any]] = []
        self.seen_jti: set[str] = set()
        self._expiry: dict[str, float] = {}
        self._defaults()
        self.route("GET", r"/_/oidc/audience", self._audience)
        self.route("POST", r"/_/oidc/mint-token", self._mint)
        self.route("POST", r"/_/oidc/github/mint-token", self._mint)

    def _defaults(self) -> None:
        self.audience = "pypi"
        self.enabled = True
        self.lifetime = 900

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.publishers.clear()
            self.projects.clear()
            self.minted.clear()
            self.mints.clear()
            self.seen_jti.clear()
            self._expiry.clear()
        self._defaults()

    def add_publisher(self, repository: str, workflow: str, environment: Optional[str] = None,
                      pending_project: Optional[str] = None) -> Publisher:
        publisher = Publisher(repository, workflow, environment, pending_project)
        with self._lock:
            self.publishers.append(publisher)
        return publisher

    @property
    def upload_url(self) -> str:
        return f"{self.url}/legacy/"

    def accepts(self, username: str, password: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(password)
        return username == TOKEN_USERNAME and expiry is not None and time.time() < expiry

    # -- routing: OIDC endpoints here, the index behind /legacy/ and /simple/ --
    def handle(self, request: Request) -> Response:
        if request.path.startswith("/_/"):
            return super().handle(request)
        index = self.emulator.index
        if request.method == "POST" and request.path in ("/legacy", "/legacy/"):
            creds = basic_credentials(request)
            if creds is None or not self.accepts(*creds):
                request.note["auth"] = "missing" if creds is None else "refused"
                return Response.text(403, "403 Invalid or non-existent authentication information.\n")
            request.note["auth"] = "accepted"
            return index._wsgi(request, "", "/")
        if request.method in ("GET", "HEAD") and request.path.startswith(("/simple", "/packages/")):
            return index._wsgi(request, "", request.path)
        return self.not_found(request)

    # -- endpoints -------------------------------------------------------
    def _audience(self, request: Request) -> Response:
        if not self.enabled:
            return Response.json(403, {"message": "Trusted publishing functionality not enabled"})
        return Response.json(200, {"audience": self.audience})

    def _mint(self, request: Request) -> Response:
        if not self.enabled:
            return _invalid("not-enabled", "Trusted publishing functionality not enabled")
        try:
            payload = request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("token"), str):
            return _invalid("invalid-payload", "1 validation error for TokenPayload\ntoken: "
                            "Input should be a valid string")
        token = payload["token"]
        try:
            unverified = jwt.parse(token).claims
        except jwt.MalformedToken:
            return _invalid("invalid-payload", "malformed JWT")
        if unverified.get("iss") not in KNOWN_ISSUERS:
            return _invalid("invalid-payload", "unknown trusted publishing issuer")
        try:
            claims = oidc.verify(self.emulator, token, self.audience).claims
        except oidc.Rejected:
            return _invalid("invalid-token", "malformed or invalid token")
        jti = claims.get("jti")
        with self._lock:
            reused = isinstance(jti, str) and jti in self.seen_jti
            publishers = list(self.publishers)
            projects = set(self.projects)
        if reused:
            return _invalid("invalid-reuse-token", "invalid token: already used")
        pending = next((p for p in publishers if p.pending_project and p.matches(claims)), None)
        if pending is not None and pending.pending_project in projects:
            return _invalid("invalid-pending-publisher", "valid token, but project already exists")
        publisher = next((p for p in publishers if not p.pending_project and p.matches(claims)), None)
        if publisher is None and pending is None:
            return _invalid("invalid-publisher", "valid token, but no corresponding publisher "
                            "(Publisher with matching claims was not found)")
        minted = "pypi-" + secrets.token_urlsafe(48)
        expires = int(time.time()) + self.lifetime
        with self._lock:
            if isinstance(jti, str):
                self.seen_jti.add(jti)
            if pending is not None and pending.pending_project:
                self.projects.add(pending.pending_project)
            self.minted.append(minted)
            self._expiry[minted] = float(expires)
            self.mints.append({"claims": claims, "token": minted, "expires": expires})
        return Response.json(200, {"success": True, "token": minted, "expires": expires})

    def canaries(self) -> tuple[set[str], set[str]]:
        with self._lock:
            return set(), set(self.minted)


def _invalid(code: str, description: str) -> Response:
    return Response.json(422, {"message": "Token request failed",
                               "errors": [{"code": code, "description": description}]})
