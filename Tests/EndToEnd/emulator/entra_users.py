"""Entra ID for people: the device-code grant (RFC 8628) and the refresh-token grant of a
public client such as the Azure CLI (PROTOCOLS.md §11).

`POST /{tenant}/oauth2/v2.0/devicecode` starts a sign-in; the test plays the person at the
browser with `approve(user_code, upn)` or `decline(user_code)`, after reading the code from
the terminal indexkey printed it to. Polling the token endpoint answers
`authorization_pending` until then (or `slow_down` when polled faster than the interval, or
on demand), `expired_token` after `expires_in`, and the tokens once approved. A refresh token
is answered with a new access token and a rotated refresh token until `revoke(upn)`.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
VERIFICATION_URI = "https://microsoft.com/devicelogin"
# Tenants a multi-tenant public client may name instead of a tenant id.
MULTI_TENANT = ("organizations", "common")


@dataclass
class User:
    upn: str
    tenant: str
    oid: str = field(default_factory=lambda: str(uuid.uuid4()))
    tokens_valid_from: float = 0.0  # refresh tokens issued before this are revoked


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    tenant: str  # as named in the request path
    scope: list[str]
    expires_at: float
    interval: int
    user: Optional[User] = None
    declined: bool = False
    redeemed: bool = False
    last_poll: float = 0.0
    polls: int = 0


@dataclass
class RefreshGrant:
    user: User
    client_id: str
    scope: list[str]
    issued_at: float


class EntraUsers:
    """The people side of `EntraService`; see the module doc.

    Attributes a test may change (restored by `reset()`): `interval` and `expires_in` of new
    device codes, `slow_down_polls` (answer `slow_down` to that many of the next polls).
    """

    def __init__(self, service: Any) -> None:
        self.service = service
        self._lock = threading.Lock()
        self.users: dict[str, User] = {}
        self.public_clients: set[str] = set()
        self.codes: dict[str, DeviceCode] = {}  # by device_code
        self.refresh_tokens: dict[str, RefreshGrant] = {}
        self.prompts: list[str] = []  # user codes handed out, in order
        self._defaults()

    def _defaults(self) -> None:
        self.interval = 5
        self.expires_in = 900
        self.slow_down_polls = 0
        self.public_clients = {AZURE_CLI_CLIENT_ID}

    def reset(self) -> None:
        with self._lock:
            self.users.clear()
            self.codes.clear()
            self.refresh_tokens.clear()
            self.prompts.clear()
        self._defaults()

    # -- configuration and the person at the browser ------------------------
    def add_user(self, upn: str, tenant: str) -> User:
        user = User(upn, tenant)
        with self._lock:
            self.users[upn] = user
        return user

    def approve(self, user_code: str, upn: str) -> None:
        """The person enters `user_code` at the verification page and signs in as `upn`."""
        with self._lock:
            code = self._by_user_code(user_code)
            code.user = self.users[upn]

    def decline(self, user_code: str) -> None:
        with self._lock:
            self._by_user_code(user_code).declined = True

    def revoke(self, upn: str) -> None:
        """Revoke every refresh token of `upn` (a password reset, an admin's revoke)."""
        with self._lock:
            self.users[upn].tokens_valid_from = time.time() + 1e-3

    def sign_in(self, upn: str, client_id: str = AZURE_CLI_CLIENT_ID,
                scope: str = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access") -> str:
        """A refresh token as if `upn` had signed in earlier (e.g. `az login`)."""
        with self._lock:
            user = self.users[upn]
            token = self._new_refresh_token(user, client_id, scope.split())
        return token

    def _by_user_code(self, user_code: str) -> DeviceCode:
        for code in self.codes.values():
            if code.user_code == user_code:
                return code
        raise KeyError(f"no device code with user code {user_code!r}")

    # -- the devicecode endpoint ----------------------------------------------
    def devicecode(self, request: Any, tenant: str, error: Any) -> Any:
        form = _form(request)
        client_id = form.get("client_id")
        if not client_id:
            raise error(400, "invalid_request", 900144,
                        "The request body must contain the following parameter: 'client_id'.")
        if client_id not in self.public_clients:
            raise error(400, "unauthorized_client", 700016,
                        f"Application with identifier '{client_id}' was not found in the directory "
                        f"'{tenant}'. This can happen if the application has not been installed by "
                        "the administrator of the tenant or consented to by any user in the tenant. "
                        "You may have sent your authentication request to the wrong tenant.")
        scope = (form.get("scope") or "").split()
        if not scope:
            raise error(400, "invalid_request", 900144,
                        "The request body must contain the following parameter: 'scope'.")
        self._check_tenant(tenant, error)
        user_code = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9))
        code = DeviceCode(device_code="DAQABIQEAAAB" + secrets.token_urlsafe(96), user_code=user_code,
                          client_id=client_id, tenant=tenant, scope=scope,
                          expires_at=time.time() + self.expires_in, interval=self.interval)
        with self._lock:
            self.codes[code.device_code] = code
            self.prompts.append(user_code)
        from .core import Response
        return Response.json(200, {
            "user_code": user_code, "device_code": code.device_code,
            "verification_uri": VERIFICATION_URI, "expires_in": self.expires_in,
            "interval": self.interval,
            "message": f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter "
                       f"the code {user_code} to authenticate.",
        })

    def _check_tenant(self, tenant: str, error: Any) -> None:
        if tenant in MULTI_TENANT:
            return
        with self.service._lock:
            known = tenant in self.service.tenants
        if not known and not any(u.tenant == tenant for u in self.users.values()):
            raise error(400, "invalid_request", 90002,
                        f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                        "tenant ID and are signing into the correct cloud.")

    # -- the grants ------------------------------------------------------------
    def device_code_grant(self, form: dict[str, str], tenant: str, error: Any) -> Any:
        client_id = form.get("client_id") or ""
        if client_id not in self.public_clients:
            raise error(400, "unauthorized_client", 700016,
                        f"Application with identifier '{client_id}' was not found in the directory "
                        f"'{tenant}'.")
        now = time.time()
        with self._lock:
            code = self.codes.get(form.get("device_code") or "")
            if code is None or code.client_id != client_id or code.redeemed:
                raise error(400, "bad_verification_code", 70000,
                            "The provided value for the input parameter 'device_code' is not valid.")
            code.polls += 1
            too_soon = code.last_poll and now - code.last_poll < code.interval - 0.25
            code.last_poll = now
            if now > code.expires_at:
                raise error(400, "expired_token", 70020,
                            "The provided value for the input parameter 'device_code' is not valid. "
                            "This device code has expired.")
            if self.slow_down_polls > 0 or too_soon:
                if self.slow_down_polls > 0:
                    self.slow_down_polls -= 1
                code.interval += 5
                raise error(400, "slow_down", 70016, "OAuth 2.0 device flow error. Slow down.")
            if code.declined:
                raise error(400, "authorization_declined", 70000,
                            "The user declined the authorization request.")
            if code.user is None:
                raise error(400, "authorization_pending", 70016,
                            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
            user = code.user
            if code.tenant not in MULTI_TENANT and code.tenant != user.tenant:
                raise error(400, "invalid_grant", 50020,
                            f"User account '{user.upn}' from identity provider "
                            f"'https://sts.windows.net/{user.tenant}/' does not exist in tenant "
                            f"'{code.tenant}' and cannot access the application '{client_id}' in that "
                            "tenant.")
            code.redeemed = True
        return self._tokens(user, client_id, code.scope, error)

    def refresh_grant(self, form: dict[str, str], error: Any) -> Any:
        client_id = form.get("client_id") or ""
        token = form.get("refresh_token") or ""
        scope = (form.get("scope") or "").split()
        with self._lock:
            grant = self.refresh_tokens.get(token)
            if grant is None:
                raise error(400, "invalid_grant", 9002313,
                            "Invalid request. Request is malformed or invalid.")
            if grant.client_id != client_id:
                raise error(400, "invalid_grant", 70000,
                            "Provided grant is invalid or malformed. The refresh token was issued to "
                            "a different client.")
            if grant.issued_at < grant.user.tokens_valid_from:
                issued = _stamp(grant.issued_at)
                valid_from = _stamp(grant.user.tokens_valid_from)
                raise error(400, "invalid_grant", 50173,
                            "The provided grant has expired due to it being revoked, a fresh auth "
                            "token is needed. The user might have changed or reset their password. "
                            f"The grant was issued on '{issued}' and the TokensValidFrom date (before "
                            f"which tokens are not valid) for this user is '{valid_from}'.")
            user = grant.user
        return self._tokens(user, client_id, scope or grant.scope, error)

    def _tokens(self, user: User, client_id: str, scope: list[str], error: Any) -> Any:
        from .core import Response
        from .entra import AZURE_DEVOPS_RESOURCE, AZURE_DEVOPS_SCOPE
        resource_scopes = [s for s in scope if s not in ("offline_access", "openid", "profile")]
        if resource_scopes != [AZURE_DEVOPS_SCOPE]:
            raise error(400, "invalid_scope", 70011,
                        f"The provided value for the input parameter 'scope' is not valid. The scope "
                        f"{' '.join(scope)} is not valid.")
        expires_in = int(self.service.expires_in)
        now = int(time.time())
        access = self.service.key.sign({
            "aud": AZURE_DEVOPS_RESOURCE, "iss": f"https://sts.windows.net/{user.tenant}/",
            "iat": now, "nbf": now, "exp": now + expires_in, "appid": client_id, "appidacr": "0",
            "idtyp": "user", "oid": user.oid, "sub": user.oid, "tid": user.tenant,
            "upn": user.upn, "unique_name": user.upn, "name": user.upn.split("@")[0],
            "scp": "user_impersonation", "uti": secrets.token_urlsafe(16), "ver": "1.0",
        })
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": f"{AZURE_DEVOPS_RESOURCE}/user_impersonation {AZURE_DEVOPS_SCOPE}",
            "expires_in": expires_in, "ext_expires_in": expires_in, "access_token": access,
        }
        with self._lock:
            if "offline_access" in scope:
                body["refresh_token"] = self._new_refresh_token(user, client_id, scope)
        self.service.record_user_grant(user.upn, client_id, access, expires_in)
        return Response.json(200, body, [("Cache-Control", "no-store, no-cache"),
                                         ("Pragma", "no-cache")])

    def _new_refresh_token(self, user: User, client_id: str, scope: list[str]) -> str:
        token = "1.AQ4A" + secrets.token_urlsafe(180)
        self.refresh_tokens[token] = RefreshGrant(user, client_id, list(scope), time.time())
        return token

    def issued_refresh_tokens(self) -> set[str]:
        with self._lock:
            return set(self.refresh_tokens)


def _form(request: Any) -> dict[str, str]:
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return {}
    return {k: v[0] for k, v in request.form().items() if v}


def _stamp(ts: float) -> str:
    import datetime as _dt
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
