"""Published files answered from memory: the full response the app gave, replayed while the file
and the manifest are unchanged."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exporter.output import MANIFEST

#: Only files this size or smaller are kept in memory (pages, books, Word files); larger ones
#: (the audio) go through the app each time, which streams them.
MAX_BODY = 4 << 20
#: How much memory the kept responses may use in all, and how many may be kept (a HEAD
#: answer has no body, and the Host header is part of the key: both bound the memory).
MAX_TOTAL = 64 << 20
MAX_ENTRIES = 2048
#: Request headers that change the answer (a part, a conditional answer) or carry a body:
#: such a request always goes to the app.
VARYING = frozenset({b"range", b"if-range", b"if-none-match", b"if-modified-since", b"if-match",
                     b"if-unmodified-since", b"content-length", b"transfer-encoding"})

#: (modification time in ns, size, inode) of a file: a file replaced or rewritten differs.
Identity = tuple[int, int, int]


@dataclass(frozen=True)
class _Kept:
    start: Message
    body: bytes
    file: Identity
    manifest: Identity


@dataclass
class StaticCache:
    """ASGI middleware in front of the service: a GET or HEAD of ``/files/<name>`` without
    conditions or Range is answered with the bytes and headers the app sent last time for
    the same address, method and Host, as long as the file and the manifest have not changed
    (two ``stat`` calls). Anything else, and every first request, goes to the app, so every
    rule it applies (listing, Host, headers) still decides the answer.

    Why: the app reads the manifest and opens the file in a worker thread for every request
    (~600 requests a second on this machine); a replay costs a few microseconds.
    """

    app: ASGIApp
    out_dir: Path
    prefix: str = "/files/"
    kept: dict[tuple[str, str, bytes], _Kept] = field(default_factory=dict)
    total: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        # Plain strings, not Path objects: this runs for every request and costs microseconds.
        file = f"{self.out_dir}/{key[1][len(self.prefix):]}"
        manifest = f"{self.out_dir}/{MANIFEST}"
        now = _identity(file), _identity(manifest)
        hit = self.kept.get(key)
        if hit is not None and (hit.file, hit.manifest) == now:
            await send(hit.start)
            await send({"type": "http.response.body", "body": hit.body})
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
            await send(message)

        await self.app(scope, receive, keep)
        if start is None or start.get("status") != 200 or None in now:
            return
        body = b"".join(chunks)
        if len(body) > MAX_BODY or now != (_identity(file), _identity(manifest)):
            return  # too big to keep, or changed while being sent
        old = self.kept.pop(key, None)
        self.total -= len(old.body) if old else 0
        if self.total + len(body) > MAX_TOTAL or len(self.kept) >= MAX_ENTRIES:
            self.kept.clear()
            self.total = 0
        self.kept[key] = _Kept(start, body, now[0], now[1])  # type: ignore[arg-type]
        self.total += len(body)

    def _key(self, scope: Scope) -> tuple[str, str, bytes] | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        path = scope["path"]
        if not path.startswith(self.prefix) or scope.get("query_string") or "\0" in path:
            return None
        host = b""
        for name, value in scope["headers"]:
            if name in VARYING:
                return None
            if name == b"host":
                host = value
        return scope["method"], path, host


def _identity(path: str) -> Identity | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino
