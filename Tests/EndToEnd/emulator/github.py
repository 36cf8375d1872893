"""GitHub Actions OIDC token issuer (service ``github``).

Serves the runner's token request endpoint plus discovery and JWKS, signs
RS256 tokens with a key generated at start, and remembers every token it
issued (`issued`) so tests can prove none of them leaks.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from typing import Any, Optional

from .core import Request, Response, Service
from .jwt import SigningKey

ISSUER = "https://token.actions.githubusercontent.com"
OWNER = "octo-org"
REPOSITORY = "octo-org/app"


def default_claims() -> dict[str, Any]:
    """The claims of a push to main in octo-org/app (values are strings, as GitHub's are)."""
    sha = "3f786850e387550fdab836ed7e6dc881de23001b"
    workflow_ref = f"{REPOSITORY}/.github/workflows/ci.yml@refs/heads/main"
    return {
        "iss": ISSUER,
        "sub": f"repo:{REPOSITORY}:ref:refs/heads/main",
        "ref": "refs/heads/main",
        "sha": sha,
        "repository": REPOSITORY,
        "repository_owner": OWNER,
        "repository_owner_id": "9919",
        "repository_id": "70107786",
        "repository_visibility": "private",
        "run_id": "9876543210",
        "run_number": "42",
        "run_attempt": "1",
        "runner_environment": "github-hosted",
        "actor": "octocat",
        "actor_id": "583231",
        "workflow": "CI",
        "workflow_ref": workflow_ref,
        "workflow_sha": sha,
        "job_workflow_ref": workflow_ref,
        "job_workflow_sha": sha,
        "head_ref": "",
        "base_ref": "",
        "event_name": "push",
        "ref_type": "branch",
        "ref_protected": "false",
        "environment": None,  # set a name to get an environment job's token
    }


class GitHubIssuer(Service):
    """Attributes a test may change (all restored by `reset()`):

    * `claims` – dict of claims put in every token; a claim set to None is left out.
    * `lifetime` – seconds between iat and exp (GitHub: 300).
    * `request_token` – the bearer the runner hands to steps; fresh after every reset.
    """

    name = "github"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.key = SigningKey()
        self.issuer = ISSUER
        self._lock = threading.Lock()
        self.issued: list[str] = []
        self._defaults()
        self.route("GET", r"/_apis/idtoken", self._idtoken)
        self.route("GET", r"/\.well-known/jwks", self._jwks)
        self.route("GET", r"/\.well-known/openid-configuration", self._discovery)

    def _defaults(self) -> None:
        self.claims: dict[str, Any] = default_claims()
        self.lifetime = 300
        self.request_token = "ghrt_" + secrets.token_urlsafe(32)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.issued.clear()
        self._defaults()

    @property
    def request_url(self) -> str:
        """What the runner puts in ACTIONS_ID_TOKEN_REQUEST_URL (it already has a query)."""
        return f"{self.url}/_apis/idtoken?api-version=2.0"

    @property
    def default_audience(self) -> str:
        return f"https://github.com/{self.claims.get('repository_owner', OWNER)}"

    def mint(self, audience: Optional[str] = None, *, lifetime: Optional[int] = None,
             issued_at: Optional[float] = None, **overrides: Any) -> str:
        """Sign a token as the endpoint would; keyword arguments override claims.

        Also usable directly by tests, e.g. to write an identity file or to make
        an expired token (`issued_at=time.time() - 600`).
        """
        now = int(issued_at if issued_at is not None else time.time())
        claims = {k: v for k, v in self.claims.items() if v is not None}
        claims.update({
            "jti": str(uuid.uuid4()),
            "aud": audience if audience is not None else self.default_audience,
            "nbf": now,
            "iat": now,
            "exp": now + (self.lifetime if lifetime is None else lifetime),
        })
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        token = self.key.sign(claims, {"x5t": self.key.kid})
        with self._lock:
            self.issued.append(token)
        return token

    # -- endpoints -------------------------------------------------------
    def _idtoken(self, request: Request) -> Response:
        scheme, _, credential = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
                credential.strip().encode(), self.request_token.encode()):
            return Response.json(401, {
                "$id": "1", "innerException": None,
                "message": "TF400813: The user '' is not authorized to access this resource.",
                "typeName": "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException",
                "typeKey": "UnauthorizedRequestException", "errorCode": 0, "eventId": 3000,
            })
        if request.query.get("api-version") != ["2.0"]:
            return Response.json(400, {"message": "api-version=2.0 must be given exactly once "
                                       f"(got {request.query.get('api-version')!r})"})
        audiences = request.query.get("audience")
        if audiences is not None and (len(audiences) != 1 or not audiences[0]):
            return Response.json(400, {"message": f"audience must be given once, got {audiences!r}"})
        token = self.mint(audiences[0] if audiences else None)
        return Response.json(200, {"value": token})

    def _jwks(self, request: Request) -> Response:
        return Response.json(200, {"keys": [self.key.jwk()]})

    def _discovery(self, request: Request) -> Response:
        return Response.json(200, {
            "issuer": self.issuer,
            "jwks_uri": f"{self.url}/.well-known/jwks",
            "subject_types_supported": ["public", "pairwise"],
            "response_types_supported": ["id_token"],
            "claims_supported": sorted(k for k in self.claims) + ["aud", "exp", "iat", "jti", "nbf"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
        })
