"""What a laptop or a Google Cloud runtime adds to the Google services.

* Authorized users (`gcloud auth application-default login`, `gcloud auth login`):
  a refresh token bound to an OAuth client, redeemed at ``google-oauth``'s
  `POST /token` with `grant_type=refresh_token`, `client_id`, `client_secret`.
  Wrong client → 401 `invalid_client`; unknown, revoked or expired refresh token →
  400 `invalid_grant` "Token has been expired or revoked.", as Google answers.
* ``google-metadata``: the metadata server of a VM, pod or service with a service
  account attached. `GET /computeMetadata/v1/instance/service-accounts/default/token`
  (and `/scopes`, `/email`) needs `Metadata-Flavor: Google` and refuses any
  `X-Forwarded-For`; it answers with `Metadata-Flavor: Google`, 404 when no account
  is attached. Tokens carry the attached scopes; the index accepts one only with
  `cloud-platform` among them, as Artifact Registry does.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .core import Request, Response, Service

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
ACCOUNT_PATH = r"/computeMetadata/v1/instance/service-accounts/(?P<account>[^/]+)"


@dataclass
class AuthorizedUser:
    email: str
    client_id: str
    client_secret: str
    refresh_token: str
    expires: Optional[float] = None  # a refresh token can expire (session control)
    revoked: bool = False


class AuthorizedUsers:
    """Refresh tokens of signed-in users; shared by the OAuth grant and the fake gcloud."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.users: dict[str, AuthorizedUser] = {}

    def reset(self) -> None:
        with self._lock:
            self.users.clear()

    def add(self, email: str, client_id: Optional[str] = None, client_secret: Optional[str] = None,
            lifetime: Optional[float] = None) -> AuthorizedUser:
        user = AuthorizedUser(email, client_id or f"{secrets.randbelow(10**12)}-emulated.apps.googleusercontent.com",
                              client_secret or "d-FL95Q19q7MQmFpd7hHD0Ty",
                              "1//0g" + secrets.token_urlsafe(64),
                              time.time() + lifetime if lifetime is not None else None)
        with self._lock:
            self.users[user.refresh_token] = user
        return user

    def revoke(self, user: AuthorizedUser) -> None:
        with self._lock:
            user.revoked = True

    def find(self, refresh_token: str) -> Optional[AuthorizedUser]:
        with self._lock:
            return self.users.get(refresh_token)

    def canaries(self) -> set[str]:
        """Refresh tokens and client secrets: these never leave their files."""
        with self._lock:
            return {u.refresh_token for u in self.users.values()} | \
                {u.client_secret for u in self.users.values()}


def refresh_grant(cloud: Any, request: Request, form: dict[str, str]) -> Response:
    """`grant_type=refresh_token` at Google's OAuth token endpoint."""
    def error(status: int, code: str, description: str) -> Response:
        return Response.json(status, {"error": code, "error_description": description})

    if request.header("Authorization"):
        return error(400, "invalid_request", "Client credentials go in the body.")
    user = cloud.users.find(form.get("refresh_token", ""))
    if user is None or user.revoked or (user.expires is not None and time.time() >= user.expires):
        # Google checks the client first when the token is known; an unknown token is invalid_grant
        if user is not None and form.get("client_id") != user.client_id:
            return error(401, "invalid_client", "The OAuth client was not found.")
        return error(400, "invalid_grant", "Token has been expired or revoked.")
    if form.get("client_id") != user.client_id:
        return error(401, "invalid_client", "The OAuth client was not found.")
    if form.get("client_secret") != user.client_secret:
        return error(401, "invalid_client", "Unauthorized")
    lifetime = 3599
    issued = cloud.issue("user", f"user:{user.email}", lifetime)
    request.note["user"] = user.email
    return Response.json(200, {
        "access_token": issued.token, "expires_in": lifetime, "token_type": "Bearer",
        "scope": f"openid {CLOUD_PLATFORM} https://www.googleapis.com/auth/userinfo.email",
        "id_token": "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImUifQ."})


@dataclass
class Attached:
    email: str
    scopes: list[str] = field(default_factory=lambda: [CLOUD_PLATFORM])


class GoogleMetadata(Service):
    name = "google-metadata"

    def __init__(self, emulator: Any, cloud: Any) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.attached: Optional[Attached] = None
        self.route("GET", r"/", self._root)
        self.route("GET", r"/computeMetadata/v1/", self._root)
        self.route("GET", ACCOUNT_PATH + r"/token", self._token)
        self.route("GET", ACCOUNT_PATH + r"/scopes", self._scopes)
        self.route("GET", ACCOUNT_PATH + r"/email", self._email)

    def reset(self) -> None:
        super().reset()
        self.attached = None

    def attach(self, email: str, scopes: Optional[list[str]] = None) -> Attached:
        """Attach a service account to the emulated VM (default scope: cloud-platform)."""
        self.attached = Attached(email, list(scopes) if scopes is not None else [CLOUD_PLATFORM])
        return self.attached

    @staticmethod
    def _answer(response: Response) -> Response:
        response.headers.append(("Metadata-Flavor", "Google"))
        return response

    def _refusal(self, request: Request) -> Optional[Response]:
        if request.header("X-Forwarded-For"):
            return Response.text(403, "Request had X-Forwarded-For header and was rejected.\n")
        if request.header("Metadata-Flavor") != "Google":
            return self._answer(Response.text(403, "Missing required header \"Metadata-Flavor\": \"Google\"\n",
                                              content_type="text/html"))
        return None

    def _account(self, request: Request, account: str) -> tuple[Optional[Attached], Optional[Response]]:
        refusal = self._refusal(request)
        if refusal is not None:
            return None, refusal
        attached = self.attached
        if attached is None or account not in ("default", attached.email):
            return None, self._answer(Response.text(404, "Not Found\n", content_type="text/html"))
        return attached, None

    def _root(self, request: Request) -> Response:
        return self._refusal(request) or self._answer(Response.text(200, "instance/\nproject/\n"))

    def _token(self, request: Request, account: str) -> Response:
        attached, refusal = self._account(request, account)
        if attached is None:
            return refusal
        lifetime = 3599
        issued = self.cloud.issue("metadata", f"serviceAccount:{attached.email}", lifetime)
        issued.claims = {"scopes": list(attached.scopes)}
        request.note["account"] = attached.email
        return self._answer(Response.json(200, {"access_token": issued.token, "expires_in": lifetime,
                                                 "token_type": "Bearer"}))

    def _scopes(self, request: Request, account: str) -> Response:
        attached, refusal = self._account(request, account)
        if attached is None:
            return refusal
        return self._answer(Response.text(200, "".join(s + "\n" for s in attached.scopes)))

    def _email(self, request: Request, account: str) -> Response:
        attached, refusal = self._account(request, account)
        if attached is None:
            return refusal
        return self._answer(Response.text(200, attached.email))
