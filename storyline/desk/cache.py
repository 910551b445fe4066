"""A response cache for the desk's pages and API reads, invalidated whenever the store changes.

The desk is read-mostly: many readers, occasional ingests. A GET without credentials whose
answer was 200 is kept, keyed by its path and query, together with the store's version (bumped
by every write); it is served again until the version moves on. Costs one small query per request
(the version) and at most `max_entries` responses of at most `max_bytes` each in memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHE_HEADER = b"x-storyline-cache"


class ResponseCache:
    """ASGI middleware: replays stored GET responses while the store's version is unchanged."""

    def __init__(
        self,
        app: ASGIApp,
        version: Callable[[], int],
        max_entries: int = 1024,
        max_bytes: int = 1_000_000,
    ) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[bytes, tuple[int, Message, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or _has_credentials(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        version = self.version()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
        if entry is not None and entry[0] == version:
            _, start, body = entry
            await send({**start, "headers": [*start["headers"], (CACHE_HEADER, b"hit")]})
            await send({"type": "http.response.body", "body": body})
            return
        captured: list[Message] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.append(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if captured and captured[0]["status"] == 200 and len(body) <= self.max_bytes:
            with self._lock:
                self._entries[key] = (version, captured[0], body)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)


def _has_credentials(scope: Scope) -> bool:
    return any(name in (b"authorization", b"cookie") for name, _ in scope["headers"])
