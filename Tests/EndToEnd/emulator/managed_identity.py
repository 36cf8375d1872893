"""Azure's managed-identity endpoints (service ``azure_mi``, PROTOCOLS.md §11), one port:

* App Service / Functions / Container Apps: `GET /msi/token?api-version=2019-08-01&resource=R`
  with `X-IDENTITY-HEADER` (the platform's `IDENTITY_HEADER`); `expires_on` is epoch seconds
  as a string. Give the process `IDENTITY_ENDPOINT={url}/msi/token`.
* VM / scale set IMDS: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R`
  with `Metadata: true`; every number a string. Give `AZURE_POD_IDENTITY_AUTHORITY_HOST={url}`.
* Azure Arc: `GET /arc/metadata/identity/oauth2/token?api-version=2020-06-01&resource=R` with
  `Metadata: true` answers 401 `WWW-Authenticate: Basic realm=<key file>` after writing a fresh
  secret into that file (in `arc_key_dir`, named as it would be under
  `/var/opt/azcmagent/tokens/`); the retry with `Authorization: Basic <file contents>` gets
  the token. Give `IDENTITY_ENDPOINT={url}/arc/metadata/identity/oauth2/token` and
  `IMDS_ENDPOINT={url}`.

`client_id=` picks a user-assigned identity; without it the system-assigned one answers.
Tokens come from the Entra emulator, so the index front accepts them.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional

from .core import Request, Response, Service
from .entra import AZURE_DEVOPS_RESOURCE

ARC_TOKEN_DIRECTORY = "/var/opt/azcmagent/tokens"


class ManagedIdentityEndpoints(Service):
    """Attributes a test may change (restored by `reset()`): `tenant`, `system_assigned` (its
    client id, or None for none), `user_assigned` (client ids), `identity_header`, `arc_key_dir`."""

    name = "azure_mi"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self._lock = threading.Lock()
        self.served: list[dict[str, Any]] = []
        self.arc_keys: set[str] = set()  # keys not yet presented
        self._arc_issued: set[str] = set()
        self._defaults()
        self.route("GET", r"/msi/token", self._app_service)
        self.route("GET", r"/metadata/identity/oauth2/token", self._imds)
        self.route("GET", r"/arc/metadata/identity/oauth2/token", self._arc)

    def _defaults(self) -> None:
        self.tenant = "5c3b7a1e-2f4d-4c6b-8a9e-0d1c2b3a4f5e"
        self.system_assigned: Optional[str] = "7a1d9c4e-3b2f-4e8a-9d6c-5b4a3c2d1e0f"
        self.user_assigned: set[str] = set()
        self.identity_header = "mi-header-" + secrets.token_hex(16)
        self.arc_key_dir: Optional[Path] = None

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.served.clear()
            self.arc_keys.clear()
            self._arc_issued.clear()
        self._defaults()

    def secrets(self) -> set[str]:
        with self._lock:
            return {self.identity_header} | set(self._arc_issued)

    # -- shared ------------------------------------------------------------
    def _identity(self, request: Request) -> tuple[Optional[str], Optional[str]]:
        """(client id, problem): the identity the query names, or why there is none."""
        client_id = (request.query.get("client_id") or [None])[0]
        if client_id is not None:
            return (client_id, None) if client_id in self.user_assigned else (None, "Identity not found")
        if self.system_assigned is None:
            return None, "Identity not found"
        return self.system_assigned, None

    def _resource(self, request: Request) -> Optional[str]:
        resource = (request.query.get("resource") or [""])[0]
        return resource if resource.rstrip("/") in (AZURE_DEVOPS_RESOURCE,) else None

    def _mint(self, client_id: str, kind: str, request: Request) -> tuple[str, int]:
        token, expires_in = self.emulator.entra.issue_app_token(self.tenant, client_id, kind)
        with self._lock:
            self.served.append({"kind": kind, "client_id": client_id, "token": token,
                                "query": dict(request.query)})
        return token, expires_in

    # -- App Service -------------------------------------------------------
    def _app_service(self, request: Request) -> Response:
        if request.header("X-IDENTITY-HEADER") != self.identity_header:
            return Response.json(400, {"statusCode": 400, "message":
                                       "The request does not have a valid X-IDENTITY-HEADER."})
        if (request.query.get("api-version") or [""])[0] != "2019-08-01":
            return Response.json(400, {"statusCode": 400, "message": "Invalid api-version."})
        resource = self._resource(request)
        if resource is None:
            return Response.json(400, {"statusCode": 400, "message":
                                       "AADSTS500011: The resource principal named "
                                       f"{(request.query.get('resource') or [''])[0]} was not found."})
        client_id, problem = self._identity(request)
        if client_id is None:
            return Response.json(404, {"statusCode": 404, "message": problem})
        token, expires_in = self._mint(client_id, "app_service", request)
        return Response.json(200, {"access_token": token, "expires_on": str(int(time.time()) + expires_in),
                                   "resource": resource, "token_type": "Bearer", "client_id": client_id})

    # -- IMDS --------------------------------------------------------------
    def _imds(self, request: Request) -> Response:
        if request.header("Metadata") != "true":
            return Response.json(400, {"error": "invalid_request",
                                       "error_description": "Required metadata header not specified"})
        resource = self._resource(request)
        client_id, problem = self._identity(request)
        if client_id is None:
            return Response.json(400, {"error": "invalid_request", "error_description": problem})
        if resource is None:
            return Response.json(400, {"error": "invalid_resource", "error_description":
                                       "AADSTS500011: The resource principal named "
                                       f"{(request.query.get('resource') or [''])[0]} was not found."})
        token, expires_in = self._mint(client_id, "imds", request)
        now = int(time.time())
        return Response.json(200, {
            "access_token": token, "client_id": client_id, "expires_in": str(expires_in),
            "expires_on": str(now + expires_in), "ext_expires_in": str(expires_in),
            "not_before": str(now), "resource": resource, "token_type": "Bearer"})

    # -- Azure Arc ---------------------------------------------------------
    def _arc(self, request: Request) -> Response:
        if request.header("Metadata") != "true":
            return Response.json(400, {"error": "invalid_request",
                                       "error_description": "Required metadata header not specified"})
        auth = request.header("Authorization") or ""
        if not auth:
            if self.arc_key_dir is None:
                return Response.json(500, {"error": "emulator", "error_description": "arc_key_dir unset"})
            name = f"{uuid.uuid4()}.key"
            key = secrets.token_urlsafe(32)
            path = self.arc_key_dir / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(key)
            with self._lock:
                self.arc_keys.add(key)
                self._arc_issued.add(key)
            return Response(401, b"", [("WWW-Authenticate", f"Basic realm={ARC_TOKEN_DIRECTORY}/{name}")])
        scheme, _, value = auth.partition(" ")
        with self._lock:
            known = scheme == "Basic" and value in self.arc_keys
            if known:
                self.arc_keys.discard(value)  # a key answers once
        if not known:
            return Response.json(401, {"error": "unauthorized_client",
                                       "error_description": "Invalid Authorization header"})
        if "client_id" in request.query:
            return Response.json(400, {"error": "invalid_request", "error_description":
                                       "User assigned identities are not supported on Azure Arc."})
        resource = self._resource(request)
        client_id, problem = self._identity(request)
        if client_id is None or resource is None:
            return Response.json(400, {"error": "invalid_request", "error_description": problem or "bad resource"})
        token, expires_in = self._mint(client_id, "arc", request)
        now = int(time.time())
        return Response.json(200, {
            "access_token": token, "expires_in": str(expires_in), "expires_on": str(now + expires_in),
            "not_before": str(now), "resource": resource, "token_type": "Bearer"})
