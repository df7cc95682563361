"""uvicorn with guards against idle, slow and greedy clients (it has no header time-out).

Each connection must send a whole request head within ``header_timeout`` seconds of
connecting (or of its last response, keep-alive time included) and its body within as long
again; a request head larger than ``max_header_bytes`` is refused. Connections are capped in
total, and per client address except loopback (a proxy in front, such as nginx, connects
from loopback for everybody). When the cap is reached, a new connection displaces the one
that has been waiting longest without finishing a request head, so idle or trickling
sockets can never lock real clients out; a connection in the middle of a request is never
displaced.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Seconds a client has to send a request head (and then, as long again, its body).
HEADER_TIMEOUT = 10.0
#: Largest request head accepted (request line and headers).
MAX_HEADER_BYTES = 16 * 1024
#: Open connections in all (kept well under the usual 1024 open files per process).
MAX_CONNECTIONS = 800
#: Open connections from one address (loopback excepted: that is the proxy).
MAX_PER_CLIENT = 64

_HEADERS_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                      b"content-type: text/plain; charset=utf-8\r\ncontent-length: 27\r\n"
                      b"connection: close\r\n\r\nRequest headers too large.\n")


@dataclass
class Guard:
    """Limits shared by every connection of one server."""

    header_timeout: float = HEADER_TIMEOUT
    max_header_bytes: int = MAX_HEADER_BYTES
    max_connections: int = MAX_CONNECTIONS
    max_per_client: int = MAX_PER_CLIENT
    #: open connections, each with the moment it started waiting for a request head
    #: (None while a request is being handled)
    open: dict[GuardedProtocol, float | None] = field(default_factory=dict)
    per_client: Counter[str] = field(default_factory=Counter)
    displaced: int = 0  #: idle or slow connections closed to make room
    timed_out: int = 0  #: connections closed for sending too slowly
    refused: int = 0  #: connections refused (per-client cap, or every slot busy)

    def protocol(self) -> type[GuardedProtocol]:
        """The protocol class for uvicorn's ``http=`` setting, bound to this guard."""
        return type("BoundGuardedProtocol", (GuardedProtocol,), {"guard": self})


def serve(app: Any, host: str, port: int, *, guard: Guard | None = None,
          log_level: str = "info", timeout_keep_alive: int = 5) -> None:
    """Run the ASGI app with uvicorn behind the guard (until SIGINT or SIGTERM)."""
    import uvicorn

    guard = guard or Guard()
    # limit_concurrency stays off: uvicorn counts idle connections against it, which is
    # how idle sockets locked everyone out; the guard's caps displace idle ones instead.
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                            server_header=False, proxy_headers=False, http=guard.protocol(),
                            timeout_keep_alive=timeout_keep_alive, backlog=2048)
    uvicorn.Server(config).run()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head time-out, a head size limit and caps."""

    guard: Guard  #: set by Guard.protocol()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._peer = ""

    # ------------------------------------------------------------ connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        g = self.guard
        self._peer = self.client[0] if self.client else ""
        limited = bool(self._peer) and not _is_loopback(self._peer)
        if limited and g.per_client[self._peer] >= g.max_per_client:
            g.refused += 1
            transport.abort()
            return
        if len(g.open) >= g.max_connections and not self._displace_one():
            g.refused += 1
            transport.abort()
            return
        if limited:
            g.per_client[self._peer] += 1
        g.open[self] = time.monotonic()
        self._arm(g.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        g = self.guard
        if g.open.pop(self, 0) != 0 and self._peer and not _is_loopback(self._peer):
            g.per_client[self._peer] -= 1
            if g.per_client[self._peer] <= 0:
                del g.per_client[self._peer]
        super().connection_lost(exc)

    def _displace_one(self) -> bool:
        waiting = [(since, p) for p, since in self.guard.open.items() if since is not None]
        if not waiting:
            return False
        _, oldest = min(waiting, key=lambda w: w[0])
        self.guard.displaced += 1
        self.guard.open[oldest] = None  # counted out now, even before the close completes
        oldest.transport.abort()
        return True

    # ------------------------------------------------------------ deadlines

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.guard.timed_out += 1
            self.transport.abort()

    # ------------------------------------------------------------ request cycle

    def data_received(self, data: bytes) -> None:
        if self.guard.open.get(self) is not None:  # still reading a request head
            self._head_bytes += len(data)
            if self._head_bytes > self.guard.max_header_bytes:
                self.transport.write(_HEADERS_TOO_LARGE)
                self.transport.close()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        if self in self.guard.open:
            self.guard.open[self] = None  # handling a request: never displaced
        self._arm(self.guard.header_timeout)  # for the body
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()  # the application may take its time (a build has its own limit)
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing() or self not in self.guard.open or self.pipeline:
            return
        # Waiting again: for the next request head, keep-alive time included.
        self.guard.open[self] = time.monotonic()
        self._head_bytes = 0
        self._arm(self.timeout_keep_alive + self.guard.header_timeout)
