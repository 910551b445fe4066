"""Per-host pacing: at least `delay` seconds between two requests to the same host."""

from __future__ import annotations

import time
from collections.abc import Callable


class HostPacer:
    """Waits, before each request, until the host's last request is `delay` seconds old.

    Costs one dictionary entry per host seen; a `delay` of 0 never waits.
    """

    def __init__(
        self,
        delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str) -> None:
        """Return once a request to `host` is allowed, and count it as made now."""
        if self.delay <= 0:
            return
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last[host] = self._clock()
