"""robots.txt, read with protego (RFC 9309: longest match wins, `*` and `$` wildcards).

One robots.txt per scheme, host and port, fetched through the watcher's own client the first
time a URL there is asked for, kept for `ttl` seconds. As RFC 9309 says: a 4xx answer (404 most
often) means every path is allowed; a 5xx answer, a time-out or a broken connection means none is,
until the next poll tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from storyline.fetch import FetchResult

ROBOTS_TTL_SECONDS = 24 * 3600.0  # RFC 9309 asks crawlers not to keep a robots.txt longer


@dataclass(frozen=True)
class Refusal:
    """Why robots.txt keeps a URL from being fetched, and whether that may change soon."""

    reason: str
    transient: bool


_ALLOW_ALL = Protego.parse("")


class RobotsRules:
    """Answers whether the user agent may fetch a URL, one robots.txt download per site."""

    def __init__(
        self,
        download: Callable[[str], FetchResult],
        user_agent: str,
        ttl: float = ROBOTS_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._download = download
        self.user_agent = user_agent
        self.ttl = ttl
        self._clock = clock
        self._rules: dict[str, tuple[float, Protego]] = {}  # site -> (fetched at, rules)
        self._failures: dict[str, str] = {}  # site -> why its robots.txt could not be had

    def forget_failures(self) -> None:
        """Let robots.txt files that could not be fetched be asked for again."""
        self._failures.clear()

    def refusal(self, url: str) -> Refusal | None:
        """Return why `url` may not be fetched, or None when robots.txt allows it."""
        site = _site(url)
        if site in self._failures:
            return Refusal(self._failures[site], transient=True)
        cached = self._rules.get(site)
        if cached is None or self._clock() - cached[0] > self.ttl:
            rules = self._fetch_rules(site)
            if rules is None:
                return Refusal(self._failures[site], transient=True)
            cached = self._rules[site] = (self._clock(), rules)
        if cached[1].can_fetch(url, self.user_agent):
            return None
        return Refusal("blocked by robots.txt", transient=False)

    def _fetch_rules(self, site: str) -> Protego | None:
        """Return the site's rules, or None (with the reason kept) when they cannot be had."""
        result = self._download(f"{site}/robots.txt")
        if result.ok:
            return Protego.parse(result.body.decode("utf-8", errors="replace"))
        if result.status is not None and 400 <= result.status < 500:
            return _ALLOW_ALL
        self._failures[site] = f"robots.txt unavailable ({result.error}); not fetched this poll"
        return None


def _site(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
