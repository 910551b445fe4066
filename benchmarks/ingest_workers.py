"""Ingest on Dask workers against one process: seconds, articles/s, the ratio, same stores or not.

Usage: python benchmarks/ingest_workers.py [--workers N] [--limit N] [PATH ...]
Without paths it ingests the sample corpus and, where present, ../shared/data/corpora/ukraine2022/.
Each corpus is ingested twice in this run, into fresh temporary SQLite stores, as `storyline
ingest` does (the first pass that counts lines, then the batches): once in this process with
the default threads (the embedder's OpenMP may use every core), once with `--workers N` (a
LocalCluster of N processes, one thread each, OMP_NUM_THREADS=1). Models are loaded before the
clock starts in both (the cluster's start and its workers' model loading are printed apart).
Then the two stores are compared table by table (tests/store_snapshot.py).

Besides wall time it prints CPU seconds: in one process, CPU/wall above 1 means the models
already used more than one core; with workers, the client's CPU seconds are the in-order stages
(clean, cluster, resolve, claims, store) that no worker can take, and bound the speed-up:
wall >= max(client CPU, all CPU / cores). The load average before and after says how busy the
machine was; figures taken on a busy machine are noise.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from storyline.analyse.nlp import load_pipeline, parsed_languages
from storyline.embed import load_embedder
from storyline.execute import Engine, InProcess
from storyline.execute.dask import DaskEngine
from storyline.pipeline import Ingestor, IngestSummary
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.store_snapshot import differences, snapshot  # noqa: E402

DEFAULT_CORPORA = [REPO / "examples" / "corpus", REPO.parent / "shared" / "data" / "corpora" / "ukraine2022"]
CLIENT_STAGES = ("count lines", "read", "metadata", "clean", "cluster", "resolve", "claims", "store")


def load_models(settings: Settings) -> None:
    """Load every model an ingest uses (spaCy per installed language, the embedder)."""
    for lang in parsed_languages(settings):
        load_pipeline(settings.language_pipelines()[lang])
    load_embedder(settings.embedder_name())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest(path: Path, limit: int | None, engine: Engine, folder: str, name: str):
    """Ingest `path` (its first `limit` results) as `storyline ingest` does; return what it took."""
    settings = Settings(db_url=f"sqlite:///{folder}/{name}.db")
    store = Store(settings.db_url)
    ingestor = Ingestor(store, settings, engine)
    started, cpu = time.perf_counter(), cpu_seconds()
    ingestor.count_lines(islice(read_paths([path], settings), limit))
    summary = ingestor.ingest(islice(read_paths([path], settings), limit))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    stored = snapshot(store)
    store.close()
    return summary, seconds, cpu, ingestor.stage_seconds, stored


def worker_cpu(engine: DaskEngine) -> float:
    return sum(engine.client.run(cpu_seconds).values())


def measure(path: Path, workers: int, limit: int | None) -> None:
    settings = Settings()
    # Starting a LocalCluster sets OMP_NUM_THREADS=1 in this process too: read it before.
    threads = os.environ.get("OMP_NUM_THREADS", "unset: every core")
    print(f"\n{path}" + (f" (first {limit} results)" if limit else ""))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} cores")
    load_models(settings)
    with tempfile.TemporaryDirectory() as folder:
        summary, one_s, one_cpu, _, one = ingest(path, limit, InProcess(), folder, "one")
        started = time.perf_counter()
        engine = DaskEngine.local(workers)
        start_s = time.perf_counter() - started
        started = time.perf_counter()
        engine.client.run(load_models, settings)
        warm_s = time.perf_counter() - started
        try:
            before = worker_cpu(engine)
            _, many_s, client_cpu, stages, many = ingest(path, limit, engine, folder, "many")
            workers_cpu = worker_cpu(engine) - before
        finally:
            engine.close()
    report(summary, threads, (one_s, one_cpu), (many_s, client_cpu, workers_cpu), stages, workers)
    print("stores identical: " + ("yes" if not (differ := differences(one, many)) else "NO\n  " + "\n  ".join(differ)))
    print(f"(cluster start {start_s:.1f} s and model loading on the workers {warm_s:.1f} s not counted)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def report(summary: IngestSummary, threads: str, one: tuple, many: tuple, stages, workers: int) -> None:
    """Print the two runs' seconds, rates and CPU seconds, the ratio and what bounds it."""
    (one_s, one_cpu), (many_s, client_cpu, workers_cpu) = one, many
    n = summary.read
    print(f"{n} articles read, {summary.added} stored")
    print(f"{'run':<38}{'seconds':>9}{'articles/s':>12}{'CPU s':>9}")
    print(f"{'one process (OMP ' + threads + ')':<38}{one_s:>9.1f}{n / one_s:>12.2f}{one_cpu:>9.1f}"
          f"   CPU/wall {one_cpu / one_s:.2f}")
    print(f"{f'--workers {workers}':<38}{many_s:>9.1f}{n / many_s:>12.2f}{client_cpu + workers_cpu:>9.1f}"
          f"   client {client_cpu:.1f} + workers {workers_cpu:.1f}")
    print(f"ratio, --workers {workers} / one process: {one_s / many_s:.2f}x")
    cores = min(os.cpu_count() or 1, workers + 1)
    bound = max(client_cpu, (client_cpu + workers_cpu) / cores)
    print(f"bound on this machine: wall >= {bound:.1f} s, so at most {one_s / bound:.2f}x")
    client = ", ".join(f"{s} {stages[s]:.1f}" for s in CLIENT_STAGES if stages[s] >= 0.05)
    print(f"in-order stages in the client (s): {client}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="ingest only the first N results")
    args = parser.parse_args(argv)
    for path in args.paths or [p for p in DEFAULT_CORPORA if p.exists()]:
        measure(path, args.workers, args.limit)
    print(f"\nclient peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
