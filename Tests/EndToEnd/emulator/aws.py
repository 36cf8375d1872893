"""AWS STS (web identity) and CodeArtifact, plus a CodeArtifact-shaped index front.

* ``aws-sts``: `POST /` (query protocol) `Action=AssumeRoleWithWebIdentity`. No
  signature. Validates like STS: the role exists; an IAM OIDC provider for the
  token's issuer exists in the role's account and lists the token's audience; the
  token's signature (a trusted emulated issuer) and expiry; then the role's trust
  conditions (`aud` exact, `sub` StringLike). Answers STS's XML, errors included.
* ``codeartifact``: `POST /v1/authorization-token?domain=&domain-owner=&duration=`.
  **Verifies the SigV4 signature** (sigv4.py) against the secret of the key it
  names — a session this STS issued (whose token must ride along, signed) or a
  registered static key — then the caller's permissions
  (codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken) and the domain.
* ``codeartifact-index``: `/pypi/{repository}/simple/`, uploads to `/pypi/{repository}/`,
  accepting username `aws` with an unexpired authorization token issued here.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional
from xml.sax.saxutils import escape

from . import jwt, sigv4
from .aws_local import AWSContainerCredentials, AWSInstanceMetadata, AWSSSOPortal, assume_role
from .core import Request, Response, Service
from .index import PackageIndex

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
SESSION_NAME_RE = re.compile(r"[\w+=,.@-]{2,64}")


def iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass
class Role:
    arn: str
    trust: list[dict[str, str]]  # each {"aud": exact, "sub": StringLike pattern}
    max_session: int = 3600
    can_get_token: bool = True  # codeartifact:GetAuthorizationToken
    can_bearer: bool = True  # sts:GetServiceBearerToken
    assumers: list[str] = field(default_factory=list)  # ARNs that may sts:AssumeRole it
    external_id: Optional[str] = None

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]


@dataclass
class Keys:
    """Credentials CodeArtifact can check a signature against."""

    access_key_id: str
    secret: str
    session_token: Optional[str]
    expires: Optional[float]
    principal: str  # ARN, for AccessDenied messages
    role: Optional[Role] = None
    can_get_token: bool = True
    can_bearer: bool = True


class AWSCloud:
    """STS, CodeArtifact and the index front with their shared state."""

    def __init__(self, emulator: Any, region: str = "eu-west-1") -> None:
        self.emulator = emulator
        self.region = region
        self._lock = threading.Lock()
        self._defaults()
        self.sts = emulator.add(AWSSTS(emulator, self))
        self.codeartifact = emulator.add(CodeArtifact(emulator, self))
        self.index = emulator.add(CodeArtifactIndex(emulator, self))
        self.sso = emulator.add(AWSSSOPortal(emulator, self))
        self.container = emulator.add(AWSContainerCredentials(emulator, self))
        self.imds = emulator.add(AWSInstanceMetadata(emulator, self))

    def _defaults(self) -> None:
        self.roles: dict[str, Role] = {}
        self.oidc_providers: dict[tuple[str, str], list[str]] = {}  # (account, issuer) -> audiences
        self.keys: dict[str, Keys] = {}
        self.domains: set[tuple[str, str]] = set()
        self.tokens: dict[str, float] = {}

    def reset(self) -> None:
        with self._lock:
            self._defaults()

    # -- configuration -----------------------------------------------------
    def add_oidc_provider(self, account: str, issuer: str, audiences: list[str]) -> None:
        with self._lock:
            self.oidc_providers[(account, issuer)] = list(audiences)

    def add_role(self, arn: str, trust: list[dict[str, str]], **kw: Any) -> Role:
        role = Role(arn, trust, **kw)
        with self._lock:
            self.roles[arn] = role
        return role

    def add_domain(self, name: str, owner: str) -> None:
        with self._lock:
            self.domains.add((name, owner))

    def add_static_keys(self, principal: str = "arn:aws:iam::111122223333:user/ci",
                        session: bool = False, **permissions: bool) -> Keys:
        keys = Keys("AKIA" + _random(string.ascii_uppercase + string.digits, 16),
                    _random(string.ascii_letters + string.digits + "/+", 40),
                    _random(string.ascii_letters + string.digits + "/+=", 120) if session else None,
                    None, principal, **permissions)
        with self._lock:
            self.keys[keys.access_key_id] = keys
        return keys

    # -- state -----------------------------------------------------------
    def key(self, access_key_id: str) -> Optional[Keys]:
        with self._lock:
            return self.keys.get(access_key_id)

    def token_valid(self, token: str) -> bool:
        with self._lock:
            expiry = self.tokens.get(token)
        return expiry is not None and time.time() < expiry

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self.tokens)

    def canaries(self) -> tuple[set[str], set[str], set[str]]:
        with self._lock:
            nowhere = {k.secret for k in self.keys.values()} | \
                {k.session_token for k in self.keys.values() if k.session_token}
        nowhere |= self.sso.access_tokens()
        with self._lock:
            return nowhere, set(self.tokens), {"aws"}


def _xml_error(status: int, code: str, message: str, kind: str = "Sender") -> Response:
    body = (f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{escape(code)}</Code>\n    <Message>{escape(message)}</Message>\n  </Error>\n"
            f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n")
    return Response.text(status, body, content_type="text/xml")


class AWSSTS(Service):
    name = "aws-sts"

    def __init__(self, emulator: Any, cloud: AWSCloud) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.route("POST", r"/", self._handle_call)

    def reset(self) -> None:
        super().reset()
        self.cloud.reset()

    def _handle_call(self, request: Request) -> Response:
        params = {k: v[0] for k, v in request.form().items() if v}
        if params.get("Action") == "AssumeRole" and params.get("Version") == "2011-06-15":
            return assume_role(self.cloud, request, params, _xml_error)
        if params.get("Action") != "AssumeRoleWithWebIdentity" or params.get("Version") != "2011-06-15":
            return _xml_error(400, "InvalidAction", "Could not find operation "
                              f"{params.get('Action')} for version {params.get('Version')}")
        for name in ("RoleArn", "RoleSessionName", "WebIdentityToken"):
            if not params.get(name):
                return _xml_error(400, "ValidationError", f"1 validation error detected: Value null at "
                                  f"'{name[0].lower() + name[1:]}' failed to satisfy constraint: Member must not be null")
        if not SESSION_NAME_RE.fullmatch(params["RoleSessionName"]):
            return _xml_error(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' "
                              "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
        with self.cloud._lock:
            role = self.cloud.roles.get(params["RoleArn"])
        duration = int(params.get("DurationSeconds", "3600"))
        if role is not None and not 900 <= duration <= role.max_session:
            return _xml_error(400, "ValidationError", "The requested DurationSeconds exceeds the "
                              "MaxSessionDuration set for this role.")
        try:
            parsed = jwt.parse(params["WebIdentityToken"])
        except jwt.MalformedToken:
            return _xml_error(400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. "
                              "(You may see this error if you sent an Access Token)")
        claims = parsed.claims
        issuer = claims.get("iss")
        account = params["RoleArn"].split(":")[4] if params["RoleArn"].count(":") >= 5 else ""
        with self.cloud._lock:
            audiences = self.cloud.oidc_providers.get((account, issuer))
        if audiences is None:
            return _xml_error(400, "InvalidIdentityToken",
                              f"No OpenIDConnect provider found in your account for {issuer}")
        auds = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        if not any(a in audiences for a in auds):
            return _xml_error(400, "InvalidIdentityToken", "Incorrect token audience")
        key = self.emulator.trusted_key(parsed.header.get("kid"))
        if key is None or not key.verify(parsed):
            return _xml_error(400, "InvalidIdentityToken", "The web identity token that was passed could not "
                              "be validated by AWS. Get a new identity token from the identity provider and "
                              "then retry the request.")
        now = time.time()
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= now:
            return _xml_error(400, "ExpiredTokenException", f"Token expired: current date/time {int(now)} "
                              f"must be before the expiration date/time {exp}")
        if role is None or not any(
                t.get("aud") in auds and fnmatch.fnmatchcase(str(claims.get("sub")), t.get("sub", ""))
                for t in role.trust):
            return _xml_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        session_name = params["RoleSessionName"]
        keys = Keys("ASIA" + _random(string.ascii_uppercase + string.digits, 16),
                    _random(string.ascii_letters + string.digits + "/+", 40),
                    _random(string.ascii_letters + string.digits + "/+=", 300), now + duration,
                    f"arn:aws:sts::{role.account}:assumed-role/{role.arn.split('/')[-1]}/{session_name}",
                    role, role.can_get_token, role.can_bearer)
        with self.cloud._lock:
            self.cloud.keys[keys.access_key_id] = keys
        request.note["role"] = role.arn
        request.note["session"] = session_name
        request.note["duration"] = duration
        body = f"""<AssumeRoleWithWebIdentityResponse xmlns="{STS_NS}">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>{escape(str(claims.get('sub')))}</SubjectFromWebIdentityToken>
    <Audience>{escape(str(auds[0]))}</Audience>
    <AssumedRoleUser>
      <Arn>{escape(keys.principal)}</Arn>
      <AssumedRoleId>AROA{_random(string.ascii_uppercase + string.digits, 17)}:{escape(session_name)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>{escape(keys.session_token or '')}</SessionToken>
      <SecretAccessKey>{escape(keys.secret)}</SecretAccessKey>
      <Expiration>{iso(now + duration)}</Expiration>
      <AccessKeyId>{keys.access_key_id}</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::{role.account}:oidc-provider/{escape(str(issuer).removeprefix('https://'))}</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>{uuid.uuid4()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"""
        return Response.text(200, body, content_type="text/xml")


def _json_error(status: int, kind: str, message: str) -> Response:
    return Response.json(status, {"message": message}, [
        ("x-amzn-ErrorType", f"{kind}:http://internal.amazon.com/coral/com.amazon.coral.service/"),
        ("x-amzn-RequestId", str(uuid.uuid4()))])


class CodeArtifact(Service):
    name = "codeartifact"

    def __init__(self, emulator: Any, cloud: AWSCloud) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.route("POST", r"/v1/authorization-token", self._token)

    def _token(self, request: Request) -> Response:
        headers = request.headers

        def values(name: str) -> list[str]:
            return headers.get_all(name) or []

        def secret_for(access_key_id: str) -> Optional[str]:
            keys = self.cloud.key(access_key_id)
            return keys.secret if keys else None

        try:
            verified = sigv4.verify(request.method, request.target, values, request.body, secret_for,
                                    self.cloud.region, "codeartifact")
        except sigv4.SignatureError as err:
            request.note["signature"] = err.code
            return _json_error(err.status, err.code, err.message)
        request.note["signature"] = "valid"
        keys = self.cloud.key(verified.access_key_id)
        assert keys is not None
        if keys.session_token is not None:
            given = values("x-amz-security-token")
            if given != [keys.session_token] or "x-amz-security-token" not in verified.signed_headers:
                return _json_error(403, "UnrecognizedClientException",
                                   "The security token included in the request is invalid.")
        if keys.expires is not None and time.time() >= keys.expires:
            return _json_error(403, "ExpiredTokenException", "The security token included in the request is expired")
        query = {k: v[0] for k, v in request.query.items() if v}
        domain, owner = query.get("domain"), query.get("domain-owner")
        if not keys.can_bearer:
            return _json_error(403, "AccessDeniedException",
                               f"User: {keys.principal} is not authorized to perform: sts:GetServiceBearerToken "
                               f"on resource: {keys.principal} because no identity-based policy allows the "
                               "sts:GetServiceBearerToken action")
        if not keys.can_get_token:
            return _json_error(403, "AccessDeniedException",
                               f"User: {keys.principal} is not authorized to perform: codeartifact:GetAuthorizationToken "
                               f"on resource: arn:aws:codeartifact:{self.cloud.region}:{owner}:domain/{domain}")
        if not domain:
            return _json_error(400, "ValidationException", "1 validation error detected: domain must not be null")
        with self.cloud._lock:
            known = (domain, owner) in self.cloud.domains
        if not known:
            return _json_error(404, "ResourceNotFoundException", f"Domain not found: {domain}")
        try:
            duration = int(query.get("duration", "43200"))
        except ValueError:
            duration = -1
        if not (duration == 0 or 900 <= duration <= 43200):
            return _json_error(400, "ValidationException",
                               "1 validation error detected: Value at 'durationSeconds' failed to satisfy "
                               "constraint: Member must have value between 900 and 43200 (or 0)")
        now = time.time()
        expires = (keys.expires or now + 3600) if duration == 0 else now + duration
        token = "eyJ2ZXIiOjEsImlzdSI6" + secrets.token_urlsafe(96)
        with self.cloud._lock:
            self.cloud.tokens[token] = expires
        request.note["principal"] = keys.principal
        request.note["duration"] = duration
        return Response.json(200, {"authorizationToken": token, "expiration": int(expires)})


class CodeArtifactIndex(PackageIndex):
    """The repository endpoint's URL shape on its own port (the host stands for
    DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com)."""

    def __init__(self, emulator: Any, cloud: AWSCloud) -> None:
        super().__init__(emulator, str(emulator.index.packages_dir))
        self.name = "codeartifact-index"
        self.cloud = cloud
        self.add_route("codeartifact", r"/pypi/(?P<repository>[^/]+)",
                       lambda user, password: user == "aws" and self.cloud.token_valid(password),
                       upload_path="/", realm="codeartifact")

    def reset(self) -> None:
        # The package directory is the main index's, which forgets uploads at its own reset.
        Service.reset(self)
