"""Ingest throughput: articles per second for each stage and overall, next to spaCy's own.

Usage: python benchmarks/ingest_throughput.py [PATH ...]
Without paths it ingests the sample corpus and, where present, ../shared/data/corpora/ukraine2022/.
Each corpus goes into a fresh temporary SQLite store; then the same clean texts are parsed by
spaCy's `nlp.pipe` alone, in the same process, as the baseline. Peak memory is printed too.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from storyline.analyse.nlp import load_pipeline
from storyline.analyse.quantities import find_quantities
from storyline.analyse.quotes import extract_statements
from storyline.analyse.timex import find_times
from storyline.embed import EMBEDDERS, embedding_text, load_embedder
from storyline.model import Article
from storyline.pipeline import Ingestor
from storyline.read import read_paths
from storyline.settings import Settings
from storyline.store import Store

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = [REPO / "examples" / "corpus", REPO.parent / "shared" / "data" / "corpora" / "ukraine2022"]
STAGES = (
    "count lines", "read", "metadata", "clean", "deduplicate", "analyse", "embed", "cluster", "resolve", "claims",
    "store",
)


def measure(path: Path) -> None:
    """Ingest one corpus into a fresh store and print the per-stage rates and spaCy's."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(db_url=f"sqlite:///{folder}/bench.db")
        store = Store(settings.db_url)
        load_pipeline(settings.spacy_candidates())  # loading the model is not ingest work
        ingestor = Ingestor(store, settings)
        started = time.perf_counter()
        ingestor.count_lines(read_paths([path], settings))  # the first pass, as `storyline ingest`
        summary = ingestor.ingest(read_paths([path], settings))
        total = time.perf_counter() - started
        rows = [row for row in store.iter_articles() if (row.lang or "en") == "en"]
        texts = [row.text for row in rows]
        nlp = load_pipeline(settings.spacy_candidates())
        started = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=settings.spacy_batch_size))
        spacy_seconds = time.perf_counter() - started
        stored = [
            Article(id=row.id, title=row.title, text=row.text, origin=row.origin)
            for row in store.iter_articles()
        ]
        embed_seconds = {}
        for name in EMBEDDERS:  # every candidate model, on title and lead and on the title alone
            embedder = load_embedder(name)
            for what, inputs in (
                ("title+lead", [embedding_text(a) for a in stored]),
                ("title", [a.title or a.text[:160] for a in stored]),
            ):
                started = time.perf_counter()
                for start in range(0, len(inputs), settings.batch_size):
                    embedder.embed(inputs[start : start + settings.batch_size])
                embed_seconds[name, what] = time.perf_counter() - started
        extractors = {
            "statements": lambda doc, row: extract_statements(doc),
            "quantities": lambda doc, row: find_quantities(doc),
            "times": lambda doc, row: find_times(row.text, row.date),
        }
        extractor_seconds = {}
        for name, extract in extractors.items():
            started = time.perf_counter()
            for doc, row in zip(docs, rows, strict=True):
                extract(doc, row)
            extractor_seconds[name] = time.perf_counter() - started
        store.close()
    articles = summary.read
    print(f"\n{path}  ({articles} articles read, {summary.added} stored, {len(texts)} parsed)")
    print(f"{'stage':<14}{'seconds':>9}{'articles/s':>12}{'share':>8}")
    for stage in STAGES:
        seconds = ingestor.stage_seconds[stage]
        rate = articles / seconds if seconds else float("inf")
        print(f"{stage:<14}{seconds:>9.2f}{rate:>12.0f}{seconds / total:>8.0%}")
    print(f"{'overall':<14}{total:>9.2f}{articles / total:>12.1f}")
    spacy_rate = len(texts) / spacy_seconds
    print(f"{'spaCy alone':<14}{spacy_seconds:>9.2f}{spacy_rate:>12.1f}")
    print(f"ratio: Storyline ingest runs at {articles / total / spacy_rate:.2f}x spaCy's own parse rate")
    configured = (Settings().embedder_name(), "title+lead")
    if configured in embed_seconds:
        models = spacy_seconds + embed_seconds[configured]
        print(
            f"{'models alone':<14}{models:>9.2f}{len(texts) / models:>12.1f}"
            f"   (spaCy + {configured[0]} on {configured[1]})"
        )
        print(f"ratio: Storyline ingest runs at {models / total:.2f}x the models alone")
    print("\nembedding cost per article, each candidate model (same texts, same run):")
    for (name, what), seconds in embed_seconds.items():
        print(f"  {name:<12}{what:<11}{seconds / max(1, len(stored)) * 1000:>7.1f} ms")
    per_parse = spacy_seconds / len(texts) * 1000
    print(f"\nper article, on the same parsed docs: spaCy parse {per_parse:.1f} ms")
    for name, seconds in extractor_seconds.items():
        ms = seconds / len(texts) * 1000
        print(f"  {name:<12}{ms:>7.2f} ms  ({ms / per_parse:.2f}x the parse)")
    for stage in ("resolve", "claims"):
        ms = ingestor.stage_seconds[stage] / max(1, summary.added) * 1000
        print(f"  {stage:<12}{ms:>7.2f} ms  ({ms / per_parse:.2f}x the parse, whole stage in the ingest)")


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or [p for p in DEFAULT_CORPORA if p.exists()]
    for path in paths:
        measure(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
