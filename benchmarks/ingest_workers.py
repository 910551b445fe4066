"""Ingest on Dask workers against one process: seconds, articles/s, the ratio, same stores or not.

Usage: python benchmarks/ingest_workers.py [--workers N] [--limit N] [PATH ...]
Without paths it ingests the sample corpus and, where present, ../shared/data/corpora/ukraine2022/.
Each corpus is ingested twice in this run, into fresh temporary SQLite stores, as `storyline
ingest` does (the first pass that counts lines, then the batches): once in this process as
`storyline ingest` runs without `--workers` (the default engine: a background thread analyses
ahead of the in-order stages, the embedder beside the parse, its OpenMP on every core unless
OMP_NUM_THREADS says otherwise), then with `--workers N` (a LocalCluster of N processes, one
thread each, OMP_NUM_THREADS=1). Give one corpus per run: a LocalCluster leaves
OMP_NUM_THREADS=1 in this process. Models are loaded before the clock starts in both; the cluster's start and
its workers' model loading are printed apart. The two stores are then compared table by table
(tests/store_snapshot.py).

Besides wall time it prints CPU seconds. In one process, CPU/wall above 1 means the models
already used more than one core. With workers, the client's CPU seconds are the stages no
worker can take (reading, cleaning, then near-duplicates, clustering, resolution, claims and
the store, in order), and bound the speed-up: wall >= max(client CPU, all CPU / cores). The
load average before and after says how busy the machine was: on a busy machine the seconds are
noise, the CPU seconds much less so.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from storyline.analyse.nlp import load_pipeline, parsed_languages
from storyline.embed import load_embedder
from storyline.execute import BackgroundThread, Engine
from storyline.execute.dask import DaskEngine
from storyline.pipeline import Ingestor
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.store_snapshot import differences, snapshot  # noqa: E402

DEFAULT_CORPORA = [REPO / "examples" / "corpus", REPO.parent / "shared" / "data" / "corpora" / "ukraine2022"]
# (stage, where it runs with workers)
STAGES = (
    ("count lines", "client"), ("read", "client"), ("metadata", "client"), ("clean", "client"),
    ("deduplicate", "both"), ("analyse", "workers"), ("embed", "workers"), ("cluster", "client"),
    ("resolve", "client"), ("claims", "client"), ("store", "client"),
)


@dataclass
class Run:
    """One ingest of a corpus: what it read and stored, and what it cost."""

    read: int
    stored: int
    seconds: float
    client_cpu: float
    workers_cpu: float
    stages: Counter[str]
    snapshot: dict


def load_models(settings: Settings) -> None:
    """Load every model an ingest uses (spaCy per installed language, the embedder)."""
    for lang in parsed_languages(settings):
        load_pipeline(settings.language_pipelines()[lang])
    load_embedder(settings.embedder_name())


def cpu_seconds() -> float:
    """Return the CPU seconds (user and system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest(path: Path, limit: int | None, engine: Engine, db: str) -> Run:
    """Ingest `path` (its first `limit` results) as `storyline ingest` does, into `db`."""
    settings = Settings(db_url=db)
    store = Store(db)
    ingestor = Ingestor(store, settings, engine)
    on_workers = isinstance(engine, DaskEngine)
    workers_before = sum(engine.client.run(cpu_seconds).values()) if on_workers else 0.0
    started, cpu = time.perf_counter(), cpu_seconds()
    ingestor.count_lines(islice(read_paths([path], settings), limit))
    summary = ingestor.ingest(islice(read_paths([path], settings), limit))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    workers_cpu = sum(engine.client.run(cpu_seconds).values()) - workers_before if on_workers else 0.0
    stored = snapshot(store)
    store.close()
    return Run(summary.read, summary.added, seconds, cpu, workers_cpu, ingestor.stage_seconds, stored)


def measure(path: Path, workers: int, limit: int | None) -> None:
    """Ingest one corpus in one process, then on `workers` Dask workers, and print both."""
    settings = Settings()
    # Starting a LocalCluster sets OMP_NUM_THREADS=1 in this process too: read it first.
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(f"\n{path}" + (f" (first {limit} results)" if limit else ""))
    print(f"load average before: {_load()}; {os.cpu_count()} cores")
    load_models(settings)
    with tempfile.TemporaryDirectory() as folder:
        one = ingest(path, limit, BackgroundThread(), f"sqlite:///{folder}/one.db")
        started = time.perf_counter()
        engine = DaskEngine.local(workers)
        start_seconds = time.perf_counter() - started
        engine.client.run(load_models, settings)
        warm_seconds = time.perf_counter() - started - start_seconds
        try:
            many = ingest(path, limit, engine, f"sqlite:///{folder}/many.db")
        finally:
            engine.close()
    print(f"load average after: {_load()}")
    print(f"{one.read} articles read, {one.stored} stored")
    print(f"{'run':<38}{'seconds':>9}{'articles/s':>12}{'CPU s':>9}")
    print(f"{f'one process (OMP_NUM_THREADS={threads})':<38}{one.seconds:>9.1f}"
          f"{one.read / one.seconds:>12.2f}{one.client_cpu:>9.1f}   CPU/wall {one.client_cpu / one.seconds:.2f}")
    print(f"{f'--workers {workers}':<38}{many.seconds:>9.1f}{many.read / many.seconds:>12.2f}"
          f"{many.client_cpu + many.workers_cpu:>9.1f}   client {many.client_cpu:.1f}"
          f" + workers {many.workers_cpu:.1f}")
    print(f"ratio, --workers {workers} / one process: {one.seconds / many.seconds:.2f}x"
          f" ({one.seconds / (many.seconds + start_seconds + warm_seconds):.2f}x counting the"
          " cluster's start and its model loading)")
    cores = min(os.cpu_count() or 1, workers + 1)
    bound = max(many.client_cpu, (many.client_cpu + many.workers_cpu) / cores)
    print(f"bound from CPU seconds: wall >= {bound:.1f} s, so at most {one.seconds / bound:.2f}x here;"
          f" one process already used {one.client_cpu / one.seconds:.2f} cores, so on a quiet"
          f" machine {cores} cores give at most {cores * one.seconds / one.client_cpu:.2f}x")
    differ = differences(one.snapshot, many.snapshot)
    print("stores identical: " + ("yes" if not differ else "NO\n  " + "\n  ".join(differ)))
    print(f"(not counted: cluster start {start_seconds:.1f} s, model loading on the workers {warm_seconds:.1f} s)")
    print(f"{'stage seconds':<16}{'one process':>12}{f'--workers {workers}':>14}   (runs in)")
    for stage, where in STAGES:
        print(f"  {stage:<14}{one.stages[stage]:>12.1f}{many.stages[stage]:>14.1f}   {where}")
    print("  (stages on workers: seconds summed over the workers)")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="ingest only the first N results")
    args = parser.parse_args(argv)
    for path in args.paths or [p for p in DEFAULT_CORPORA if p.exists()]:
        measure(path, args.workers, args.limit)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of this process (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
