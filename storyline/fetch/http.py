"""The `Fetcher` over httpx: conditional GETs, robots.txt, pacing, retries, size and type checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import httpx

from storyline.fetch import NO_VALIDATORS, FetchResult, Kind, Validators
from storyline.fetch.pacing import HostPacer
from storyline.fetch.robots import RobotsRules
from storyline.settings import Settings

_NOUNS = {"feed": "a feed", "page": "a web page"}
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class HttpFetcher:
    """Fetches over one httpx client (connections kept alive), one request at a time.

    Before each request: robots.txt of the site (see `RobotsRules`) and the per-host delay.
    Redirects are followed by hand, so each hop is paced and checked against robots.txt, up to
    `watch_max_redirects`. Time-outs, broken connections, 5xx and 429 are tried again
    `watch_retries` times, waiting `watch_backoff_seconds`, then twice that, and so on. A body is
    read in pieces and abandoned past `watch_max_bytes` (memory stays under that plus one piece)
    or past `watch_response_seconds`.
    """

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._client = httpx.Client(
            headers={"User-Agent": settings.watch_user_agent},
            timeout=httpx.Timeout(settings.watch_read_timeout, connect=settings.watch_connect_timeout),
            follow_redirects=False,
            transport=transport,
        )
        self._pacer = HostPacer(settings.watch_host_delay, clock, sleep)
        self._robots = RobotsRules(
            lambda url: self._follow(url, NO_VALIDATORS, None, robots=False),
            settings.watch_user_agent,
            clock=clock,
        )
        self._clock = clock
        self._sleep = sleep

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def begin_poll(self) -> None:
        """Start a new round: sites whose robots.txt could not be had are asked again."""
        self._robots.forget_failures()

    def get(self, url: str, validators: Validators = NO_VALIDATORS, kind: Kind = "page") -> FetchResult:
        """Return the answer to a GET of `url`, redirects followed; never raises."""
        return self._follow(url, validators, kind, robots=True)

    def _follow(
        self, url: str, validators: Validators, kind: Kind | None, robots: bool
    ) -> FetchResult:
        """Return the answer at the end of `url`'s redirects (robots.txt checked at each hop)."""
        current, visited = url, {url}
        for hops in range(self.settings.watch_max_redirects + 1):
            if robots and (refusal := self._robots.refusal(current)):
                return FetchResult(
                    url, current, None, error=refusal.reason, transient=refusal.transient
                )
            result = self._retrying(url, current, validators, kind)
            location = dict(result.headers).get("location") if _is_redirect(result) else None
            if location is None:
                return result
            current = urljoin(current, location.strip())
            if urlsplit(current).scheme not in ("http", "https"):
                return replace(result, final_url=current, error="redirect to a non-HTTP URL")
            if current in visited:
                return replace(result, final_url=current, error=f"redirect loop after {hops + 1} hops")
            visited.add(current)
        limit = self.settings.watch_max_redirects
        return replace(result, final_url=current, error=f"more than {limit} redirects")

    def _retrying(
        self, url: str, current: str, validators: Validators, kind: Kind | None
    ) -> FetchResult:
        """Return the first answer that is not a passing failure, or the last of the tries."""
        tries = self.settings.watch_retries + 1
        for attempt in range(tries):
            if attempt:
                self._sleep(self.settings.watch_backoff_seconds * 2 ** (attempt - 1))
            result = self._once(url, current, validators, kind)
            if not result.transient:
                return result
        if tries == 1:
            return result
        return replace(result, error=f"{result.error} after {tries} tries")

    def _once(
        self, url: str, current: str, validators: Validators, kind: Kind | None
    ) -> FetchResult:
        """Return the answer to one GET of `current`, read within the limits."""
        self._pacer.wait(urlsplit(current).netloc)
        started = self._clock()

        def failure(reason: str, transient: bool) -> FetchResult:
            return FetchResult(url, current, None, error=reason, transient=transient)

        try:
            with self._client.stream("GET", current, headers=validators.request_headers()) as response:
                return self._read(url, response, validators, kind, started)
        except httpx.UnsupportedProtocol:
            return failure("not an HTTP URL", transient=False)
        except httpx.InvalidURL as error:
            return failure(f"invalid URL: {error}", transient=False)
        except httpx.ConnectTimeout:
            return failure(f"no connection within {self.settings.watch_connect_timeout:g} s", True)
        except httpx.TimeoutException:
            return failure(f"timed out (no data for {self.settings.watch_read_timeout:g} s)", True)
        except httpx.DecodingError as error:
            return failure(f"response could not be decoded: {error}", transient=False)
        except httpx.TransportError as error:
            return failure(f"connection failed: {error or type(error).__name__}", transient=True)

    def _read(
        self,
        url: str,
        response: httpx.Response,
        validators: Validators,
        kind: Kind | None,
        started: float,
    ) -> FetchResult:
        """Return the response as a result, its body read in pieces up to the limits."""
        status = response.status_code
        fresh = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        if status == 304:  # may repeat the validators, or not: the old ones still hold
            fresh = Validators(
                fresh.etag or validators.etag, fresh.last_modified or validators.last_modified
            )
        result = FetchResult(
            url,
            str(response.url),
            status,
            content_type=response.headers.get("content-type", ""),
            headers=tuple(response.headers.multi_items()),
            validators=fresh,
        )
        if status == 304 or _is_redirect(result):
            return result
        if status >= 400:
            return replace(result, error=f"HTTP {status}", transient=status >= 500 or status in (408, 429))
        media = result.content_type.split(";")[0].strip().lower()
        if kind is not None and media and not _accepts(kind, media):
            return replace(result, error=f"content type {media} is not {_NOUNS[kind]}")
        limit = self.settings.watch_max_bytes
        too_large = replace(result, error=f"response larger than {_megabytes(limit)} limit")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return too_large
        body = bytearray()
        for piece in response.iter_bytes():
            body += piece
            if len(body) > limit:
                return too_large
            if self._clock() - started > self.settings.watch_response_seconds:
                seconds = self.settings.watch_response_seconds
                return replace(result, error=f"response took over {seconds:g} s", transient=True)
        return replace(result, body=bytes(body))


def _is_redirect(result: FetchResult) -> bool:
    return result.status in (301, 302, 303, 307, 308)


def _accepts(kind: Kind, media: str) -> bool:
    """Return whether a response of this media type can be a feed or page, as `kind` asks."""
    if kind == "page":
        return media in _PAGE_TYPES
    if media == "text/html":
        return False
    return media.startswith("text/") or any(word in media for word in ("xml", "rss", "atom"))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"
