"""Fetching news over HTTP: one `Fetcher` protocol, what a fetch gives back, and the watcher.

A fetch never raises for anything the network or a server does: it gives back a `FetchResult`
whose `error` says, in one line, why there is no usable body (`HTTP 404`, `redirect loop after
2 hops`, `response larger than 10 MB limit`, `blocked by robots.txt`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

Kind = Literal["feed", "page"]  # what the caller expects: decides the content types accepted


@dataclass(frozen=True)
class Validators:
    """What a server said identifies its last answer, for a conditional GET next time."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        """Return the If-None-Match and If-Modified-Since headers these validators call for."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


NO_VALIDATORS = Validators()


@dataclass(frozen=True)
class FetchResult:
    """The answer to one GET, redirects followed: a body, "unchanged" (304), or why neither."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int | None  # HTTP status of the last response; None when none came
    body: bytes = b""
    content_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # of the last response, as sent
    validators: Validators = NO_VALIDATORS
    error: str | None = None
    transient: bool = False  # the failure may pass by itself (time-out, 5xx): ask again next poll
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def unchanged(self) -> bool:
        """Return whether the server said the resource has not changed since the validators."""
        return self.error is None and self.status == 304

    @property
    def ok(self) -> bool:
        """Return whether there is a body to use."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


class Fetcher(Protocol):
    """Gets feeds and pages over the network, politely (robots.txt, per-host pacing)."""

    def begin_poll(self) -> None:
        """Start a new round of requests: what failed in the last one may be tried again."""
        ...

    def get(self, url: str, validators: Validators = NO_VALIDATORS, kind: Kind = "page") -> FetchResult:
        """Return the answer to a GET of `url`, conditional on `validators`; never raises."""
        ...


__all__ = ["NO_VALIDATORS", "FetchResult", "Fetcher", "Kind", "Validators"]
