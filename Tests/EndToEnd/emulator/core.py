"""The shared machinery every emulated service is built on.

A `Service` owns one `ThreadingHTTPServer` bound to 127.0.0.1 on an ephemeral
port, speaks HTTP/1.1 with keep-alive, records every request in the
emulator's `RequestLog`, and consults the emulator's `FaultPlan` before it
answers. Subclasses register routes and implement handlers that take a
`Request` and return a `Response`.
"""

from __future__ import annotations

import http.server
import json
import re
import select
import socket
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

LOOPBACK = "127.0.0.1"


@dataclass
class Request:
    """One parsed HTTP request, as handed to a service's handler."""

    service: str
    method: str
    target: str  # path with query, exactly as sent
    path: str  # percent-encoded path without the query
    query: dict[str, list[str]]
    headers: Any  # http.client.HTTPMessage: case-insensitive get()/get_all()
    body: bytes
    connection: int
    note: dict[str, Any] = field(default_factory=dict)  # handlers' remarks, copied to the log

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded."""
        return urllib.parse.parse_qs(
            self.body.decode("utf-8", "replace"), keep_blank_values=True
        )

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, obj: Any, headers: Optional[list] = None) -> "Response":
        body = json.dumps(obj, separators=(",", ":")).encode()
        h = [("Content-Type", "application/json; charset=utf-8")]
        return cls(status, body, h + list(headers or []))

    @classmethod
    def text(cls, status: int, text: str, headers: Optional[list] = None,
             content_type: str = "text/plain; charset=utf-8") -> "Response":
        return cls(status, text.encode(), [("Content-Type", content_type)] + list(headers or []))


@dataclass
class RequestRecord:
    """What the log keeps about one request."""

    service: str
    method: str
    path: str  # with query
    start: float  # time.monotonic() when the request line arrived
    end: Optional[float] = None  # time.monotonic() when answered or dropped; None in flight
    connection: int = 0
    status: int = 0
    fault: Optional[str] = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    note: dict[str, Any] = field(default_factory=dict)


class RequestLog:
    """Thread-safe list of `RequestRecord`s, cleared by `Emulator.reset()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self, service: Optional[str] = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self._records if service is None or r.service == service]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


Handler = Callable[..., Response]


class Service:
    """Base class: an HTTP server on its own loopback port.

    Subclasses set `name`, call `self.route(method, regex, handler)` in
    `__init__`, and may override `reset()` to drop per-test state. Handlers get
    the `Request` plus the regex's named groups as keyword arguments.
    """

    name = "service"
    read_timeout = 30.0  # idle keep-alive connections are dropped after this

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._server: Optional[http.server.ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._conn_lock = threading.Lock()
        self._next_conn = 0
        self._accepted_since_reset = 0

    # -- routing ---------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def handle(self, request: Request) -> Response:
        allowed = []
        for method, pattern, handler in self._routes:
            m = pattern.fullmatch(request.path)
            if not m:
                continue
            if method in (request.method, "*") or (method == "GET" and request.method == "HEAD"):
                return handler(request, **m.groupdict())
            allowed.append(method)
        if allowed:
            return self.method_not_allowed(request, allowed)
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return Response.text(404, f"{self.name}: no route for {request.method} {request.path}\n")

    def method_not_allowed(self, request: Request, allowed: list[str]) -> Response:
        return Response.text(405, f"{self.name}: {request.method} not allowed\n",
                             [("Allow", ", ".join(sorted(set(allowed))))])

    def reset(self) -> None:
        """Drop per-test state. Subclasses extend this."""
        with self._conn_lock:
            self._accepted_since_reset = 0

    # -- lifecycle -------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, f"{self.name} is not started"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if getattr(self.emulator, "tls", None) is not None else "http"
        return f"{scheme}://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        handler_class = type(f"{type(self).__name__}Handler", (_Handler,), {"service": self})
        server = _Server((LOOPBACK, 0), handler_class)
        tls = getattr(self.emulator, "tls", None)  # emulator.tls.LoopbackTLS, for benchmarks
        if tls is not None:
            server.socket = tls.wrap(server.socket)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"emu-{self.name}",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- connection accounting ---------------------------------------------
    def _accept_connection(self) -> int:
        with self._conn_lock:
            self._next_conn += 1
            self._accepted_since_reset += 1
            return self._next_conn

    def _connection_opened(self, connection: int, sock: Any) -> None:
        """Called on the connection's thread once it is accepted (a hook for latency.py)."""

    @property
    def connections_since_reset(self) -> int:
        with self._conn_lock:
            return self._accepted_since_reset


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up mid-answer are part of the tests.
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    service: Service
    protocol_version = "HTTP/1.1"
    server_version = "indexkey-emulator"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.service.read_timeout
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle holds the body
        # back until the client's delayed ACK (~40 ms) on every reused connection, which
        # real servers do not do and which would make connection reuse look slow.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection_id = self.service._accept_connection()
        self.service._connection_opened(self.connection_id, self.connection)

    def parse_request(self) -> bool:
        self._started = time.monotonic()
        return super().parse_request()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        service = self.service
        emu = service.emulator
        body = self._read_body()
        path = self.path.split("?", 1)[0]
        query = urllib.parse.parse_qs(self.path.split("?", 1)[1], keep_blank_values=True) \
            if "?" in self.path else {}
        request = Request(service.name, self.command, self.path, path, query,
                          self.headers, body, self.connection_id)
        self._record = RequestRecord(service.name, self.command, self.path, self._started,
                                     connection=self.connection_id,
                                     headers={k: v for k, v in self.headers.items()}, body=body,
                                     note=request.note)
        # Logged on arrival (end stays None while in flight), so a request whose
        # client gave up waiting is visible too. A reset clears it with the rest.
        emu.log.add(self._record)
        fault = emu.faults.take(service.name, path)
        try:
            if fault is not None:
                self._record.fault = fault.kind
                response = fault.apply(self, request)
            else:
                response = self._handle(request)
            if response is not None:
                self._send(response)
        finally:
            self._finish_record()

    def _finish_record(self) -> None:
        if self._record.end is None:
            self._record.end = time.monotonic()

    def client_gone(self) -> bool:
        """True when the client has closed its side of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _handle(self, request: Request) -> Response:
        try:
            return self.service.handle(request)
        except Exception as exc:  # a bug in a handler: answer 500 and keep serving
            traceback.print_exc()
            return Response.text(500, f"emulator error in {self.service.name}: {exc!r}\n")

    def _send(self, response: Response, declared_length: Optional[int] = None) -> None:
        self._record.status = response.status
        self._finish_record()  # before the answer leaves: a client that read it sees `end`
        self.send_response(response.status)  # also sends Server and Date
        for k, v in response.headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        length = len(response.body) if declared_length is None else declared_length
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)
        self.wfile.flush()

    def drop_connection(self) -> None:
        """Close the socket now, without any (further) answer."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
