"""Azure DevOps' identity service (service ``vssps``): the PAT lifecycle API
(PROTOCOLS.md §4e, §11).

`POST /{org}/_apis/tokens/pats?api-version=7.1-preview.1` with a person's Entra token (a
service principal's or managed identity's is refused, as Azure DevOps refuses them) and
`{"displayName", "scope", "validTo", "allOrgs"}` creates a PAT that the index front accepts
for the organization's feeds until `validTo` or `revoke_pats()`. An organization may limit
lifetimes (`max_days[org]`): a longer `validTo` is answered with
`patTokenError: patLifespanPolicyViolation`, as the organization policy does.
"""

from __future__ import annotations

import base64
import datetime as _dt
import secrets
import threading
import time
import uuid
from typing import Any, Optional

from . import oidc
from .core import Request, Response, Service

PAT_SCOPES = ("vso.packaging", "vso.packaging_write")


def _parse_valid_to(text: Any) -> Optional[float]:
    if not isinstance(text, str):
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return _dt.datetime.strptime(text, fmt).replace(tzinfo=_dt.timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


class VisualStudioIdentity(Service):
    """Attributes a test may change (restored by `reset()`): `max_days` per organization,
    `org_tenants` (the tenant an organization's feeds name in their challenge)."""

    name = "vssps"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self._lock = threading.Lock()
        self.pats: dict[str, dict[str, Any]] = {}  # token -> record
        self.requests_made: list[dict[str, Any]] = []
        self.max_days: dict[str, int] = {}
        self.org_tenants: dict[str, str] = {}
        self.route("POST", r"/(?P<org>[^/_][^/]*)/_apis/tokens/pats", self._create)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.pats.clear()
            self.requests_made.clear()
            self.max_days.clear()
            self.org_tenants.clear()

    # -- what the front and tests use -----------------------------------------
    def accepts(self, password: str, org: Optional[str] = None) -> bool:
        with self._lock:
            record = self.pats.get(password)
        return (record is not None and not record["revoked"] and time.time() < record["valid_to"]
                and (org is None or record["org"] == org))

    def revoke_pats(self) -> None:
        with self._lock:
            for record in self.pats.values():
                record["revoked"] = True

    def issued(self) -> set[str]:
        with self._lock:
            return set(self.pats)

    def authorization_endpoint(self, org: str) -> str:
        return f"{self.url}/{org}/"

    # -- the endpoint --------------------------------------------------------
    def _create(self, request: Request, org: str) -> Response:
        version = (request.query.get("api-version") or [""])[0]
        if version != "7.1-preview.1":
            return _vss_error(400, "VssVersionOutOfRangeException",
                              f"The requested REST API version of {version or '(none)'} is out of "
                              "range for this server.")
        token = oidc.bearer(request)
        upn = self.emulator.entra.is_user_token(token) if token else None
        if token and upn is None and self.emulator.entra.accepts("x", token):
            # An application's token (service principal, managed identity): Azure DevOps
            # does not let those create PATs.
            return self._answer(None, "invalidUserType")
        if upn is None:
            return Response(401, b"", [("WWW-Authenticate", "Bearer authorization_uri="
                                        "https://login.microsoftonline.com/common")])
        try:
            body = request.json()
        except ValueError:
            return _vss_error(400, "InvalidRequestBodyException", "The request body is not JSON.")
        if not isinstance(body, dict):
            return _vss_error(400, "InvalidRequestBodyException", "The request body is not an object.")
        self.requests_made.append({"org": org, "upn": upn, "body": body,
                                   "user_agent": request.header("User-Agent")})
        name, scope = body.get("displayName"), body.get("scope")
        valid_to = _parse_valid_to(body.get("validTo"))
        if not isinstance(name, str) or not name:
            return self._answer(None, "displayNameRequired")
        if scope not in PAT_SCOPES:
            return self._answer(None, "invalidScope")
        now = time.time()
        if valid_to is None or valid_to <= now:
            return self._answer(None, "invalidValidTo")
        limit = self.max_days.get(org)
        if limit is not None and valid_to - now > limit * 86400 + 60:
            return self._answer(None, "patLifespanPolicyViolation")
        pat = base64.b32encode(secrets.token_bytes(32)).decode().lower().rstrip("=")[:52]
        record = {"org": org, "upn": upn, "name": name, "scope": scope, "valid_from": now,
                  "valid_to": valid_to, "revoked": False, "authorization_id": str(uuid.uuid4())}
        with self._lock:
            self.pats[pat] = record
        return self._answer({
            "displayName": name, "validTo": _iso(valid_to), "scope": scope,
            "targetAccounts": [str(uuid.uuid5(uuid.NAMESPACE_DNS, org))],
            "validFrom": _iso(now), "authorizationId": record["authorization_id"], "token": pat,
        }, "none")

    @staticmethod
    def _answer(pat: Optional[dict[str, Any]], error: str) -> Response:
        return Response.json(200, {"patToken": pat, "patTokenError": error})

    def tenant_of(self, org: str, default: str) -> str:
        return self.org_tenants.get(org, default)


def _vss_error(status: int, type_key: str, message: str) -> Response:
    return Response.json(status, {
        "$id": "1", "innerException": None, "message": message,
        "typeName": f"Microsoft.VisualStudio.Services.WebApi.{type_key}, "
                    "Microsoft.VisualStudio.Services.WebApi",
        "typeKey": type_key, "errorCode": 0, "eventId": 3000})
