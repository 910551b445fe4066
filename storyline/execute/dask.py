"""The Dask engine: each item runs as a task on a Dask distributed cluster (`storyline[scale]`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from distributed import Client, Future, LocalCluster

T = TypeVar("T")
R = TypeVar("R")

# One thread per worker process, and one inside it for the numeric libraries (the embedder's
# OpenMP, BLAS), so N workers use N cores, not N times every core.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Tasks let in per worker thread: one running, the rest queued so no worker waits for the next.
TASKS_PER_THREAD = 4
# Tries at a running cluster's handshake: on a loaded machine the scheduler can send its
# "stream-start" reply batched with other messages, and the client's check of that reply
# (`assert len(msg) == 1` in distributed's `Client._ensure_connected`) fails; a new try succeeds.
CONNECT_TRIES = 3


class DaskEngine:
    """Runs each item as a task on a Dask cluster; results in input order, few in flight.

    At most `in_flight` items (default `TASKS_PER_THREAD` per worker thread) are submitted and
    not yet yielded. A worker that dies (killed, out of memory) loses its tasks; the scheduler
    runs them again on another worker, up to `distributed.scheduler.allowed-failures` times (3
    by default), then the item fails with `KilledWorker`. Each item travels pickled to a worker
    and its result back: cost per task, so items should hold many articles, not one.
    """

    def __init__(
        self, client: Client, in_flight: int | None = None, cluster: LocalCluster | None = None
    ) -> None:
        self.client = client
        self._in_flight = in_flight
        self._cluster = cluster

    @classmethod
    def local(cls, workers: int, in_flight: int | None = None) -> DaskEngine:
        """Return an engine over a new cluster of `workers` processes here, one thread each."""
        cluster = LocalCluster(  # its web server on a free loopback port: never in another's way
            n_workers=workers, threads_per_worker=1, processes=True, env=ONE_THREAD,
            dashboard_address="127.0.0.1:0",
        )
        return cls(Client(cluster), in_flight, cluster)

    @classmethod
    def connect(cls, address: str, in_flight: int | None = None) -> DaskEngine:
        """Return an engine over the running cluster whose scheduler is at `address`.

        Its workers are started by whoever runs the cluster (`dask worker ADDRESS --nthreads 1`;
        Dask's nanny sets OMP_NUM_THREADS=1 itself), with storyline and its models installed.
        """
        for _ in range(CONNECT_TRIES - 1):
            try:
                return cls(Client(address), in_flight)
            except AssertionError:
                continue
        return cls(Client(address), in_flight)

    @property
    def in_flight(self) -> int:
        """Return how many items may be submitted and not yet yielded."""
        threads = sum(self.client.nthreads().values())
        return self._in_flight or TASKS_PER_THREAD * max(1, threads)

    def map_ordered(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Yield `function(item)` for each item, computed on the cluster, in input order."""
        limit = self.in_flight
        pending: deque[Future] = deque()
        try:
            for item in items:
                pending.append(self.client.submit(function, item, pure=False))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        """Close the client and, where this engine started it, the local cluster."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
