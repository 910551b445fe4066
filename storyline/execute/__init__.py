"""Execution engines: run a plain function over a stream of items, results in input order.

One small protocol, `Engine`, and its implementations: `InProcess` (the calling process, one
item at a time), `BackgroundThread` (the calling process, one thread working ahead of the
consumer; the default) and `DaskEngine` (`storyline.execute.dask`: tasks on a Dask distributed
cluster, `pip install storyline[scale]`). The pipeline hands an engine its per-article stages as one
function (`storyline.pipeline.analyse_articles`); the stages know nothing of where they run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Maps a function over a stream of items, somewhere; results come back in input order."""

    @property
    def in_flight(self) -> int:
        """Return how many items may be taken from the input and not yet yielded."""
        ...

    def map_ordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield `function(item)` for each item, in the order of `items`.

        Items are taken from `items` only as work is let in: at most the engine's `in_flight`
        are taken and not yet yielded (back-pressure), so a stream of any length holds bounded
        memory. An exception raised by `function` is raised here. An engine that runs items in
        other processes pickles `function`, each item and each result.
        """
        ...

    def close(self) -> None:
        """Release what the engine holds (processes, connections)."""
        ...


class InProcess:
    """Runs each item in the calling process when its result is asked for: no look-ahead.

    A consumer that acts on each result before asking for the next one alternates with the
    producer of items exactly as a plain loop over them would.
    """

    in_flight = 1

    def map_ordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield `function(item)` for each item, computed here, one at a time."""
        for item in items:
            yield function(item)

    def close(self) -> None:
        """Nothing to release."""


class BackgroundThread:
    """Runs the items in one background thread of this process, ahead of the consumer.

    Items are taken from the input in the calling thread (so whatever produces them, a store
    read included, stays in that thread) and run in the background thread up to `in_flight`
    ahead: while the consumer acts on one result, the next ones are being computed. Work that
    runs outside the GIL there (the models' C code) overlaps the consumer's Python; on one core
    it costs no more than `InProcess`.
    """

    def __init__(self, in_flight: int = 4) -> None:
        self.in_flight = in_flight

    def map_ordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield `function(item)` for each item, computed in the background thread, in order."""
        pool = ThreadPoolExecutor(1, thread_name_prefix="storyline-engine")
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) >= self.in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Nothing to release: each `map_ordered` stops its own thread."""


class EngineError(RuntimeError):
    """The engine asked for cannot be opened (Dask not installed, contradictory options)."""


def open_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """Return the engine asked for: `workers` local Dask processes, the Dask cluster whose
    scheduler is at `scheduler` (tcp://HOST:PORT), or, given neither, this process
    (`BackgroundThread`).

    Raise `EngineError`, naming the extra that brings Dask, where Dask is not installed.
    """
    if workers is None and scheduler is None:
        return BackgroundThread()
    if workers is not None and scheduler is not None:
        raise EngineError("give --workers (a new local cluster) or --scheduler (a running one), not both")
    if workers is not None and workers < 1:
        raise EngineError(f"--workers must be at least 1, not {workers}")
    try:
        from storyline.execute.dask import DaskEngine
    except ImportError as error:
        raise EngineError(
            f"--workers and --scheduler run on Dask, which is not installed ({error}); "
            "install it with: pip install 'storyline[scale]'"
        ) from error
    if not scheduler:
        return DaskEngine.local(workers)
    try:
        return DaskEngine.connect(scheduler)
    except OSError as error:  # refused, unknown host, or no answer within Dask's connect timeout
        raise EngineError(f"no Dask scheduler answers at {scheduler}: {error}") from error
