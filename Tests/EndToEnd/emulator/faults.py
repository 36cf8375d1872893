"""Faults a test can queue on any service: `emu.inject(service, prefix, faults)`.

Each fault serves `times` matching requests (default 1) and is then dropped;
`times=None` keeps it for every later matching request. Faults queued for the
same service are consumed in order: the first still-active entry whose path
prefix matches the request's path (query excluded) answers it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from .core import Response

_NON_JSON_BODY = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n"
_TRUNCATED_BODY = b'{"token_type":"Bearer","expires_in":3599,"access_tok'


@dataclass
class Fault:
    kind: str
    times: Optional[int] = 1
    status: int = 0
    retry_after: Optional[int] = None
    seconds: float = 0.0
    body: Optional[bytes] = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    def apply(self, handler: Any, request: Any) -> Optional[Response]:
        """Answer `request` (or not) on `handler`, the live connection."""
        if self.kind == "status":
            headers = list(self.headers)
            if self.retry_after is not None:
                headers.append(("Retry-After", str(self.retry_after)))
            body = self.body if self.body is not None else (
                f'{{"error":"emulated_fault","status":{self.status}}}'.encode())
            return Response(self.status, body, [("Content-Type", "application/json")] + headers)
        if self.kind == "slow":
            abort = handler.service.emulator.abort_event
            deadline = time.monotonic() + self.seconds
            while (left := deadline - time.monotonic()) > 0:
                if abort.wait(min(left, 0.05)):  # the emulator was reset meanwhile
                    handler.drop_connection()
                    return None
                if handler.client_gone():
                    request.note["client"] = "hung up while waiting"
                    handler.drop_connection()
                    return None
            return handler._handle(request)
        if self.kind == "truncated":
            body = self.body if self.body is not None else _TRUNCATED_BODY
            response = Response(200, body, [("Content-Type", "application/json; charset=utf-8")])
            handler._send(response, declared_length=len(body) + 1024)
            handler.drop_connection()
            return None
        if self.kind == "invalid_json":
            body = self.body if self.body is not None else _NON_JSON_BODY
            return Response(200, body, [("Content-Type", "application/json; charset=utf-8")])
        if self.kind == "reset":
            handler.drop_connection()
            return None
        if self.kind == "expired":
            response = handler._handle(request)
            if response.status == 200:
                response.body = _expire(handler.service, response.body, time.time() - self.seconds)
            return response
        raise ValueError(f"unknown fault kind {self.kind!r}")


def status(code: int, retry_after: Optional[int] = None, times: Optional[int] = 1,
           body: Optional[bytes] = None, headers: Optional[list] = None) -> Fault:
    """Answer with HTTP `code` (and `Retry-After` when given) instead of the real answer."""
    return Fault("status", times, status=code, retry_after=retry_after, body=body,
                 headers=list(headers or []))


def slow(seconds: float, times: Optional[int] = 1) -> Fault:
    """Wait `seconds` before answering normally (cut short by `emu.reset()`)."""
    return Fault("slow", times, seconds=seconds)


def truncated(times: Optional[int] = 1, body: Optional[bytes] = None) -> Fault:
    """Send 200 with a Content-Length larger than the body, then close the connection."""
    return Fault("truncated", times, body=body)


def invalid_json(times: Optional[int] = 1, body: Optional[bytes] = None) -> Fault:
    """Send 200, Content-Type application/json, and a body that is not JSON."""
    return Fault("invalid_json", times, body=body)


def connection_reset(times: Optional[int] = 1) -> Fault:
    """Close the connection without answering."""
    return Fault("reset", times)


def expired(times: Optional[int] = 1, ago: float = 600) -> Fault:
    """Answer normally, but with the credential already expired `ago` seconds ago: every
    expiry field the answer has (`expires_in` 0, `expireTime`, `expiration`, `expires`,
    STS's `<Expiration>`), and a JWT-only answer re-signed with that `exp`."""
    return Fault("expired", times, seconds=ago)


_EXPIRY_FIELDS = ("expires_in", "ext_expires_in", "expireTime", "expiration", "expires")


def _stamp(ts: float) -> str:
    return _dt.datetime.fromtimestamp(int(ts), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _expire(service: Any, body: bytes, past: float) -> bytes:
    if body.lstrip().startswith(b"<"):
        return re.sub(rb"<Expiration>[^<]*</Expiration>",
                      b"<Expiration>" + _stamp(past).encode() + b"</Expiration>", body)
    answer = json.loads(body)
    if any(k in answer for k in _EXPIRY_FIELDS):
        for key in _EXPIRY_FIELDS:
            value = answer.get(key)
            if key.endswith("_in") and key in answer:
                answer[key] = 0
            elif isinstance(value, (int, float)):
                answer[key] = int(past)
            elif isinstance(value, str):
                answer[key] = _stamp(past)
    else:  # the token says when it expires: sign it again with `exp` in the past
        for key, value in answer.items():
            if isinstance(value, str) and value.count(".") == 2:
                answer[key] = _resign(service, value, past)
    return json.dumps(answer, separators=(",", ":")).encode()


def _resign(service: Any, token: str, past: float) -> str:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update({"exp": int(past), "iat": int(past) - 300, "nbf": int(past) - 300})
    expired = service.key.sign(claims)
    service.issued.append(expired)  # the leak check knows it like any token the service issued
    return expired


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[list[Any]] = []  # [service, prefix, fault, remaining]

    def inject(self, service: str, path_prefix: str, faults: Any) -> None:
        if isinstance(faults, Fault):
            faults = [faults]
        with self._lock:
            for f in faults:
                if f.times is not None and f.times < 1:
                    raise ValueError("times must be >= 1 or None")
                self._entries.append([service, path_prefix, f, f.times])

    def take(self, service: str, path: str) -> Optional[Fault]:
        with self._lock:
            for entry in self._entries:
                if entry[0] == service and path.startswith(entry[1]):
                    if entry[3] is not None:
                        entry[3] -= 1
                        if entry[3] == 0:
                            self._entries.remove(entry)
                    return entry[2]
        return None

    def pending(self) -> int:
        """How many entries are still queued (persistent ones included)."""
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
