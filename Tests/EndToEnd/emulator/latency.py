"""A simulated network round trip, for machines where `tc qdisc … netem` is not available
(bench/run.sh --rtt falls back to it).

    simulate_round_trip(emu, 0.020)

Every service then answers as if client and server were 20 ms apart: a request reaches the
handler half a round trip after it was sent and its answer reaches the client half a round
trip after it leaves; a new connection is usable only after its TCP handshake (one round trip)
and TLS 1.3 handshake (one more, when the emulator serves https). A connection opened early, while
the client is still busy elsewhere, has its handshakes done by the time its first request comes,
as on a real network. Loopback itself is taken as instant. Services added later are not delayed.
"""

from __future__ import annotations

import threading
import time
from typing import Any


def simulate_round_trip(emu: Any, seconds: float) -> None:
    handshakes = 2 if getattr(emu, "tls", None) is not None else 1
    for service in emu.services.values():
        _delay(service, seconds, handshakes)


def _delay(service: Any, rtt: float, handshakes: int) -> None:
    accepted: dict[int, float] = {}
    used: set[int] = set()
    lock = threading.Lock()
    accept, handle = service._accept_connection, service.handle

    def accept_connection() -> int:
        connection = accept()
        with lock:
            accepted[connection] = time.monotonic()
        return connection

    def delayed_handle(request: Any) -> Any:
        arrived = time.monotonic() + rtt / 2
        with lock:
            first = request.connection not in used
            used.add(request.connection)
            opened = accepted.get(request.connection, arrived)
        if first:  # the client could send only once the handshakes were done
            arrived = max(arrived, opened + handshakes * rtt + rtt / 2)
        _sleep_until(arrived)
        response = handle(request)
        time.sleep(rtt / 2)
        return response

    service._accept_connection = accept_connection
    service.handle = delayed_handle


def _sleep_until(deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
