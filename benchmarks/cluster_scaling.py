"""How the cost of assigning one article grows with the number of articles already clustered.

Builds clusterers holding 1k, 10k and 100k articles, then times `OnlineClusterer.assign` on 300
fresh articles against each (half follow up the latest stories, half start new ones), revising
the stories each batch of `Settings.batch_size` of them touched (`storyline.cluster.revise`), as
ingest does. Prints the candidates scored, the milliseconds per article of assignment and of
revision, apart and together, with the ratio of the total to the 1k run. Scoring is
capped at `MAX_CANDIDATES` (ten) stories per article, so the cost levels off once the window holds that
many similar stories. Run: `.venv/bin/python benchmarks/cluster_scaling.py` (about 4 minutes on 2 cores).

Three tables. *All in memory, 240 days*: every story stays a candidate, whatever its age, and
the articles are spread over 240 days at every size, so 100k articles are 100 times as many a
day as 1k (the table this benchmark has always printed). *Window, 240 days*: the same stream, but
the clusterer holds only the stories active within `Settings.story_window_days` of the day the
timed articles arrive, as ingest loads them (`Ingestor._load_cluster_state`). *Window, steady
rate*: the store grows over time at one rate (about 417 articles a day, the 100k stream's), so
1k articles cover 2 days and 100k cover 240; this is the store growing, as a user's does.

Articles are real texts (the shared ukraine2022 corpus when present, else the repository's
examples/corpus) perturbed into many events: every capitalised name is swapped for a generated
one, numbers are redrawn, and dates spread over the scheme's days, so stories differ by their specifics as
real ones do. To keep the bulk build fast, spaCy is skipped: entities are derived cheaply from
capitalised word runs (kind by hash), and features are computed once per base text and then
perturbed at the key level. The clustering itself (index look-up, scoring, folding) is the real one.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
import zlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storyline.cluster.features import ArticleFeatures, extract_features  # noqa: E402
from storyline.cluster.online import DocumentFrequencies, OnlineClusterer  # noqa: E402
from storyline.cluster.revise import apply_revisions, revisions  # noqa: E402
from storyline.model import Article, EntityMention  # noqa: E402
from storyline.settings import Settings  # noqa: E402

SHARED = Path(os.environ.get("STORYLINE_SHARED_DATA") or REPO.parent / "shared" / "data")
SIZES = (1_000, 10_000, 100_000)
QUERIES = 300
SPAN_DAYS = 240
ARTICLES_PER_STORY = 6
_NAME = re.compile(r"(?<![.!?]\s)\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)*")
_KINDS = ("PERSON", "GPE", "ORG", "NORP")
# Revisions run at this mean link whatever the shipped model's threshold (its fit may have turned
# them off), so that their cost is always measured.
SETTINGS = Settings(db_url="sqlite://", story_revise_probability=0.5)
_SYLLABLES = ("ka", "lo", "mi", "ren", "to", "vas", "zel", "ni", "bor", "ta", "gra", "dun")


def base_texts(limit: int = 400) -> list[tuple[str, str]]:
    """Return (title, text) pairs of real news to perturb."""
    corpus = SHARED / "corpora" / "ukraine2022"
    texts = []
    for path in sorted(corpus.glob("*.jsonl")) if corpus.exists() else []:
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            if len(record.get("text") or "") > 400:
                texts.append((record.get("title") or "", record["text"][:6000]))
    if not texts:
        for path in sorted((REPO / "examples" / "corpus").rglob("*.txt")):
            body = path.read_text(encoding="utf-8", errors="replace")
            title, _, text = body.partition("\n")
            texts.append((title, text))
    return texts[:limit]


def cheap_features(title: str, text: str) -> ArticleFeatures:
    """Return features with entities from capitalised word runs instead of spaCy."""
    body = f"{title}\n{text}"
    entities = [
        EntityMention(m.group(), _KINDS[zlib.crc32(m.group().encode()) % len(_KINDS)], m.start(), m.end())
        for m in _NAME.finditer(body)
    ]
    article = Article(id="base", title=title, text=text, origin="bench", entities=entities)
    return extract_features(article)


def perturb(
    base: ArticleFeatures, event: int, day: date, rng: random.Random, article_id: str = ""
) -> ArticleFeatures:
    """Return the base features turned into one article of event `event` on `day`."""
    names = random.Random(event)

    def rename(key: str) -> str:
        prefix, _, word = key.partition(":")
        fresh = "".join(names.choice(_SYLLABLES) for _ in range(3))
        return f"{prefix}:{fresh}{zlib.crc32(word.encode()) % 97}"

    entities = Counter({rename(k): n for k, n in base.entities.items()})
    numbers = Counter({f"#{rng.randint(5, 5000)}": n for n in base.numbers.values()})
    dates = Counter(
        {f"%d:{day.isoformat()}": 1, f"%md:{day:%m-%d}": 1, f"%m:{day:%Y-%m}": 1, f"%y:{day.year}": 1}
    )
    # Drop a few words per article so articles of one event are not identical.
    terms = Counter({k: n for k, n in base.terms.items() if rng.random() > 0.15})
    return ArticleFeatures(terms, entities, day, numbers, dates, article_id=article_id)


START = date(2022, 1, 1)


def build(size: int, bases: list[ArticleFeatures], span_days: int = SPAN_DAYS, seed: int = 7) -> OnlineClusterer:
    """Return a clusterer already holding `size` articles in stories of a few articles each,
    spread over `span_days`."""
    rng = random.Random(seed)
    clusterer = OnlineClusterer(SETTINGS, DocumentFrequencies())
    for n in range(size):
        event = n // ARTICLES_PER_STORY
        day = START + timedelta(days=span_days * event * ARTICLES_PER_STORY // size)
        features = perturb(bases[event % len(bases)], event, day, rng, f"a{n}")
        clusterer.join(f"story-{event}", features)
    return clusterer


def keep_window(clusterer: OnlineClusterer, day: date) -> None:
    """Forget the stories ingest would not load for articles of `day`: those last reported more
    than `Settings.story_window_days` before it (the store's `_active` condition)."""
    oldest = day - timedelta(days=clusterer.settings.story_window_days)
    clusterer.forget(
        [s for s, p in clusterer.profiles.items() if p.last_day is not None and p.last_day < oldest]
    )


def query_articles(size: int, bases: list[ArticleFeatures], day: date) -> list[ArticleFeatures]:
    """Return the timed articles: half follow-ups of the latest stories, half new events."""
    rng = random.Random(11)
    latest = size // ARTICLES_PER_STORY - 1
    return [
        perturb(bases[event % len(bases)], event, day, rng, f"query-{i}")
        for i, event in enumerate(latest - i // 2 if i % 2 == 0 else 10_000_000 + i for i in range(QUERIES))
    ]


def assign_and_revise(clusterer: OnlineClusterer, queries: list[ArticleFeatures]) -> tuple[float, float, int]:
    """Assign the queries in batches, revising the stories each batch touched; return the
    seconds spent assigning, the seconds spent revising, and the revisions made."""
    assigning = revising = 0.0
    made = 0
    size = clusterer.settings.batch_size
    for start in range(0, len(queries), size):
        timed = time.perf_counter()
        touched = {clusterer.assign(f.article_id, f).story_id for f in queries[start : start + size]}
        revised = time.perf_counter()
        touched = {story_id for story_id in touched if story_id in clusterer.profiles}
        planned = revisions(clusterer, touched)
        # the pipeline reads a split story's articles from the store; here its members stand in
        apply_revisions(clusterer, planned, lambda s: [m.features() for m in clusterer.profiles[s].members])
        made += len(planned)
        done = time.perf_counter()
        assigning += revised - timed
        revising += done - revised
    return assigning, revising, made


# (title, the days the stream spans at each size, whether only the window is held)
SCHEMES = (
    ("all in memory, 240 days", lambda size: SPAN_DAYS, False),
    ("window, 240 days", lambda size: SPAN_DAYS, True),
    ("window, steady rate", lambda size: max(1, SPAN_DAYS * size // SIZES[-1]), True),
)


def main() -> None:
    """Print per-article assignment time for each scheme and size, with its ratio to 1k."""
    started = time.perf_counter()
    bases = [cheap_features(title, text) for title, text in base_texts()]
    probe = OnlineClusterer(SETTINGS, DocumentFrequencies())
    print(
        f"{len(bases)} base texts; {QUERIES} timed assignments per size, revised every "
        f"{probe.settings.batch_size} at mean link {probe.settings.story_revise_probability}; "
        f"window {probe.settings.story_window_days} days"
    )
    for title, span_of, windowed in SCHEMES:
        print(f"\n{title}")
        print(
            f"{'articles':>9} {'days':>5} {'held':>6} {'build s':>8} {'candidates':>11} {'assign ms':>10} "
            f"{'revise ms':>10} {'revisions':>10} {'ms/article':>11} {'ratio':>6}"
        )
        first = None
        for size in SIZES:
            span = span_of(size)
            last_day = START + timedelta(days=span)
            built = time.perf_counter()
            clusterer = build(size, bases, span)
            build_seconds = time.perf_counter() - built
            if windowed:
                keep_window(clusterer, last_day)
            held = len(clusterer.profiles)
            queries = query_articles(size, bases, last_day)
            scored = sum(len(clusterer._candidates(features)) for features in queries)
            assigning, revising, made = assign_and_revise(clusterer, queries)
            per_article = (assigning + revising) / QUERIES * 1000
            first = first or per_article
            print(
                f"{size:>9} {span:>5} {held:>6} {build_seconds:>8.1f} {scored / QUERIES:>11.1f} "
                f"{assigning / QUERIES * 1000:>10.2f} {revising / QUERIES * 1000:>10.2f} {made:>10} "
                f"{per_article:>11.2f} {per_article / first:>6.2f}"
            )
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
