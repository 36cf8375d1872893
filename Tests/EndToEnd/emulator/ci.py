"""OIDC issuers of the other CI systems and runtimes (service ``ci``).

One RS256 key signs the tokens of every issuer here (the token exchanges trust
it by key id); each CI has its own issuer URL, subject shape and claims, as
PROTOCOLS.md §2–§3 describes them:

* GitLab, Bitbucket, CircleCI (`CIRCLE_OIDC_TOKEN_V2`), Kubernetes/AKS and EKS
  token files: tokens a test mints with `mint(ci, audience)` and hands over
  through a variable or a file, as those CIs do.
* Buildkite: the agent API `POST /buildkite/v3/jobs/{job}/oidc/tokens`
  (`Authorization: Token AGENT_TOKEN`), which the fake `buildkite-agent` calls.
* CircleCI custom audiences: `POST /circleci/oidc` with `{"aud": ...}`, which the
  fake `circleci run oidc get` calls.
* Azure Pipelines: `POST /{org}/{project}/_apis/distributedtask/hubs/build/plans/
  {plan}/jobs/{job}/oidctoken?api-version=7.1[&serviceConnectionId=ID]`.
* Google Cloud metadata server: `GET /computeMetadata/v1/instance/service-accounts/
  default/identity?audience=A&format=full` with `Metadata-Flavor: Google`.
* Commands (`--identity command:CMD`): `POST /mint/{ci}` with `{"aud": ...}`.

Every token issued is remembered in `issued` so tests can prove none leaks.
"""

from __future__ import annotations

import json
import secrets
import stat
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Optional

from .core import Request, Response, Service
from .jwt import SigningKey

EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
GITLAB_ISSUER = "https://gitlab.com"
BUILDKITE_ISSUER = "https://agent.buildkite.com"
CIRCLECI_ORG = "5a4f1c2e-3b6d-4e8f-9a0b-1c2d3e4f5a6b"
CIRCLECI_PROJECT = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
BITBUCKET_WORKSPACE_UUID = "{8e2f7a6b-5c4d-4e3f-9a1b-0c2d4e6f8a0b}"
BITBUCKET_REPO_UUID = "{1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d}"
AZURE_DEVOPS_ORG_ID = "0f9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c"
AZURE_DEVOPS_PROJECT_ID = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
AKS_ISSUER = "https://oidc.prod-aks.azure.com/5c3b7a1e-2f4d-4c6b-8a9e-0d1c2b3a4f5e/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a/"
EKS_ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/8A3F9C2B1D4E5F6A7B8C9D0E1F2A3B4C"
GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_SERVICE_ACCOUNT_ID = "104293875620918273645"

# The service connections the emulated Azure DevOps project has: id -> name.
SERVICE_CONNECTIONS = {"3b2a1f0e-9d8c-4b7a-a6f5-e4d3c2b1a0f9": "publish-connection"}


def default_claims() -> dict[str, dict[str, Any]]:
    """The claims each CI puts in its tokens (besides aud, iat, nbf, exp, jti)."""
    sha = "3f786850e387550fdab836ed7e6dc881de23001b"
    return {
        "gitlab": {
            "iss": GITLAB_ISSUER,
            "sub": "project_path:octo-group/app:ref_type:branch:ref:main",
            "namespace_id": "72", "namespace_path": "octo-group", "project_id": "4242",
            "project_path": "octo-group/app", "user_id": "17", "user_login": "octocat",
            "pipeline_id": "9001", "pipeline_source": "push", "job_id": "77001", "ref": "main",
            "ref_type": "branch", "ref_path": "refs/heads/main", "ref_protected": "true",
            "runner_environment": "gitlab-hosted", "sha": sha,
            "ci_config_ref_uri": "gitlab.com/octo-group/app//.gitlab-ci.yml@refs/heads/main",
            "project_visibility": "private",
        },
        "buildkite": {
            "iss": BUILDKITE_ISSUER,
            "sub": f"organization:octo-org:pipeline:app:ref:refs/heads/main:commit:{sha}:step:publish",
            "organization_slug": "octo-org", "pipeline_slug": "app", "build_number": 42,
            "build_branch": "main", "build_commit": sha, "step_key": "publish",
            "job_id": "0190e7b6-2c3d-4e5f-8a9b-0c1d2e3f4a5b", "agent_id": "0190e7b6-aaaa-4bbb-8ccc-0ddd1eee2fff",
        },
        "circleci": {
            "iss": f"https://oidc.circleci.com/org/{CIRCLECI_ORG}",
            "sub": f"org/{CIRCLECI_ORG}/project/{CIRCLECI_PROJECT}/user/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
                   "/vcs-origin/github.com/octo-org/app/vcs-ref/refs/heads/main",
            "oidc.circleci.com/project-id": CIRCLECI_PROJECT,
            "oidc.circleci.com/vcs-origin": "github.com/octo-org/app",
            "oidc.circleci.com/vcs-ref": "refs/heads/main",
            "oidc.circleci.com/context-ids": ["c0ffee00-1111-4222-8333-444455556666"],
        },
        "bitbucket": {
            "iss": "https://api.bitbucket.org/2.0/workspaces/octo-ws/pipelines-config/identity/oidc",
            "sub": f"{BITBUCKET_REPO_UUID}:{{6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a}}",
            "workspaceUuid": BITBUCKET_WORKSPACE_UUID, "repositoryUuid": BITBUCKET_REPO_UUID,
            "branchName": "main", "pipelineUuid": "{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}",
            "stepUuid": "{6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a}",
        },
        "azure-pipelines": {
            "iss": f"https://vstoken.dev.azure.com/{AZURE_DEVOPS_ORG_ID}",
            "sub": "p://octo-org/app/app-ci",
            "org_id": AZURE_DEVOPS_ORG_ID, "prj_id": AZURE_DEVOPS_PROJECT_ID, "def_id": "12",
            "rpo_id": "octo-org/app", "rpo_uri": "https://github.com/octo-org/app", "rpo_ref": "refs/heads/main",
            "run_id": "345",
        },
        "aks": {
            "iss": AKS_ISSUER, "sub": "system:serviceaccount:builds:publisher",
            "kubernetes.io": {"namespace": "builds", "serviceaccount": {"name": "publisher"}},
        },
        "eks": {
            "iss": EKS_ISSUER, "sub": "system:serviceaccount:builds:publisher",
            "kubernetes.io": {"namespace": "builds", "serviceaccount": {"name": "publisher"}},
        },
        "gcp": {
            "iss": GOOGLE_ISSUER, "sub": GOOGLE_SERVICE_ACCOUNT_ID, "azp": GOOGLE_SERVICE_ACCOUNT_ID,
            "email": "publisher@octo-project.iam.gserviceaccount.com", "email_verified": True,
        },
    }


DEFAULT_AUDIENCES = {
    "gitlab": GITLAB_ISSUER,
    "buildkite": "https://buildkite.com/octo-org",
    "circleci": CIRCLECI_ORG,
    "bitbucket": f"ari:cloud:bitbucket::workspace/{BITBUCKET_WORKSPACE_UUID.strip('{}')}",
    "azure-pipelines": EXCHANGE_AUDIENCE,
    "aks": EXCHANGE_AUDIENCE,
    "eks": "sts.amazonaws.com",
    "gcp": "https://example.com",
}

LIFETIMES = {"gitlab": 3600, "buildkite": 300, "circleci": 3600, "bitbucket": 3600,
             "azure-pipelines": 300, "aks": 3600, "eks": 86400, "gcp": 3600}


class CIIssuers(Service):
    """Attributes a test may change (restored by `reset()`):

    * `claims[ci]` – the claims of that CI's tokens; a claim set to None is left out.
    * `agent_token` – the Buildkite agent access token the agent API accepts.
    * `access_token` – the Azure Pipelines `System.AccessToken` the OIDC endpoint accepts.
    * `metadata_available` – False makes the metadata server answer 404 (no service account).
    """

    name = "ci"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self.key = SigningKey()
        self._lock = threading.Lock()
        self.issued: list[str] = []
        self.minted: list[dict[str, Any]] = []
        self._defaults()
        self.route("POST", r"/buildkite/v3/jobs/(?P<job>[^/]+)/oidc/tokens", self._buildkite)
        self.route("POST", r"/circleci/oidc", self._circleci)
        self.route("POST", r"/mint/(?P<ci>[a-z-]+)", self._mint_endpoint)
        self.route("POST", r"/(?P<org>[^/]+)/(?P<project>[^/]+)/_apis/distributedtask/hubs/build/plans/"
                           r"(?P<plan>[^/]+)/jobs/(?P<job>[^/]+)/oidctoken", self._azure_pipelines)
        self.route("GET", r"/computeMetadata/v1/instance/service-accounts/default/identity", self._metadata)
        self.route("GET", r"/\.well-known/jwks", self._jwks)

    def _defaults(self) -> None:
        self.claims = default_claims()
        self.agent_token = "bkua_" + secrets.token_hex(20)
        self.access_token = "azdo-" + secrets.token_urlsafe(32)
        self.metadata_available = True

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.issued.clear()
            self.minted.clear()
        self._defaults()

    # -- minting -----------------------------------------------------------
    def mint(self, ci: str, audience: Optional[str] = None, *, lifetime: Optional[int] = None,
             issued_at: Optional[float] = None, **overrides: Any) -> str:
        """A token of `ci` for `audience` (default: that CI's default audience)."""
        now = int(issued_at if issued_at is not None else time.time())
        claims = {k: v for k, v in self.claims[ci].items() if v is not None}
        claims.update({
            "aud": audience if audience is not None else DEFAULT_AUDIENCES[ci],
            "jti": str(uuid.uuid4()),
            "iat": now, "nbf": now,
            "exp": now + (LIFETIMES[ci] if lifetime is None else lifetime),
        })
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        token = self.key.sign(claims)
        with self._lock:
            self.issued.append(token)
            self.minted.append({"ci": ci, "claims": claims})
        return token

    def minted_for(self, ci: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m["claims"] for m in self.minted if m["ci"] == ci]

    # -- endpoints -----------------------------------------------------------
    def _buildkite(self, request: Request, job: str) -> Response:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme != "Token" or not secrets.compare_digest(token.encode(), self.agent_token.encode()):
            return Response.json(401, {"message": "Unauthorized"})
        try:
            body = request.json()
        except ValueError:
            return Response.json(422, {"message": "body is not JSON"})
        audience = body.get("audience") or None
        return Response.json(201, {"token": self.mint("buildkite", audience, job_id=job)})

    def _circleci(self, request: Request) -> Response:
        try:
            claims = request.json()
        except ValueError:
            return Response.json(400, {"message": "claims are not JSON"})
        if set(claims) - {"aud"}:
            return Response.json(400, {"message": "only aud can be customised"})
        return Response.text(200, self.mint("circleci", claims.get("aud")) + "\n")

    def _mint_endpoint(self, request: Request, ci: str) -> Response:
        if ci not in self.claims:
            return Response.json(404, {"message": f"no CI {ci!r}"})
        body = request.json() if request.body else {}
        return Response.text(200, self.mint(ci, body.get("aud")))

    def _azure_pipelines(self, request: Request, org: str, project: str, plan: str, job: str) -> Response:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.encode(), self.access_token.encode()):
            return Response.json(401, {"message": "TF400813: The user '' is not authorized to access this resource."})
        if request.query.get("api-version") not in (["7.1"], ["7.1-preview.1"]):
            return Response.json(400, {"message": f"api-version 7.1 is required, got {request.query.get('api-version')}"})
        connection = request.query.get("serviceConnectionId")
        subject = None
        if connection:
            name = SERVICE_CONNECTIONS.get(connection[0])
            if name is None:
                return Response.json(404, {"message": f"Service connection {connection[0]} was not found or "
                                                      "the pipeline is not authorized to use it."})
            subject = f"sc://{org}/app/{name}"
        return Response.json(200, {"oidcToken": self.mint("azure-pipelines", EXCHANGE_AUDIENCE, **(
            {"sub": subject} if subject else {}))})

    def _metadata(self, request: Request) -> Response:
        if request.header("Metadata-Flavor") != "Google":
            return Response.text(403, "Missing Metadata-Flavor:Google header.\n")
        if not self.metadata_available:
            return Response.text(404, "Not Found\n")
        audience = request.query.get("audience")
        if not audience or not audience[0]:
            return Response.text(400, "non-empty audience parameter required\n")
        return Response.text(200, self.mint("gcp", audience[0]), content_type="text/html")

    def _jwks(self, request: Request) -> Response:
        return Response.json(200, {"keys": [self.key.jwk()]})


# -- fake CLIs ------------------------------------------------------------------
_BUILDKITE_AGENT = '''#!{python}
"""A stand-in for `buildkite-agent oidc request-token` that calls the emulated agent API."""
import json, os, sys, urllib.error, urllib.request
args = sys.argv[1:]
if args[:2] != ["oidc", "request-token"]:
    print("fake buildkite-agent: unsupported command", args, file=sys.stderr)
    sys.exit(2)
audience = args[args.index("--audience") + 1] if "--audience" in args else None
endpoint = os.environ.get("BUILDKITE_AGENT_ENDPOINT", "https://agent.buildkite.com/v3")
request = urllib.request.Request(
    f"{{endpoint}}/jobs/{{os.environ['BUILDKITE_JOB_ID']}}/oidc/tokens",
    data=json.dumps({{"audience": audience}} if audience else {{}}).encode(), method="POST",
    headers={{"Authorization": "Token " + os.environ.get("BUILDKITE_AGENT_ACCESS_TOKEN", ""),
             "Content-Type": "application/json"}})
try:
    with urllib.request.urlopen(request, timeout=10) as response:
        print(json.load(response)["token"])
except urllib.error.HTTPError as error:
    print(f"fatal: failed to get OIDC token: POST {{error.url}}: {{error.code}} {{error.reason}}", file=sys.stderr)
    sys.exit(1)
'''

_CIRCLECI = '''#!{python}
"""A stand-in for `circleci run oidc get --claims JSON` that calls the emulated CircleCI."""
import json, sys, urllib.request
args = sys.argv[1:]
if args[:3] != ["run", "oidc", "get"] or "--claims" not in args:
    print("fake circleci: unsupported command", args, file=sys.stderr)
    sys.exit(2)
claims = args[args.index("--claims") + 1]
json.loads(claims)
request = urllib.request.Request("{url}/circleci/oidc", data=claims.encode(), method="POST",
                                 headers={{"Content-Type": "application/json"}})
with urllib.request.urlopen(request, timeout=10) as response:
    sys.stdout.write(response.read().decode())
'''


def install_fake_cli(directory: Path, name: str, ci: CIIssuers) -> Path:
    """Write the fake `buildkite-agent` or `circleci` into `directory`; returns its path."""
    template = {"buildkite-agent": _BUILDKITE_AGENT, "circleci": _CIRCLECI}[name]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(template.format(python=sys.executable, url=ci.url))
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def trust(entra: Any, tenant: str, client_id: str, issuer: str, subject: str,
          audience: str = EXCHANGE_AUDIENCE) -> None:
    """Add a federated credential to an app registered in the emulated Entra ID."""
    app = entra.tenants[tenant][client_id]
    app.federated.append({"issuer": issuer, "subject": subject, "audience": audience})

