"""Serving the shared package directory from a registry's own host.

Registries whose index lives on the same host as their token service (JFrog,
GitLab) answer feed requests themselves: `serve_feed` checks the Basic
credentials the way the index front does and hands the request to the index's
pypiserver with the feed root as SCRIPT_NAME, so the request is logged (and its
connection counted) under the registry's own service.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from .core import Request, Response
from .index import basic_credentials

Validator = Callable[[str, str], bool]


def serve_feed(index: Any, request: Request, pattern: "re.Pattern[str]", validator: Validator,
               upload_path: Optional[str], realm: str) -> Optional[Response]:
    """Answer `request` if its path is under a feed root matching `pattern`; else None."""
    m = pattern.match(request.path)
    if not m:
        return None
    root, rest = m.group(0), request.path[m.end():]
    if rest and not rest.startswith("/"):
        return None
    request.note["feed"] = {k: v for k, v in m.groupdict().items() if v is not None}
    creds = basic_credentials(request)
    if creds is None or not validator(*creds):
        request.note["auth"] = "missing" if creds is None else "refused"
        return Response.text(401, "401 Unauthorized: a valid credential is required\n",
                             [("WWW-Authenticate", f'Basic realm="{realm}"')])
    request.note["auth"] = "accepted"
    request.note["username"] = creds[0]
    # The index decodes SCRIPT_NAME; keep an encoded id (group%2Fproject) encoded in
    # the links pypiserver writes, as the registries do.
    root = root.replace("%", "%25")
    if request.method == "POST":
        if upload_path is not None and rest in (upload_path, upload_path.rstrip("/")):
            return index._wsgi(request, root, "/")
        return Response.text(405, "POST not allowed here\n", [("Allow", "GET, HEAD")])
    if request.method not in ("GET", "HEAD"):
        return Response.text(405, f"{request.method} not allowed here\n", [("Allow", "GET, HEAD")])
    return index._wsgi(request, root, rest or "/")
