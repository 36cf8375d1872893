"""A real package index (pypiserver, in-process) behind an authenticating front
(service ``index``).

The front knows URL shapes, not clouds: each registry registers a route (a
path regex for the feed's root, a credential validator, where uploads go) with
`add_route`. Everything under a matched root is handed to pypiserver with the
root as WSGI SCRIPT_NAME, so the absolute links pypiserver writes into its
simple pages (``<root>/packages/<file>#sha256=…``) come back through the same
route and the same credential check. All feeds share one package directory.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import shutil
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pypiserver

from .core import Request, Response, Service

Validator = Callable[[str, str], bool]  # (username, password) -> accepted?
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class IndexRoute:
    name: str
    pattern: re.Pattern[str]
    validator: Validator
    upload_path: str
    challenge: Optional[Callable[[Request], list[tuple[str, str]]]]
    realm: str


def basic_credentials(request: Request) -> Optional[tuple[str, str]]:
    """The (username, password) of an `Authorization: Basic` header, if well formed."""
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class PackageIndex(Service):
    name = "index"

    def __init__(self, emulator: Any, packages_dir: Optional[str] = None) -> None:
        super().__init__(emulator)
        self._owns_dir = packages_dir is None
        self.packages_dir = Path(packages_dir or tempfile.mkdtemp(prefix="emu-index-"))
        self.packages_dir.mkdir(parents=True, exist_ok=True)
        self._seeded: set[str] = {p.name for p in self.packages_dir.iterdir()}
        self._app = pypiserver.app(roots=[str(self.packages_dir)], authenticate=[],
                                   password_file=".", disable_fallback=True,
                                   backend_arg="simple-dir", overwrite=False)
        self.index_routes: list[IndexRoute] = []

    # -- configuration ---------------------------------------------------
    def add_route(self, name: str, pattern: str, validator: Validator, *,
                  upload_path: str = "/", realm: Optional[str] = None,
                  challenge: Optional[Callable[[Request], list[tuple[str, str]]]] = None) -> None:
        """Serve feeds whose root path matches `pattern` (anchored at the start).

        `validator(username, password)` decides on the Basic credentials;
        `upload_path` (relative to the root) is where twine POSTs;
        `challenge(request)` adds headers to 401 answers.
        """
        self.index_routes.append(IndexRoute(name, re.compile(pattern), validator,
                                            upload_path, challenge, realm or name))

    def seed(self, path: "str | Path") -> Path:
        """Copy a distribution into the index; it survives `reset()`."""
        dest = self.packages_dir / Path(path).name
        shutil.copyfile(path, dest)
        self._seeded.add(dest.name)
        return dest

    def packages(self) -> list[str]:
        return sorted(p.name for p in self.packages_dir.iterdir() if p.is_file())

    def reset(self) -> None:
        super().reset()
        for p in self.packages_dir.iterdir():
            if p.name not in self._seeded:
                p.unlink()

    def stop(self) -> None:
        super().stop()
        if self._owns_dir:
            shutil.rmtree(self.packages_dir, ignore_errors=True)

    # -- requests --------------------------------------------------------
    def handle(self, request: Request) -> Response:
        for route in self.index_routes:
            m = route.pattern.match(request.path)
            if not m:
                continue
            root, rest = m.group(0), request.path[m.end():]
            if rest and not rest.startswith("/"):
                continue
            request.note["route"] = route.name
            request.note["feed"] = {k: v for k, v in m.groupdict().items() if v is not None}
            creds = basic_credentials(request)
            if creds is None or not route.validator(*creds):
                request.note["auth"] = "missing" if creds is None else "refused"
                return self._unauthorized(request, route)
            request.note["auth"] = "accepted"
            request.note["username"] = creds[0]
            upload = route.upload_path
            if request.method == "POST" and rest in (upload, upload.rstrip("/")):
                return self._wsgi(request, root, "/")
            if request.method not in ("GET", "HEAD"):
                return Response.text(405, f"{request.method} not allowed here\n",
                                     [("Allow", "GET, HEAD" + (", POST" if upload else ""))])
            return self._wsgi(request, root, rest or "/")
        return self.not_found(request)

    def _unauthorized(self, request: Request, route: IndexRoute) -> Response:
        headers = route.challenge(request) if route.challenge else []
        if not any(k.lower() == "www-authenticate" and v.lower().startswith("basic")
                   for k, v in headers):
            headers.append(("WWW-Authenticate", f'Basic realm="{route.realm}"'))
        return Response.text(401, "401 Unauthorized: a valid credential is required\n", headers)

    def _wsgi(self, request: Request, script_name: str, path_info: str) -> Response:
        query = request.target.split("?", 1)[1] if "?" in request.target else ""
        environ: dict[str, Any] = {
            # HEAD is answered as GET without the body, so that Content-Length is the
            # file's (bottle answers HEAD with an empty body; uv then reads a 0-byte wheel).
            "REQUEST_METHOD": "GET" if request.method == "HEAD" else request.method,
            "SCRIPT_NAME": urllib.parse.unquote(script_name, "latin-1"),
            "PATH_INFO": urllib.parse.unquote(path_info, "latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(self.port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.version": (1, 0),
            # What the front serves: redirects pypiserver writes must keep the scheme.
            "wsgi.url_scheme": self.url.split("://", 1)[0],
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if request.header("Content-Type"):
            environ["CONTENT_TYPE"] = request.header("Content-Type")
        for key, value in request.headers.items():
            name = key.upper().replace("-", "_")
            if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ["HTTP_" + name] = value
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            started["status"], started["headers"] = status, headers
            return lambda data: None

        result = self._app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = [(k, v) for k, v in started["headers"] if k.lower() not in _HOP_BY_HOP]
        return Response(int(started["status"].split()[0]), body, headers)
