"""Microsoft Entra ID token endpoint (service ``entra``) and the Azure Artifacts
feed shapes of the index front.

`POST /{tenant}/oauth2/v2.0/token` validates a client-credentials request the
way Entra does, in Entra's order, and answers Entra's error JSON. Access
tokens it issues are accepted by the index front until they expire.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional

from . import entra_certificates, jwt
from .core import Request, Response, Service
from .entra_users import DEVICE_CODE_GRANT, EntraUsers

AZURE_DEVOPS_RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
AZURE_DEVOPS_SCOPE = AZURE_DEVOPS_RESOURCE + "/.default"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
# The username credprovider pairs with a raw Entra token; the front accepts any.
ENTRA_TOKEN_USERNAME = "EntraToken"


@dataclass
class App:
    tenant: str
    client_id: str
    secret: Optional[str] = None
    federated: list[dict[str, str]] = field(default_factory=list)
    certificates: list[Any] = field(default_factory=list)  # cryptography x509 certificates


class EntraError(Exception):
    def __init__(self, status: int, error: str, code: int, text: str) -> None:
        super().__init__(f"AADSTS{code}: {text}")
        self.status, self.error, self.code, self.text = status, error, code, text


def _invalid_request(code: int, text: str) -> EntraError:
    return EntraError(400, "invalid_request", code, text)


def _invalid_client(code: int, text: str) -> EntraError:
    return EntraError(401, "invalid_client", code, text)


def _missing(name: str) -> EntraError:
    return _invalid_request(900144, f"The request body must contain the following parameter: '{name}'.")


def _utc(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


class EntraService(Service):
    """Attributes a test may change (restored by `reset()`):

    * `expires_in` – lifetime in seconds of issued access tokens (Entra: ~3599).
    * `token_style` – "jwt" (an RS256 token like Entra's) or "opaque" (random text
      with characters that need quoting in URLs, INI files and shells).
    * `clock_skew` – seconds of tolerance when checking an assertion's exp/nbf.
    """

    name = "entra"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.key = jwt.SigningKey()
        self._lock = threading.Lock()
        self.tenants: dict[str, dict[str, App]] = {}
        self.issued: list[str] = []
        self.grants: list[dict[str, Any]] = []
        self.assertion_ids: set[str] = set()  # jti of certificate assertions seen
        self.certificate_assertions: list[str] = []  # as received, for leak checks
        self._expiry: dict[str, float] = {}
        self.users = EntraUsers(self)
        self.user_grants: list[dict[str, Any]] = []
        self._defaults()
        self.route("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token", self._token)
        self.route("POST", r"/(?P<tenant>[^/]+)/oauth2/v2\.0/devicecode", self._devicecode)

    def _defaults(self) -> None:
        self.expires_in = 3599
        self.token_style = "jwt"
        self.clock_skew = 0

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.tenants.clear()
            self.issued.clear()
            self.grants.clear()
            self.assertion_ids.clear()
            self.certificate_assertions.clear()
            self._expiry.clear()
            self.user_grants.clear()
        self.users.reset()
        self._defaults()

    def method_not_allowed(self, request: Request, allowed: list[str]) -> Response:
        return self._error(request, _invalid_request(
            900561, "The endpoint only accepts POST, OPTIONS requests. Received a "
            f"{request.method} request."))

    # -- configuration ---------------------------------------------------
    def add_app(self, tenant: str, client_id: str, secret: Optional[str] = None,
                federated: Optional[list[dict[str, str]]] = None,
                certificates: Optional[list[Any]] = None) -> App:
        """Register an app (service principal) in `tenant` (created on first use).

        `federated` lists federated identity credentials, each a dict with
        "issuer", "subject" and "audience" (default api://AzureADTokenExchange);
        `certificates` the x509 certificates uploaded to the app.
        """
        fics = [{"audience": EXCHANGE_AUDIENCE, **f} for f in (federated or [])]
        app = App(tenant, client_id, secret, fics, list(certificates or []))
        with self._lock:
            self.tenants.setdefault(tenant, {})[client_id] = app
        return app

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.url}/{tenant}/oauth2/v2.0/token"

    # -- the index front's check -------------------------------------------
    def accepts(self, username: str, password: str) -> bool:
        """True when `password` is an access token this service issued and it has not expired."""
        with self._lock:
            expiry = self._expiry.get(password)
        if bool(username) and expiry is not None and time.time() < expiry:
            return True
        vssps = getattr(self.emulator, "vssps", None)
        return bool(username) and vssps is not None and vssps.accepts(password)

    def expire_all(self) -> None:
        """Make every token issued so far unacceptable to the index front."""
        with self._lock:
            for token in self._expiry:
                self._expiry[token] = 0.0

    # -- the endpoint ----------------------------------------------------
    def _token(self, request: Request, tenant: str) -> Response:
        try:
            return self._issue(request, tenant)
        except EntraError as err:
            return self._error(request, err)

    def _devicecode(self, request: Request, tenant: str) -> Response:
        try:
            return self.users.devicecode(request, tenant, EntraError)
        except EntraError as err:
            return self._error(request, err)

    def record_user_grant(self, upn: str, client_id: str, token: str, expires_in: int) -> None:
        """A token issued to a person (device code or refresh grant): the front accepts it."""
        with self._lock:
            self.issued.append(token)
            self._expiry[token] = time.time() + expires_in
            self.user_grants.append({"upn": upn, "client_id": client_id, "token": token})

    def issue_app_token(self, tenant: str, client_id: str, kind: str) -> tuple[str, int]:
        """A token for a managed identity (`kind`: "managed_identity"), as Entra mints it for the
        platform's identity endpoint; the front accepts it."""
        now = int(time.time())
        expires_in = int(self.expires_in)
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant}/{client_id}"))
        token = self.key.sign({
            "aud": AZURE_DEVOPS_RESOURCE, "iss": f"https://sts.windows.net/{tenant}/",
            "iat": now, "nbf": now, "exp": now + expires_in, "appid": client_id, "appidacr": "2",
            "idp": f"https://sts.windows.net/{tenant}/", "idtyp": "app", "oid": oid, "sub": oid,
            "tid": tenant, "xms_mirid": f"/subscriptions/0/resourcegroups/rg/providers/{kind}",
            "uti": secrets.token_urlsafe(16), "ver": "1.0",
        })
        with self._lock:
            self.issued.append(token)
            self._expiry[token] = time.time() + expires_in
            self.grants.append({"tenant": tenant, "client_id": client_id, "method": kind,
                                "assertion_claims": None, "token": token, "expires_in": expires_in})
        return token, expires_in

    def is_user_token(self, token: str) -> Optional[str]:
        """The UPN a live user token was issued to (what the PAT API checks), else None."""
        with self._lock:
            grant = next((g for g in self.user_grants if g["token"] == token), None)
            live = self._expiry.get(token, 0) > time.time()
        return grant["upn"] if grant and live else None

    def _issue(self, request: Request, tenant: str) -> Response:
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            form = {k: v[0] for k, v in request.form().items() if v}
            if form.get("grant_type") == DEVICE_CODE_GRANT:
                return self.users.device_code_grant(form, tenant, EntraError)
            if form.get("grant_type") == "refresh_token":
                return self.users.refresh_grant(form, EntraError)
        with self._lock:
            apps = dict(self.tenants[tenant]) if tenant in self.tenants else None
        if apps is None:
            raise _invalid_request(
                90002, f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                "tenant ID and are signing into the correct cloud. Check with your subscription "
                "administrator, this may happen if there are no active subscriptions for the tenant.")
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        form = request.form() if content_type == "application/x-www-form-urlencoded" else {}

        def field_(name: str) -> Optional[str]:
            return form[name][0] if form.get(name) else None

        client_id = field_("client_id")
        if not client_id:
            raise _missing("client_id")
        app = apps.get(client_id)
        if app is None:
            raise EntraError(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the "
                             f"directory '{tenant}'. This can happen if the application has not "
                             "been installed by the administrator of the tenant or consented to "
                             "by any user in the tenant. You may have sent your authentication "
                             "request to the wrong tenant.")
        grant_type = field_("grant_type")
        if not grant_type:
            raise _missing("grant_type")
        if grant_type != "client_credentials":
            raise EntraError(400, "unsupported_grant_type", 70003,
                             f"The app requested an unsupported grant type '{grant_type}'.")
        scope = field_("scope")
        if not scope:
            raise _missing("scope")
        if not scope.endswith("/.default"):
            raise EntraError(400, "invalid_scope", 1002012,
                             f"The provided value for scope {scope} is not valid. Client credential "
                             "flows must have a scope value with /.default suffixed to the resource "
                             "identifier (application ID URI).")
        if scope != AZURE_DEVOPS_SCOPE:
            raise EntraError(400, "invalid_scope", 70011,
                             "The provided request must include a 'scope' input parameter. The "
                             f"provided value for the input parameter 'scope' is not valid. The scope "
                             f"{scope} is not valid.")

        secret, assertion = field_("client_secret"), field_("client_assertion")
        if secret is not None and assertion is not None:
            raise _invalid_request(9002313, "Invalid request. Request is malformed or invalid: "
                                   "give either client_secret or client_assertion, not both.")
        if secret is not None:
            if app.secret is None or not hmac.compare_digest(secret.encode(), app.secret.encode()):
                raise _invalid_client(
                    7000215, "Invalid client secret provided. Ensure the secret being sent in the "
                    "request is the client secret value, not the client secret ID, for a secret "
                    f"added to app '{client_id}'.")
            return self._grant(app, "client_secret", None)
        if assertion is None:
            raise _invalid_client(7000218, "The request body must contain the following parameter: "
                                  "'client_assertion' or 'client_secret'.")
        if field_("client_assertion_type") != JWT_BEARER:
            raise _invalid_request(9002313, "Invalid request. Request is malformed or invalid: "
                                   f"client_assertion_type must be '{JWT_BEARER}'.")
        if entra_certificates.is_certificate_assertion(assertion, app.client_id):
            claims = entra_certificates.check(self, app, assertion, self.token_endpoint(app.tenant),
                                              EntraError, self.assertion_ids)
            return self._grant(app, "certificate", claims)
        claims = self._check_assertion(app, assertion)
        return self._grant(app, "client_assertion", claims)

    def _check_assertion(self, app: App, assertion: str) -> dict[str, Any]:
        try:
            parsed = jwt.parse(assertion)
        except jwt.MalformedToken:
            raise _invalid_request(50027, "JWT token is invalid or malformed.") from None
        key = self.emulator.trusted_key(parsed.header.get("kid"))
        if key is None or not key.verify(parsed):
            raise _invalid_client(700027, "Client assertion failed signature validation.")
        claims = parsed.claims
        now = time.time()
        exp, nbf = _number(claims.get("exp")), _number(claims.get("nbf", claims.get("iat")))
        if exp is None or now > exp + self.clock_skew or (
                nbf is not None and now + self.clock_skew < nbf):
            raise _invalid_client(
                700024, f"Client assertion is not within its valid time range. Current time: "
                f"{_utc(now)}, assertion valid from {_utc(nbf or 0)}, expiry time of assertion "
                f"{_utc(exp or 0)}. Review the documentation at "
                "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
        tail = ("Please note that the matching is done using a case-sensitive comparison. Check "
                "your federated identity credential Subject, Audience and Issuer against the "
                "presented assertion. "
                "https://learn.microsoft.com/entra/workload-id/workload-identity-federation")
        iss, sub, aud = claims.get("iss"), claims.get("sub"), claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        fics = [f for f in app.federated if f["issuer"] == iss]
        if not fics:
            raise _invalid_client(700211, "No matching federated identity record found for "
                                  f"presented assertion issuer '{iss}'. {tail}")
        fics = [f for f in fics if f["audience"] in auds]
        if not fics:
            raise _invalid_client(700212, "No matching federated identity record found for "
                                  f"presented assertion audience '{_show(aud)}'. {tail}")
        if any(f["subject"] == sub for f in fics):
            return claims
        if isinstance(sub, str) and any(f["subject"].lower() == sub.lower() for f in fics):
            raise _invalid_client(
                7002138, "No matching federated identity record found for presented assertion "
                f"subject '{sub}'. The subject matches with case-insensitive comparison, but not "
                f"with case-sensitive comparison. {tail}")
        raise _invalid_client(700213, "No matching federated identity record found for presented "
                              f"assertion subject '{sub}'. Check your federated identity "
                              "credential Subject, Audience and Issuer against the presented "
                              "assertion. "
                              "https://learn.microsoft.com/entra/workload-id/workload-identity-federation")

    def _grant(self, app: App, method: str, assertion_claims: Optional[dict]) -> Response:
        now = int(time.time())
        expires_in = int(self.expires_in)
        if self.token_style == "opaque":
            token = secrets.token_urlsafe(24) + "%2F/+=:@'!$&" + secrets.token_hex(8)
        else:
            oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{app.tenant}/{app.client_id}"))
            token = self.key.sign({
                "aud": AZURE_DEVOPS_RESOURCE,
                "iss": f"https://sts.windows.net/{app.tenant}/",
                "iat": now, "nbf": now, "exp": now + expires_in,
                "aio": secrets.token_urlsafe(24),
                "appid": app.client_id, "appidacr": "1" if method == "client_secret" else "2",
                "idp": f"https://sts.windows.net/{app.tenant}/", "idtyp": "app",
                "oid": oid, "sub": oid, "tid": app.tenant,
                "uti": secrets.token_urlsafe(16), "ver": "1.0",
            })
        with self._lock:
            self.issued.append(token)
            self._expiry[token] = time.time() + expires_in
            self.grants.append({"tenant": app.tenant, "client_id": app.client_id,
                                "method": method, "assertion_claims": assertion_claims,
                                "token": token, "expires_in": expires_in})
        return Response.json(200, {"token_type": "Bearer", "expires_in": expires_in,
                                   "ext_expires_in": expires_in, "access_token": token},
                             [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache")])

    def _error(self, request: Request, err: EntraError) -> Response:
        trace_id = str(uuid.uuid4())
        correlation_id = request.header("client-request-id") or str(uuid.uuid4())
        stamp = _utc(time.time())
        return Response.json(err.status, {
            "error": err.error,
            "error_description": f"AADSTS{err.code}: {err.text}\r\nTrace ID: {trace_id}\r\n"
                                 f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}",
            "error_codes": [err.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={err.code}",
        }, [("Cache-Control", "no-store, no-cache"), ("Pragma", "no-cache"),
            ("x-ms-request-id", trace_id)])


def _number(value: Any) -> Optional[float]:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _show(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


# Azure Artifacts feed URLs, as served by the index front:
#   /{org}/{project}/_packaging/{feed}/pypi/...  and  /{org}/_packaging/{feed}/pypi/...
AZURE_ARTIFACTS_FEED = r"/(?P<org>(?!_packaging/)[^/]+)(?:/(?P<project>(?!_packaging/)[^/]+))?" \
                       r"/_packaging/(?P<feed>[^/]+)/pypi"


def register_azure_artifacts(index: Any, entra: EntraService) -> None:
    """Serve Azure-Artifacts-shaped feeds on `index`, guarded by Entra tokens and PATs.

    The 401 challenge names the organization's tenant and its identity service, as Azure
    DevOps does (`vssps.org_tenants`, default "common"; the emulated vssps' URL)."""

    def challenge(request: Request) -> list[tuple[str, str]]:
        org = request.path.strip("/").split("/", 1)[0]
        vssps = getattr(entra.emulator, "vssps", None)
        tenant = vssps.tenant_of(org, "common") if vssps else "common"
        endpoint = vssps.authorization_endpoint(org) if vssps else "https://vssps.dev.azure.com/"
        return [
            ("WWW-Authenticate", f"Bearer authorization_uri=https://login.microsoftonline.com/{tenant}"),
            ("WWW-Authenticate", 'Basic realm="https://pkgs.dev.azure.com/"'),
            ("X-VSS-ResourceTenant", tenant),
            ("X-VSS-AuthorizationEndpoint", endpoint),
        ]

    index.add_route("azure-artifacts", AZURE_ARTIFACTS_FEED, entra.accepts,
                    upload_path="/upload/", challenge=challenge)
