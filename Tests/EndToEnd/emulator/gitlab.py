"""GitLab's PyPI package registry (service ``gitlab``: the `$CI_API_V4_URL` host,
PROTOCOLS.md §2c).

Project feeds `/api/v4/projects/{id}/packages/pypi` (install under `/simple`,
upload at the root) and group feeds `/api/v4/groups/{id}/-/packages/pypi`
(install only). Accepted: `gitlab-ci-token` with a job token of a running job,
a deploy token with its own username, and access tokens with any username
(GitLab reads only the password for those).
"""

from __future__ import annotations

import re
import secrets
import threading
from typing import Any

from .core import Request, Response, Service
from .fronts import serve_feed

JOB_TOKEN_USERNAME = "gitlab-ci-token"
PROJECT_FEED = re.compile(r"/api/v4/projects/(?P<project>[^/]+)/packages/pypi")
GROUP_FEED = re.compile(r"/api/v4/groups/(?P<group>[^/]+)/-/packages/pypi")


class GitLabRegistry(Service):
    name = "gitlab"

    def __init__(self, emulator: Any) -> None:
        super().__init__(emulator)
        self._lock = threading.Lock()
        self.job_tokens: set[str] = set()
        self.deploy_tokens: dict[str, str] = {}  # token -> username
        self.access_tokens: set[str] = set()

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.job_tokens.clear()
            self.deploy_tokens.clear()
            self.access_tokens.clear()

    @property
    def api_url(self) -> str:
        """What GitLab CI puts in CI_API_V4_URL."""
        return f"{self.url}/api/v4"

    def start_job(self) -> str:
        token = "glcbt-64_" + secrets.token_urlsafe(20)
        with self._lock:
            self.job_tokens.add(token)
        return token

    def finish_job(self, token: str) -> None:
        with self._lock:
            self.job_tokens.discard(token)

    def add_deploy_token(self, username: str) -> str:
        token = "gldt-" + secrets.token_urlsafe(20)
        with self._lock:
            self.deploy_tokens[token] = username
        return token

    def add_access_token(self) -> str:
        token = "glpat-" + secrets.token_urlsafe(20)
        with self._lock:
            self.access_tokens.add(token)
        return token

    def accepts(self, username: str, password: str) -> bool:
        with self._lock:
            if username == JOB_TOKEN_USERNAME and password in self.job_tokens:
                return True
            if self.deploy_tokens.get(password) == username:
                return True
            return bool(username) and password in self.access_tokens

    def handle(self, request: Request) -> Response:
        for pattern, upload in ((PROJECT_FEED, "/"), (GROUP_FEED, None)):
            served = serve_feed(self.emulator.index, request, pattern, self.accepts,
                                upload_path=upload, realm="GitLab Packages Registry")
            if served is not None:
                return served
        return self.not_found(request)

    def canaries(self) -> tuple[set[str], set[str]]:
        with self._lock:
            return set(), self.job_tokens | set(self.deploy_tokens) | self.access_tokens
