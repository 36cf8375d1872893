"""Google Cloud token services and Artifact Registry front.

* ``google-sts``: `POST /v1/token`, the RFC 8693 exchange Google STS performs for
  workload identity federation. Validates, in Google's order: the request shape,
  the audience (a provider's full resource name), that the provider exists and is
  enabled, the subject token (signature from a trusted emulated issuer, issuer,
  allowed audience, expiry), then the provider's attribute condition.
* ``google-iam``: `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`
  (IAM Credentials). The bearer must be a token this emulator issued; the caller
  needs roles/iam.workloadIdentityUser (federated principals) or
  roles/iam.serviceAccountTokenCreator (service accounts) on the target account.
* ``google-oauth``: `POST /token`, the JWT-bearer grant for service account keys;
  the assertion's RS256 signature is checked with the key's public half.
* ``gar``: a package index on the Artifact Registry URL shape
  (`/{project}/{repository}/simple/`, uploads to `/{project}/{repository}/`) that
  accepts `oauth2accesstoken` with an unexpired token issued here, or
  `_json_key_base64` with a registered key file.

Every token issued is remembered, so tests can check none of them leaks.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from . import jwt
from .core import Request, Response, Service
from .google_local import AuthorizedUsers, GoogleMetadata, refresh_grant
from .index import PackageIndex

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
SUBJECT_TOKEN_TYPES = ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
OAUTH_AUDIENCE = "https://oauth2.googleapis.com/token"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"
PROVIDER_RE = re.compile(r"//iam\.googleapis\.com/(projects/(?P<number>\d+)/locations/global/"
                         r"workloadIdentityPools/(?P<pool>[^/]+))/providers/(?P<provider>[^/]+)")


def rfc3339(ts: float) -> str:
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Provider:
    """A workload identity pool provider (OIDC)."""

    resource: str  # projects/N/locations/global/workloadIdentityPools/P/providers/X
    issuer: str
    allowed_audiences: list[str]
    condition: Optional[Callable[[dict], bool]] = None
    enabled: bool = True

    @property
    def pool(self) -> str:
        return self.resource.rsplit("/providers/", 1)[0]


@dataclass
class ServiceAccount:
    email: str
    members: dict[str, set[str]] = field(default_factory=dict)  # role -> members
    max_lifetime: int = 3600
    keys: dict[str, Any] = field(default_factory=dict)  # key id -> RSA public key
    key_files: list[str] = field(default_factory=list)  # whole key files (for _json_key_base64)


@dataclass
class Issued:
    """An access token and who it stands for."""

    token: str
    expires: float
    principal: str  # "federated:<pool>" or "serviceAccount:<email>"
    claims: dict = field(default_factory=dict)  # subject-token claims of a federated token
    kind: str = ""  # federated, impersonated, key
    bearer_only: bool = False  # used to impersonate: an intermediate, never an index credential


class GoogleCloud:
    """The four Google services and their shared state (registered by the Emulator)."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self._lock = threading.Lock()
        self.providers: dict[str, Provider] = {}
        self.accounts: dict[str, ServiceAccount] = {}
        self.tokens: dict[str, Issued] = {}
        self.federated_lifetime = 3600
        self.users = AuthorizedUsers()
        self.sts = emulator.add(GoogleSTS(emulator, self))
        self.iam = emulator.add(IAMCredentials(emulator, self))
        self.oauth = emulator.add(GoogleOAuth(emulator, self))
        self.index = emulator.add(GoogleIndex(emulator, self))
        self.metadata = emulator.add(GoogleMetadata(emulator, self))

    def reset(self) -> None:
        with self._lock:
            self.providers.clear()
            self.accounts.clear()
            self.tokens.clear()
        self.users.reset()
        self.federated_lifetime = 3600

    # -- configuration -----------------------------------------------------
    def add_provider(self, number: str, pool: str, provider: str, issuer: str,
                     allowed_audiences: Optional[list[str]] = None,
                     condition: Optional[Callable[[dict], bool]] = None) -> Provider:
        resource = f"projects/{number}/locations/global/workloadIdentityPools/{pool}/providers/{provider}"
        p = Provider(resource, issuer, allowed_audiences or [f"https://iam.googleapis.com/{resource}"], condition)
        with self._lock:
            self.providers[resource] = p
        return p

    def add_service_account(self, email: str, max_lifetime: int = 3600) -> ServiceAccount:
        account = ServiceAccount(email, max_lifetime=max_lifetime)
        with self._lock:
            self.accounts[email] = account
        return account

    def grant(self, email: str, role: str, member: str) -> None:
        with self._lock:
            self.accounts[email].members.setdefault(role, set()).add(member)

    def new_key_file(self, email: str, token_uri: Optional[str] = None) -> str:
        """A service account key file (JSON text) whose public half the emulator knows."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        text = json.dumps({
            "type": "service_account", "project_id": "emulated-project", "private_key_id": key_id,
            "private_key": pem, "client_email": email, "client_id": str(secrets.randbelow(10**20)),
            "token_uri": token_uri or f"{self.oauth.url}/token",
        }, indent=2)
        with self._lock:
            account = self.accounts[email]
            account.keys[key_id] = key.public_key()
            account.key_files.append(text)
        return text

    # -- tokens ----------------------------------------------------------
    def issue(self, kind: str, principal: str, lifetime: float, claims: Optional[dict] = None) -> Issued:
        token = "ya29." + kind[:3] + "-" + secrets.token_urlsafe(48)
        issued = Issued(token, time.time() + lifetime, principal, dict(claims or {}), kind)
        with self._lock:
            self.tokens[token] = issued
        return issued

    def lookup(self, token: str) -> Optional[Issued]:
        with self._lock:
            issued = self.tokens.get(token)
        return issued if issued is not None and time.time() < issued.expires else None

    def issued(self, kind: Optional[str] = None) -> list[str]:
        with self._lock:
            return [t for t, i in self.tokens.items() if kind is None or i.kind == kind]

    def key_files(self) -> list[str]:
        with self._lock:
            return [k for a in self.accounts.values() for k in a.key_files]

    def canaries(self) -> tuple[set[str], set[str], set[str]]:
        """(must appear nowhere, issued index credentials, index usernames) for the leak check.

        Only the token that reaches the index is an index credential; federated tokens
        are intermediate unless they are the final credential (no impersonation)."""
        with self._lock:
            tokens = dict(self.tokens)
            keys = [k for a in self.accounts.values() for k in a.key_files]
        intermediate = {t for t, i in tokens.items() if i.bearer_only}
        credentials = {t for t, i in tokens.items() if not i.bearer_only}
        pems = [json.loads(k)["private_key"] for k in keys]
        # the whole key, and each of its lines: a partial leak is a leak
        private = set(pems) | {line for pem in pems for line in pem.splitlines() if line and not line.startswith("-----")}
        key_b64 = {base64.b64encode(k.encode()).decode() for k in keys}
        return private | intermediate | self.users.canaries(), credentials | key_b64, {"oauth2accesstoken", "_json_key_base64"}


def _member_matches(member: str, pool: str, claims: dict) -> bool:
    prefix = f"principal://iam.googleapis.com/{pool}/subject/"
    if member.startswith(prefix):
        return claims.get("sub") == member[len(prefix):]
    set_prefix = f"principalSet://iam.googleapis.com/{pool}/"
    if member.startswith(set_prefix):
        rest = member[len(set_prefix):]
        if rest == "*":
            return True
        if rest.startswith("attribute.repository/"):
            return claims.get("repository") == rest[len("attribute.repository/"):]
    return False


class GoogleSTS(Service):
    name = "google-sts"

    def __init__(self, emulator: Any, cloud: GoogleCloud) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.route("POST", r"/v1/token", self._token)

    def reset(self) -> None:
        super().reset()
        self.cloud.reset()

    @staticmethod
    def _error(status: int, error: str, description: str) -> Response:
        return Response.json(status, {"error": error, "error_description": description})

    def _token(self, request: Request) -> Response:
        content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
        if request.header("Authorization"):
            return self._error(400, "invalid_request", "Unexpected Authorization header.")
        if content_type == "application/json":
            body = request.json()
            fields = {"grant_type": body.get("grantType"), "audience": body.get("audience"),
                      "scope": body.get("scope"), "requested_token_type": body.get("requestedTokenType"),
                      "subject_token": body.get("subjectToken"), "subject_token_type": body.get("subjectTokenType")}
        else:
            form = request.form()
            fields = {k: (v[0] if v else None) for k, v in form.items()}
        if fields.get("grant_type") != TOKEN_EXCHANGE:
            return self._error(400, "unsupported_grant_type", f"Invalid grant_type: {fields.get('grant_type')}")
        if fields.get("requested_token_type") != ACCESS_TOKEN_TYPE:
            return self._error(400, "invalid_request", "Invalid requested_token_type.")
        if fields.get("subject_token_type") not in SUBJECT_TOKEN_TYPES:
            return self._error(400, "invalid_request", "Invalid subject_token_type.")
        if CLOUD_PLATFORM not in (fields.get("scope") or "").split():
            return self._error(400, "invalid_scope", "Invalid scope.")
        audience = fields.get("audience") or ""
        match = PROVIDER_RE.fullmatch(audience)
        if not match:
            return self._error(400, "invalid_request",
                               'Invalid value for "audience". This value should be the full resource name '
                               "of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/"
                               "rest/v1/TopLevel/token for the list of possible formats.")
        resource = audience[len("//iam.googleapis.com/"):]
        with self.cloud._lock:
            provider = self.cloud.providers.get(resource)
        if provider is None or not provider.enabled:
            return self._error(400, "invalid_target",
                               'The target service indicated by the "audience" parameters is invalid. This '
                               "might either be because the pool or provider is disabled or deleted or because "
                               "it doesn't exist.")
        token = fields.get("subject_token") or ""
        try:
            parsed = jwt.parse(token)
        except jwt.MalformedToken:
            return self._error(400, "invalid_grant", "Invalid ID Token.")
        key = self.emulator.trusted_key(parsed.header.get("kid"))
        if key is None or not key.verify(parsed):
            return self._error(400, "invalid_grant", "The ID Token signature could not be verified.")
        claims = parsed.claims
        if claims.get("iss") != provider.issuer:
            return self._error(400, "invalid_grant",
                               f"The issuer in ID Token {claims.get('iss')} does not match the expected ones: "
                               f"{provider.issuer}.")
        auds = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        if not any(a in provider.allowed_audiences for a in auds):
            return self._error(400, "invalid_grant",
                               f"The audience in ID Token [{', '.join(map(str, auds))}] does not match the "
                               "expected audience.")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp < time.time():
            return self._error(400, "invalid_grant", "ID Token has expired.")
        if provider.condition is not None and not provider.condition(claims):
            return self._error(400, "unauthorized_client",
                               "The given credential is rejected by the attribute condition.")
        issued = self.cloud.issue("federated", f"federated:{provider.pool}", self.cloud.federated_lifetime, claims)
        request.note["provider"] = resource
        return Response.json(200, {"access_token": issued.token, "issued_token_type": ACCESS_TOKEN_TYPE,
                                   "token_type": "Bearer", "expires_in": int(self.cloud.federated_lifetime)})


def _google_error(code: int, status: str, message: str) -> Response:
    return Response.json(code, {"error": {"code": code, "message": message, "status": status}})


class IAMCredentials(Service):
    name = "google-iam"

    def __init__(self, emulator: Any, cloud: GoogleCloud) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.route("POST", r"/v1/projects/-/serviceAccounts/(?P<email>[^/:]+):generateAccessToken",
                   self._generate)

    def _generate(self, request: Request, email: str) -> Response:
        email = urllib.parse.unquote(email)
        scheme, _, bearer = (request.header("Authorization") or "").partition(" ")
        caller = self.cloud.lookup(bearer.strip()) if scheme.lower() == "bearer" else None
        if caller is not None:
            caller.bearer_only = True
        if caller is None:
            return _google_error(401, "UNAUTHENTICATED",
                                 "Request had invalid authentication credentials. Expected OAuth 2 access "
                                 "token, login cookie or other valid authentication credential.")
        try:
            body = request.json()
        except ValueError:
            return _google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not isinstance(body, dict) or CLOUD_PLATFORM not in (body.get("scope") or []):
            return _google_error(400, "INVALID_ARGUMENT", "Scope required.")
        with self.cloud._lock:
            account = self.cloud.accounts.get(email)
        if account is None:
            return _google_error(404, "NOT_FOUND", f"Not found; Gaia id not found for email {email}")
        if caller.principal.startswith("federated:"):
            pool = caller.principal[len("federated:"):]
            allowed = any(_member_matches(m, pool, caller.claims)
                          for m in account.members.get(WORKLOAD_IDENTITY_USER, set()))
        else:
            allowed = caller.principal in account.members.get(TOKEN_CREATOR, set())
        if not allowed:
            return _google_error(403, "PERMISSION_DENIED",
                                 "Permission 'iam.serviceAccounts.getAccessToken' denied on resource "
                                 "(or it may not exist).")
        lifetime_text = body.get("lifetime", "3600s")
        m = re.fullmatch(r"(\d+)s", str(lifetime_text))
        if not m or not 1 <= int(m.group(1)) <= account.max_lifetime:
            return _google_error(400, "INVALID_ARGUMENT",
                                 f"The lifetime {lifetime_text} must be at most {account.max_lifetime}s.")
        issued = self.cloud.issue("impersonated", f"serviceAccount:{email}", int(m.group(1)))
        request.note["caller"] = caller.principal
        return Response.json(200, {"accessToken": issued.token, "expireTime": rfc3339(issued.expires)})


class GoogleOAuth(Service):
    name = "google-oauth"

    def __init__(self, emulator: Any, cloud: GoogleCloud) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.route("POST", r"/token", self._token)

    @staticmethod
    def _error(error: str, description: str) -> Response:
        return Response.json(400, {"error": error, "error_description": description})

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items() if v}
        if form.get("grant_type") == "refresh_token":
            return refresh_grant(self.cloud, request, form)
        if form.get("grant_type") != JWT_BEARER:
            return self._error("unsupported_grant_type", "Invalid grant_type.")
        try:
            parsed = jwt.parse(form.get("assertion", ""))
        except jwt.MalformedToken:
            return self._error("invalid_grant", "Invalid JWT.")
        claims, kid = parsed.claims, parsed.header.get("kid")
        with self.cloud._lock:
            account = self.cloud.accounts.get(claims.get("iss", ""))
            public = account.keys.get(kid) if account else None
        if account is None:
            return self._error("invalid_grant", "Invalid grant: account not found")
        if parsed.header.get("alg") != "RS256" or public is None:
            return self._error("invalid_grant", "Invalid JWT Signature.")
        try:
            public.verify(parsed.signature, parsed.signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return self._error("invalid_grant", "Invalid JWT Signature.")
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if claims.get("aud") != OAUTH_AUDIENCE or not isinstance(iat, int) or not isinstance(exp, int) \
                or exp - iat > 3600 or iat > now + 60 or exp < now:
            return self._error("invalid_grant",
                               "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                               "reasonable timeframe. Check your iat and exp values in the JWT claim.")
        if CLOUD_PLATFORM not in str(claims.get("scope", "")).split():
            return self._error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        issued = self.cloud.issue("key", f"serviceAccount:{account.email}", 3599)
        return Response.json(200, {"access_token": issued.token, "expires_in": 3599, "token_type": "Bearer"})


class GoogleIndex(PackageIndex):
    """Artifact Registry's URL shape on its own port (the host stands for LOCATION-python.pkg.dev)."""

    def __init__(self, emulator: Any, cloud: GoogleCloud) -> None:
        super().__init__(emulator, str(emulator.index.packages_dir))
        self.name = "gar"
        self.cloud = cloud
        self.add_route("artifact-registry", r"/(?P<project>[^/]+)/(?P<repository>[^/]+)", self._accepts,
                       upload_path="/", realm="https://us-python.pkg.dev")

    def _accepts(self, username: str, password: str) -> bool:
        if username == "oauth2accesstoken":
            issued = self.cloud.lookup(password)
            # a metadata server token works only with the cloud-platform scope
            return issued is not None and CLOUD_PLATFORM in issued.claims.get("scopes", [CLOUD_PLATFORM])
        if username == "_json_key_base64":
            try:
                text = base64.b64decode(password, validate=True).decode()
            except ValueError:
                return False
            return text in self.cloud.key_files()
        return False

    def reset(self) -> None:
        # The package directory is the main index's, which forgets uploads at its own reset.
        Service.reset(self)
