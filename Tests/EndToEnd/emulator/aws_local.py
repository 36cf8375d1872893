"""What a laptop or an AWS runtime adds to the AWS services.

* STS `AssumeRole` (``aws-sts``, `Action=AssumeRole`): **SigV4-signed** by the caller
  (service `sts`), whose keys must be known here (static, or a session issued here with
  its token signed along); the role must list the caller's ARN (or its account's root)
  among those who may assume it, and its `ExternalId` when it has one.
* ``aws-sso``: IAM Identity Center's portal, `GET /federation/credentials?account_id=
  &role_name=` with the cached access token in `x-amz-sso_bearer_token`: 401
  UnauthorizedException for an unknown or expired token, 403 ForbiddenException for a
  role the user has no assignment for; else `roleCredentials` (expiration in ms).
* ``aws-container``: the ECS agent / EKS Pod Identity agent: `GET <path>` registered
  with `add_container_credentials`, checking the `Authorization` header when the path
  has a token; answers the agent's JSON (`AccessKeyId`, …, `Expiration`).
* ``aws-imds``: EC2 instance metadata, IMDSv2 only: `PUT /latest/api/token` with
  `X-aws-ec2-metadata-token-ttl-seconds` (1–21600), then `GET
  /latest/meta-data/iam/security-credentials/[ROLE]` with `X-aws-ec2-metadata-token`.
  A request without a session token is refused 401, as with `HttpTokens=required`;
  any `X-Forwarded-For` is refused 403.

Every key pair handed out is registered with the cloud, so CodeArtifact verifies
signatures made with it, and its secret and session token join the leak check.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional
from xml.sax.saxutils import escape

from . import sigv4
from .core import Request, Response, Service

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def session_keys(cloud: Any, principal: str, lifetime: float, role: Any = None) -> Any:
    """A temporary key pair (ASIA…) registered with `cloud`."""
    from .aws import Keys
    keys = Keys("ASIA" + _random(string.ascii_uppercase + string.digits, 16),
                _random(string.ascii_letters + string.digits + "/+", 40),
                _random(string.ascii_letters + string.digits + "/+=", 300), time.time() + lifetime,
                principal, role, role.can_get_token if role else True, role.can_bearer if role else True)
    with cloud._lock:
        cloud.keys[keys.access_key_id] = keys
    return keys


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(ts)))


def assume_role(cloud: Any, request: Request, params: dict[str, str], xml_error: Any) -> Response:
    """STS `AssumeRole`, called by AWSSTS for `Action=AssumeRole`."""
    headers = request.headers

    def values(name: str) -> list[str]:
        return headers.get_all(name) or []

    def secret_for(access_key_id: str) -> Optional[str]:
        keys = cloud.key(access_key_id)
        return keys.secret if keys else None

    try:
        verified = sigv4.verify(request.method, request.target, values, request.body, secret_for,
                                cloud.region, "sts")
    except sigv4.SignatureError as err:
        request.note["signature"] = err.code
        code = {"UnrecognizedClientException": "InvalidClientTokenId",
                "InvalidSignatureException": "SignatureDoesNotMatch"}.get(err.code, err.code)
        return xml_error(err.status, code, err.message)
    request.note["signature"] = "valid"
    caller = cloud.key(verified.access_key_id)
    if caller.session_token is not None:
        if values("x-amz-security-token") != [caller.session_token] or \
                "x-amz-security-token" not in verified.signed_headers:
            return xml_error(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        if caller.expires is not None and time.time() >= caller.expires:
            return xml_error(403, "ExpiredToken", "The security token included in the request is expired")
    for name in ("RoleArn", "RoleSessionName"):
        if not params.get(name):
            return xml_error(400, "ValidationError", f"1 validation error detected: Value null at "
                             f"'{name[0].lower() + name[1:]}' failed to satisfy constraint: Member must not be null")
    with cloud._lock:
        role = cloud.roles.get(params["RoleArn"])
    account_root = f"arn:aws:iam::{caller.principal.split(':')[4]}:root" if caller.principal.count(":") >= 5 else ""
    if role is None or not ({caller.principal, account_root} & set(role.assumers)):
        return xml_error(403, "AccessDenied", f"User: {caller.principal} is not authorized to perform: "
                         f"sts:AssumeRole on resource: {params['RoleArn']}")
    if role.external_id is not None and params.get("ExternalId") != role.external_id:
        return xml_error(403, "AccessDenied", f"User: {caller.principal} is not authorized to perform: "
                         f"sts:AssumeRole on resource: {params['RoleArn']}")
    duration = int(params.get("DurationSeconds", "3600"))
    if not 900 <= duration <= role.max_session:
        return xml_error(400, "ValidationError", "The requested DurationSeconds exceeds the "
                         "MaxSessionDuration set for this role.")
    session_name = params["RoleSessionName"]
    keys = session_keys(cloud, f"arn:aws:sts::{role.account}:assumed-role/{role.arn.split('/')[-1]}/{session_name}",
                        duration, role)
    request.note.update({"role": role.arn, "session": session_name, "duration": duration,
                         "caller": caller.principal})
    body = f"""<AssumeRoleResponse xmlns="{STS_NS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA{_random(string.ascii_uppercase + string.digits, 17)}:{escape(session_name)}</AssumedRoleId>
      <Arn>{escape(keys.principal)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{keys.access_key_id}</AccessKeyId>
      <SecretAccessKey>{escape(keys.secret)}</SecretAccessKey>
      <SessionToken>{escape(keys.session_token)}</SessionToken>
      <Expiration>{iso(keys.expires)}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>{uuid.uuid4()}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
"""
    return Response.text(200, body, content_type="text/xml")


def _json_error(status: int, kind: str, message: str) -> Response:
    return Response.json(status, {"message": message}, [("x-amzn-ErrorType", kind),
                                                          ("x-amzn-RequestId", str(uuid.uuid4()))])


@dataclass
class SSOSession:
    token: str
    user: str
    expires: float
    assignments: set[tuple[str, str]] = field(default_factory=set)  # (account, role name)


class AWSSSOPortal(Service):
    name = "aws-sso"

    def __init__(self, emulator: Any, cloud: Any) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self._lock = threading.Lock()
        self.sessions: dict[str, SSOSession] = {}
        self.route("GET", r"/federation/credentials", self._credentials)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.sessions.clear()

    def sign_in(self, user: str, assignments: list[tuple[str, str]], lifetime: float = 28800) -> SSOSession:
        """What `aws sso login` obtains: an access token for the user's assignments."""
        session = SSOSession("aoa" + secrets.token_urlsafe(96), user, time.time() + lifetime, set(assignments))
        with self._lock:
            self.sessions[session.token] = session
        return session

    def access_tokens(self) -> set[str]:
        """Every cached-sign-in token handed out (they belong in ~/.aws/sso/cache only)."""
        with self._lock:
            return set(self.sessions)

    def _credentials(self, request: Request) -> Response:
        token = request.header("x-amz-sso_bearer_token") or ""
        with self._lock:
            session = self.sessions.get(token)
        if session is None or time.time() >= session.expires:
            return _json_error(401, "UnauthorizedException", "Session token not found or invalid")
        query = {k: v[0] for k, v in request.query.items() if v}
        account, role_name = query.get("account_id", ""), query.get("role_name", "")
        if (account, role_name) not in session.assignments:
            return _json_error(403, "ForbiddenException", "No access")
        lifetime = 3600
        keys = session_keys(self.cloud, f"arn:aws:sts::{account}:assumed-role/AWSReservedSSO_{role_name}_"
                            f"{secrets.token_hex(8)}/{session.user}", lifetime)
        request.note.update({"account": account, "role": role_name, "user": session.user})
        return Response.json(200, {"roleCredentials": {
            "accessKeyId": keys.access_key_id, "secretAccessKey": keys.secret,
            "sessionToken": keys.session_token, "expiration": int(keys.expires * 1000)}})


class AWSContainerCredentials(Service):
    name = "aws-container"

    def __init__(self, emulator: Any, cloud: Any) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.paths: dict[str, tuple[str, Optional[str]]] = {}  # path -> (role ARN, token)
        self.route("GET", r"/.*", self._credentials)

    def reset(self) -> None:
        super().reset()
        self.paths = {}

    def add_container_credentials(self, path: str, role_arn: str, token: Optional[str] = None) -> None:
        self.paths[path] = (role_arn, token)

    def _credentials(self, request: Request) -> Response:
        entry = self.paths.get(request.target)
        if entry is None:
            return _json_error(404, "NotFound", "Unable to find credentials for the task")
        role_arn, token = entry
        if token is not None and request.header("Authorization") != token:
            return Response.json(401, {"Message": "Authorization token is invalid or missing"})
        keys = session_keys(self.cloud, f"arn:aws:sts::{role_arn.split(':')[4]}:assumed-role/"
                            f"{role_arn.split('/')[-1]}/container", 3600)
        request.note["role"] = role_arn
        return Response.json(200, {"RoleArn": role_arn, "AccessKeyId": keys.access_key_id,
                                   "SecretAccessKey": keys.secret, "Token": keys.session_token,
                                   "Expiration": iso(keys.expires)})


class AWSInstanceMetadata(Service):
    name = "aws-imds"

    def __init__(self, emulator: Any, cloud: Any) -> None:
        super().__init__(emulator)
        self.cloud = cloud
        self.role: Optional[str] = None  # the instance profile's role name
        self.account = "111122223333"
        self._sessions: dict[str, float] = {}
        self.route("PUT", r"/latest/api/token", self._token)
        self.route("GET", r"/latest/meta-data/iam/security-credentials/?", self._role_name)
        self.route("GET", r"/latest/meta-data/iam/security-credentials/(?P<role>[^/]+)", self._credentials)

    def reset(self) -> None:
        super().reset()
        self.role = None
        self._sessions = {}

    def attach_role(self, name: str) -> None:
        self.role = name

    def _token(self, request: Request) -> Response:
        if request.header("X-Forwarded-For"):
            return Response.text(403, "Forbidden\n")
        ttl = request.header("X-aws-ec2-metadata-token-ttl-seconds") or ""
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return Response.text(400, "Bad Request\n")
        token = "AQAEA" + secrets.token_urlsafe(40)
        self._sessions[token] = time.time() + int(ttl)
        return Response.text(200, token, [("X-aws-ec2-metadata-token-ttl-seconds", ttl)])

    def _authorised(self, request: Request) -> bool:
        expiry = self._sessions.get(request.header("X-aws-ec2-metadata-token") or "")
        return expiry is not None and time.time() < expiry

    def _role_name(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response.text(401, "Unauthorized\n")
        if self.role is None:
            return Response.text(404, "Not Found\n", content_type="text/html")
        return Response.text(200, self.role)

    def _credentials(self, request: Request, role: str) -> Response:
        if not self._authorised(request):
            return Response.text(401, "Unauthorized\n")
        if self.role is None or role != self.role:
            return Response.text(404, "Not Found\n", content_type="text/html")
        keys = session_keys(self.cloud, f"arn:aws:sts::{self.account}:assumed-role/{role}/i-0123456789abcdef0",
                            21600)
        request.note["role"] = role
        body = json.dumps({"Code": "Success", "LastUpdated": iso(time.time()), "Type": "AWS-HMAC",
                           "AccessKeyId": keys.access_key_id, "SecretAccessKey": keys.secret,
                           "Token": keys.session_token, "Expiration": iso(keys.expires)}, indent=2)
        return Response.text(200, body)
