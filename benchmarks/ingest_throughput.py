"""Ingest throughput: the whole ingest against the models alone, per stage, in one process.

Usage: python benchmarks/ingest_throughput.py [PATH ...]
Without paths it ingests the sample corpus and, where present, ../shared/data/corpora/ukraine2022/.
Each corpus goes into a fresh temporary SQLite store, as `storyline ingest` does (first pass
included). Then, in the same process, the models the ingest needs run alone on the same stored
texts: each language's spaCy pipeline (the very pipeline the ingest loads, same components) on
the texts of that language, and the embedder on what the ingest embeds (title and lead). Every
model is loaded before anything is timed, and its load time is printed apart. The ratio is
models-alone seconds over whole-ingest seconds (1.0: nothing but the models). Peak memory too.

The ingest embeds in a thread beside the parse (`analyse_articles`), so its "embed" seconds
overlap its "analyse" ones, and it may keep more cores busy than the models run one after the
other. CPU seconds, every thread counted, are printed for both sides: their difference is what
the stages beyond the models cost, whatever overlaps.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from storyline.analyse import STATEMENT_LANGUAGES
from storyline.analyse.frames import frame_article
from storyline.analyse.nlp import language_pipeline, parsed_languages
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


def load_models(settings: Settings) -> dict[str, float]:
    """Load every spaCy pipeline the ingest may use and the embedder; return seconds per model."""
    seconds = {}
    for lang in sorted(parsed_languages(settings)):
        started = time.perf_counter()
        language_pipeline(settings, lang, lang not in STATEMENT_LANGUAGES)
        seconds[f"spaCy {lang}"] = time.perf_counter() - started
    started = time.perf_counter()
    load_embedder(settings.embedder_name())
    seconds[settings.embedder_name()] = time.perf_counter() - started
    return seconds


def measure(path: Path, loads: dict[str, float]) -> None:
    """Ingest one corpus into a fresh store; print per-stage costs and the models alone on its texts."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(db_url=f"sqlite:///{folder}/bench.db")
        store = Store(settings.db_url)
        ingestor = Ingestor(store, settings)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        ingestor.count_lines(read_paths([path], settings))  # the first pass, as `storyline ingest`
        summary = ingestor.ingest(read_paths([path], settings))
        total, total_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        stored = [
            Article(id=row.id, title=row.title, text=row.text, origin=row.origin, date=row.date, lang=row.lang)
            for row in store.iter_articles()
        ]
        store.close()
    parsed = parsed_languages(settings)
    by_language: dict[str, list[Article]] = defaultdict(list)
    for article in stored:
        if (article.lang or "en") in parsed:
            by_language[article.lang or "en"].append(article)
    spacy_seconds, docs = {}, {}
    spacy_cpu = cpu_seconds()
    for lang, articles in sorted(by_language.items()):
        nlp = language_pipeline(settings, lang, lang not in STATEMENT_LANGUAGES)
        started = time.perf_counter()
        docs[lang] = list(nlp.pipe([a.text for a in articles], batch_size=settings.spacy_batch_size))
        spacy_seconds[lang] = time.perf_counter() - started
    spacy_cpu = cpu_seconds() - spacy_cpu
    embed_seconds, embed_cpu = {}, {}
    for name in EMBEDDERS:  # every candidate model, on title and lead and on the title alone
        embedder = load_embedder(name)
        for what, inputs in (
            ("title+lead", [embedding_text(a) for a in stored]),
            ("title", [a.title or a.text[:160] for a in stored]),
        ):
            started, cpu_started = time.perf_counter(), cpu_seconds()
            for start in range(0, len(inputs), settings.batch_size):
                embedder.embed(inputs[start : start + settings.batch_size])
            embed_seconds[name, what] = time.perf_counter() - started
            embed_cpu[name, what] = cpu_seconds() - cpu_started
    english = by_language.get("en", [])
    extractor_seconds = _time_extractors(english, docs.get("en", []), settings)

    articles = summary.read
    print(f"\n{path}  ({articles} articles read, {summary.added} stored, "
          + ", ".join(f"{len(a)} parsed {lang}" for lang, a in sorted(by_language.items())) + ")")
    print(f"{'stage':<14}{'seconds':>9}{'articles/s':>12}{'share':>8}")
    for stage in STAGES:
        seconds = ingestor.stage_seconds[stage]
        rate = articles / seconds if seconds else float("inf")
        print(f"{stage:<14}{seconds:>9.2f}{rate:>12.0f}{seconds / total:>8.0%}")
    print(f"{'whole ingest':<14}{total:>9.2f}{articles / total:>12.1f}")
    configured = (settings.embedder_name(), "title+lead")
    spacy_total = sum(spacy_seconds.values())
    models = spacy_total + embed_seconds.get(configured, 0.0)
    parses = " + ".join(f"spaCy {lang} {s:.2f}" for lang, s in spacy_seconds.items())
    print(f"{'models alone':<14}{models:>9.2f}{articles / models:>12.1f}"
          f"   ({parses} + {configured[0]} on {configured[1]} {embed_seconds.get(configured, 0.0):.2f})")
    print(f"ratio: the whole ingest runs at {models / total:.2f}x the models alone "
          f"({total:.2f} s against {models:.2f} s, same texts, same run)")
    models_cpu = spacy_cpu + embed_cpu.get(configured, 0.0)
    print(f"CPU seconds: the whole ingest {total_cpu:.2f} ({total_cpu / total:.2f} cores busy), "
          f"the models alone {models_cpu:.2f} ({models_cpu / models:.2f} cores busy); the stages "
          f"beyond the models cost {total_cpu - models_cpu:.2f} CPU s. The embedder works in a "
          "thread beside the parse, so 'embed' overlaps 'analyse' above.")
    print("models loaded before timing: " + ", ".join(f"{name} {s:.1f} s" for name, s in loads.items()))

    print("\nembedding cost per article, each candidate model (same texts, same run):")
    for (name, what), seconds in embed_seconds.items():
        print(f"  {name:<12}{what:<11}{seconds / max(1, len(stored)) * 1000:>7.1f} ms")
    if english:
        per_parse = spacy_seconds["en"] / len(english) * 1000
        print(f"\nper English article, on the same parsed docs: spaCy parse {per_parse:.1f} ms")
        for name, seconds in extractor_seconds.items():
            ms = seconds / len(english) * 1000
            print(f"  {name:<12}{ms:>7.2f} ms  ({ms / per_parse:.2f}x the parse)")
        for stage in ("resolve", "claims"):
            ms = ingestor.stage_seconds[stage] / max(1, summary.added) * 1000
            print(f"  {stage:<12}{ms:>7.2f} ms  ({ms / per_parse:.2f}x the parse, whole stage in the ingest)")


def cpu_seconds() -> float:
    """Return the CPU seconds this process has used so far, every thread counted."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _time_extractors(articles: list[Article], docs: list, settings: Settings) -> dict[str, float]:
    """Return the seconds each per-article reader of the parse takes over English docs."""
    seconds = {}
    started = time.perf_counter()
    statements = [extract_statements(doc) for doc in docs]
    seconds["statements"] = time.perf_counter() - started
    started = time.perf_counter()
    quantities = [find_quantities(doc) for doc in docs]
    seconds["quantities"] = time.perf_counter() - started
    started = time.perf_counter()
    for article in articles:
        find_times(article.text, article.date, article.lang)
    seconds["times"] = time.perf_counter() - started
    annotated = [
        Article(a.id, a.title, a.text, a.origin, sentences=[(s.start_char, s.end_char) for s in doc.sents],
                statements=found, quantities=figures)
        for a, doc, found, figures in zip(articles, docs, statements, quantities, strict=True)
    ]
    started = time.perf_counter()
    for article, doc in zip(annotated, docs, strict=True):
        frame_article(article, doc, settings)
    seconds["frames"] = time.perf_counter() - started
    return seconds


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or [p for p in DEFAULT_CORPORA if p.exists()]
    loads = load_models(Settings())  # loading a model is not ingest work, for either side
    for path in paths:
        measure(path, loads)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
