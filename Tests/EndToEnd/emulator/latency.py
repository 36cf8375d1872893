"""A simulated network round trip, for machines where `tc qdisc … netem` is not available
(bench/run.sh --rtt falls back to it).

    simulate_round_trip(emu, 0.020)

Every service then answers as if client and server were 20 ms apart: a request reaches the
handler half a round trip after it was sent and its answer reaches the client half a round
trip after it leaves; a new connection is usable only after its TCP handshake (one round trip)
and TLS 1.3 handshake (one more, when the emulator serves https). A connection opened early, while
the client is still busy elsewhere, has its TCP handshake done by the time its first request
comes, as on a real network; its TLS handshake counts from when the client began it. Loopback itself is taken as instant. Services added later are not delayed.
"""

from __future__ import annotations

import select
import threading
import time
from typing import Any


def simulate_round_trip(emu: Any, seconds: float) -> None:
    tls = getattr(emu, "tls", None) is not None
    for service in emu.services.values():
        _delay(service, seconds, tls)


def _delay(service: Any, rtt: float, tls: bool) -> None:
    accepted: dict[int, float] = {}
    hello: dict[int, float] = {}
    used: set[int] = set()
    lock = threading.Lock()
    accept, opened_hook, handle = service._accept_connection, service._connection_opened, service.handle

    def accept_connection() -> int:
        connection = accept()
        with lock:
            accepted[connection] = time.monotonic()
        return connection

    def connection_opened(connection: int, sock: Any) -> None:
        opened_hook(connection, sock)
        if tls:  # when the client began its TLS handshake: its ClientHello arrives
            select.select([sock], [], [], 10)
            with lock:
                hello[connection] = time.monotonic()

    def delayed_handle(request: Any) -> Any:
        now = time.monotonic()
        arrived = now + rtt / 2
        with lock:
            first = request.connection not in used
            used.add(request.connection)
            opened = accepted.get(request.connection, now)
            began_tls = hello.get(request.connection, opened)
        if first:
            # The client could send only once TCP was up (a round trip after it connected)
            # and, over https, the TLS handshake it began then, or when it got round to it
            # (a connection opened early has its TCP handshake done, not its TLS one).
            ready = opened + rtt
            if tls:
                ready = max(ready, began_tls) + rtt
            arrived = max(arrived, ready + rtt / 2)
        _sleep_until(arrived)
        response = handle(request)
        time.sleep(rtt / 2)
        return response

    service._accept_connection = accept_connection
    service._connection_opened = connection_opened
    service.handle = delayed_handle


def _sleep_until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
