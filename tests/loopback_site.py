"""A news site on 127.0.0.1 for the watcher's tests and benchmark: fixture files plus troublemakers.

Files under `tests/fixtures/site/` are served with an ETag and a Last-Modified date, and answer
304 to a request that names either. Some paths misbehave on purpose (see `TROUBLE`): a 500, a
reply slower than any test's read timeout, a redirect loop, a redirect that lands, an image, and
a page of 100 MB streamed lazily one piece at a time. Every request is logged with its headers.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "site"
HUGE_BYTES = 100 * 1024 * 1024
SLOW_SECONDS = 1.5
_PIECE = b"<p>" + b"The tide came in and went out again. " * 1700 + b"</p>\n"  # about 64 KB
_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_LAST_MODIFIED = formatdate(1714982400, usegmt=True)  # 2024-05-06


@dataclass(frozen=True)
class Reply:
    """A canned answer: status, headers, and a body given whole or as pieces made on demand."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    pieces: int = 0  # when set, the body is `_PIECE` this many times, made lazily
    delay: float = 0.0


TROUBLE: dict[str, Reply] = {
    "/feeds/error.xml": Reply(500, body=b"the feed server is down"),
    "/bad/error.html": Reply(500, body=b"the page server is down"),
    "/feeds/slow.xml": Reply(200, {"Content-Type": _TYPES[".rss"]}, b"<rss/>", delay=SLOW_SECONDS),
    "/bad/slow.html": Reply(200, {"Content-Type": _TYPES[".html"]}, b"<p>late</p>", delay=SLOW_SECONDS),
    "/feeds/loop-a.xml": Reply(302, {"Location": "/feeds/loop-b.xml"}),
    "/feeds/loop-b.xml": Reply(302, {"Location": "/feeds/loop-a.xml"}),
    "/bad/loop-a.html": Reply(301, {"Location": "/bad/loop-b.html"}),
    "/bad/loop-b.html": Reply(301, {"Location": "/bad/loop-a.html"}),
    "/moved/tram-line.html": Reply(301, {"Location": "/archive/tram-line-opens.html"}),
    "/feeds/image.png": Reply(200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + bytes(64)),
    "/bad/huge.html": Reply(200, {"Content-Type": _TYPES[".html"]}, pieces=HUGE_BYTES // len(_PIECE)),
}


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    status: int


class LoopbackSite:
    """The site, served from a thread while used as a context manager."""

    def __init__(self, root: Path = FIXTURES) -> None:
        self.root = root
        self.replies: dict[str, Reply] = dict(TROUBLE)
        self.overrides: dict[str, tuple[bytes, str]] = {}  # path -> (body, Last-Modified)
        self.requests: list[Request] = []  # as they arrive
        self.finished: list[str] = []  # paths whose answer is over (sent, or hung up on)
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        """Return the site's root URL, without the final slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on the site."""
        return self.base + path

    def put(self, path: str, body: bytes) -> None:
        """Serve `body` at `path` from now on, modified now (its ETag changes with it)."""
        self.overrides[path] = (body, formatdate(time.time(), usegmt=True))

    def paths(self) -> list[str]:
        """Return the path of every request so far, in order (query strings included)."""
        with self._lock:
            return [request.path for request in self.requests]

    def requests_for(self, path: str) -> list[Request]:
        """Return the requests for one path (query string ignored)."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def log_finished(self, path: str, sent: int) -> None:
        with self._lock:
            self.finished.append(path)
            self.bytes_sent += sent

    def static(self, path: str) -> tuple[bytes, str] | None:
        """Return the body and Last-Modified of a fixture file (or its override), or None."""
        if path in self.overrides:
            return self.overrides[path]
        file = (self.root / path.lstrip("/")).resolve()
        if self.root.resolve() not in file.parents or not file.is_file():
            return None
        return file.read_bytes(), _LAST_MODIFIED


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping does not hold up the end of a test

    def handle_error(self, request, client_address) -> None:
        """Pass over clients that hang up (the watcher does, past its limits); report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(site: LoopbackSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        wbufsize = 64 * 1024  # headers and a small body leave in one segment (no delayed-ACK stall)

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            path = self.path.split("?")[0]
            reply = site.replies.get(path) or _static_reply(site, path, self.headers)
            site.log(Request(self.path, dict(self.headers.items()), reply.status))
            if reply.delay:
                time.sleep(reply.delay)
            sent = 0
            try:
                sent = self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up, as it should past its limit
            finally:
                site.log_finished(path, sent)

        def _send(self, reply: Reply) -> int:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.pieces:
                self.send_header("Connection", "close")  # no length: the body ends with the connection
                self.close_connection = True
                self.end_headers()
                return self._stream(reply.pieces)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return len(reply.body)

        def _stream(self, pieces: int) -> int:
            sent = 0
            for piece in _pieces(pieces):
                self.wfile.write(piece)
                sent += len(piece)
            return sent

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            return  # the tests read `site.requests`, not stderr

    return Handler


def _static_reply(site: LoopbackSite, path: str, headers) -> Reply:
    """Return the fixture at `path` with validators, 304 when the request's validators match it."""
    found = site.static(path)
    if found is None:
        return Reply(404, {"Content-Type": "text/plain"}, b"no such page")
    body, modified = found
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    validators = {"ETag": etag, "Last-Modified": modified}
    if "If-None-Match" in headers:
        unchanged = headers["If-None-Match"] == etag
    else:
        unchanged = headers.get("If-Modified-Since") == modified
    if unchanged:
        return Reply(304, validators)
    content_type = _TYPES.get(Path(path).suffix, "application/octet-stream")
    return Reply(200, {"Content-Type": content_type, **validators}, body)


def _pieces(count: int) -> Iterator[bytes]:
    """Yield the huge page's pieces one at a time (the whole never exists in memory)."""
    yield b"<!DOCTYPE html><html><body><article>\n"
    for _ in range(count):
        yield _PIECE
