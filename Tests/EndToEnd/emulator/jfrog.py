"""A JFrog platform (service ``jfrog``): the Access OIDC token exchange and
Artifactory PyPI repositories (`/artifactory/api/pypi/{repo}`) on one host
(PROTOCOLS.md §8).

`POST /access/api/v1/oidc/token` takes the RFC 8693 JSON body setup-jfrog-cli
sends, finds the OIDC integration by `provider_name`, checks the CI token's
signature, issuer and audience against it, maps the claims to a user through
the integration's identity mappings, and answers an access token (a JWT whose
`sub` names the user). Errors use JFrog's `{"errors":[{"status","message"}]}`.
"""

from __future__ import annotations

import threading
import time
import re
from dataclasses import dataclass, field
from typing import Any

from . import jwt, oidc
from .core import Request, Response, Service
from .fronts import serve_feed

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
SUBJECT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
SERVICE_ID = "jfrt@01emulator"
REPOSITORY = re.compile(r"/artifactory/api/pypi/(?P<repo>[^/]+)")


@dataclass
class Integration:
    name: str
    issuer: str
    audience: str
    # identity mappings: claims that must all match -> the user to issue for
    mappings: list[tuple[dict[str, str], str]] = field(default_factory=list)


class JFrogAccess(Service):
    """Attributes a test may change (restored by `reset()`): `expires_in`, and
    `include_username` (False leaves `username` out of the answer, as older
    platforms do, so clients must read it from the token's `sub`)."""

    name = "jfrog"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.key = jwt.SigningKey()
        self._lock = threading.Lock()
        self.integrations: dict[str, Integration] = {}
        self.issued: list[str] = []
        self.exchanges: list[dict[str, Any]] = []
        self._users: dict[str, tuple[str, float]] = {}  # token -> (user, expiry)
        self._defaults()
        self.route("POST", r"/access/api/v1/oidc/token", self._token)

    def _defaults(self) -> None:
        self.expires_in = 3600
        self.include_username = True

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.integrations.clear()
            self.issued.clear()
            self.exchanges.clear()
            self._users.clear()
        self._defaults()

    def add_integration(self, name: str, issuer: str, audience: str,
                        mappings: list[tuple[dict[str, str], str]]) -> Integration:
        integration = Integration(name, issuer, audience, list(mappings))
        with self._lock:
            self.integrations[name] = integration
        return integration

    @property
    def repository_url(self) -> str:
        """The root of the repository `pypi-local` (append `/simple/` to install)."""
        return f"{self.url}/artifactory/api/pypi/pypi-local"

    # -- Artifactory's check -------------------------------------------------
    def accepts(self, username: str, password: str) -> bool:
        with self._lock:
            entry = self._users.get(password)
        return entry is not None and entry[0] == username and time.time() < entry[1]

    def handle(self, request: Request) -> Response:
        served = serve_feed(self.emulator.index, request, REPOSITORY, self.accepts,
                            upload_path="/", realm="Artifactory Realm")
        return served if served is not None else super().handle(request)

    # -- the endpoint ----------------------------------------------------
    def _token(self, request: Request) -> Response:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "Request body must be a JSON object")
        if body.get("grant_type") != GRANT_TYPE or body.get("subject_token_type") != SUBJECT_TOKEN_TYPE:
            return _error(400, "Unsupported grant_type or subject_token_type")
        token, provider = body.get("subject_token"), body.get("provider_name")
        if not isinstance(token, str) or not isinstance(provider, str) or not provider:
            return _error(400, "subject_token and provider_name are required")
        with self._lock:
            integration = self.integrations.get(provider)
        if integration is None:
            return _error(404, f"OIDC integration '{provider}' was not found")
        try:
            verified = oidc.verify(self.emulator, token, integration.audience)
        except oidc.Rejected as rejected:
            return _error(401, f"Failed to validate the token: {rejected.text}")
        claims = verified.claims
        if claims.get("iss") != integration.issuer:
            return _error(401, f"Token issuer {claims.get('iss')!r} does not match the integration")
        user = next((u for match, u in integration.mappings
                     if all(claims.get(k) == v for k, v in match.items())), None)
        if user is None:
            return _error(401, "No identity mapping matched the token's claims")
        now = int(time.time())
        access = self.key.sign({"iss": SERVICE_ID, "sub": f"{SERVICE_ID}/users/{user}",
                                "scp": "applied-permissions/user", "aud": "*@*",
                                "iat": now, "exp": now + self.expires_in})
        with self._lock:
            self.issued.append(access)
            self._users[access] = (user, time.time() + self.expires_in)
            self.exchanges.append({"provider": provider, "claims": claims, "body": body})
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": self.expires_in,
                  "scope": "applied-permissions/user", "issued_token_type":
                  "urn:ietf:params:oauth:token-type:access_token"}
        if self.include_username:
            answer["username"] = user
        return Response.json(200, answer)

    def canaries(self) -> tuple[set[str], set[str]]:
        with self._lock:
            return set(), set(self.issued)


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"errors": [{"status": status, "message": message}]})

