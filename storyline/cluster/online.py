"""Online story clustering: each article joins the most probable recent story or starts one."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from storyline.cluster.features import (
    DATE_PREFIX,
    ENTITY_PREFIX,
    NUMBER_PREFIX,
    ArticleFeatures,
    entity_kind,
    sublinear,
)
from storyline.cluster.profile import StoryProfile
from storyline.cluster.weights import ARTICLE, HEADLINE, StoryWeights, load_weights
from storyline.settings import Settings

# How many of an article's heaviest keys look stories up in the inverted index, and how many
# candidate stories are scored in full, by kind of text: together they bound the per-article
# cost. Candidates are ranked by how many of those keys they share (the embedding's nearest
# first). An article's story is nearly always among the first few: scoring ten keeps its cost
# flat as the store grows (`benchmarks/cluster_scaling.py`), where fifty grew it 5.8-fold, and
# fits as well (`storyline/cluster/weights.json`). A headline has too few keys to rank by (its
# candidates tie), and is cheap to score: fifty keep it at its best (ten cost the earlier Olympic
# weeks its model is fitted on 0.05 B-cubed F1: 0.6005 to 0.5485).
QUERY_KEYS = 30
MAX_CANDIDATES = {ARTICLE: 10, HEADLINE: 50}
INDEX_KEYS_PER_STORY = 60
# A key indexing more stories than this is too common to find candidates with; skipping it keeps
# a look-up's cost bounded however many stories the window holds.
MAX_POSTING = 400
ENTITY_KINDS = ("p", "o", "l", "m")
# Stories whose centroid is nearest the article's embedding are candidates too, whatever words
# they share: that is how a report in another language finds its story.
EMBEDDING_CANDIDATES = {ARTICLE: 4, HEADLINE: 10}
# An article's embedding cosines are read against the window's stories in general (`Background`)
# once the window holds this many stories with an embedding; before, against the background the
# model was fitted under (`StoryWeights.background`).
BACKGROUND_STORIES = 8
# Articles assumed unseen besides those counted, so that a term of every article so far still
# weighs a little while the stream is young (log(20 / 2) = 2.3 for the first article's terms).
UNSEEN_ARTICLES = 20
# A story links to a storyline's thread while it has at most this many articles (`_link_thread`).
THREAD_FORMING = 3
_DAY_LEVELS = ("%d:", "%md:")
_YEAR_LEVELS = ("%m:", "%y:")

# The pair features of (article, story), in the order the learned weights use them.
FEATURE_NAMES = (
    "terms_cosine",
    "specifics_cosine",
    "member_terms_max",
    "member_specifics_max",
    *(f"entity_share_{kind}" for kind in ENTITY_KINDS),
    *(f"entity_has_{kind}" for kind in ENTITY_KINDS),
    "number_share",
    "number_has",
    "day_share",
    "day_has",
    "year_share",
    "year_has",
    "log_days_apart",
    "days_known",
    "log_story_size",
    # language-independent: these carry an article across languages, where words cannot
    "embedding_cosine",
    "member_embedding_max",
    "embedding_known",
    # the same two cosines as standard scores against the window's stories (`Background`)
    "embedding_z",
    "member_embedding_z",
    "member_grams_max",
    "language_shared",
)


@dataclass(frozen=True)
class Assignment:
    """Which story an article joined, how probable that was, and the signals that decided it."""

    story_id: str
    score: float
    created: bool
    signals: dict[str, list[str]] = field(default_factory=dict)
    merged: tuple[str, ...] = ()  # stories this article showed to be the same event, folded in


class MergedStories(dict[str, str]):
    """The stories merged during a batch: each merged story's id -> the story it went into."""

    def current(self, story_id: str) -> str:
        """Return the story `story_id` is part of now (itself, unless it was merged)."""
        while story_id in self:
            story_id = self[story_id]
        return story_id


class DocumentFrequencies:
    """In how many articles each term occurs; gives inverse document frequencies.

    Change the counts only through `add`, `load` and `clear`: IDF values are remembered until the
    counts next change (one assignment reads the same keys' IDF for every candidate story).
    """

    def __init__(self, counts: Mapping[str, int] | None = None, total: int = 0) -> None:
        self.counts: Counter[str] = Counter(counts or {})
        self.total = total
        self._table = IdfTable(self)

    def idf(self, term: str) -> float:
        """Return the inverse document frequency of `term`: log((N + UNSEEN_ARTICLES) / (1 + df)).

        No "+ 1" is added: a key nearly every article holds ("Ukraine" in news of one war) weighs
        nearly nothing, where the "+ 1" gave it the weight of a word seen once in e articles.
        UNSEEN_ARTICLES keeps the first articles of a stream from weighing nothing at all.
        """
        return self._table[term]

    def table(self) -> IdfTable:
        """Return the IDF of every term as a mapping, valid until the counts next change."""
        return self._table

    def add(self, keys: Iterable[str]) -> None:
        """Count one more article containing `keys`."""
        self.counts.update(set(keys))
        self.total += 1
        self._table = IdfTable(self)

    def load(self, counts: Mapping[str, int], total: int | None = None) -> None:
        """Take stored counts (and the stored total of articles, when given)."""
        self.counts.update(counts)
        if total is not None:
            self.total = total
        self._table = IdfTable(self)

    def clear(self) -> None:
        """Forget every count."""
        self.counts.clear()
        self.total = 0
        self._table = IdfTable(self)


class IdfTable(dict[str, float]):
    """The IDF of each term under one state of the counts, computed the first time it is read."""

    def __init__(self, frequencies: DocumentFrequencies) -> None:
        super().__init__()
        self._counts = frequencies.counts
        self._articles = UNSEEN_ARTICLES + frequencies.total

    def __missing__(self, term: str) -> float:
        value = self[term] = math.log(self._articles / (1 + self._counts.get(term, 0)))
        return value


def story_id_for(article_id: str) -> str:
    """Return the id of a story started by `article_id`: stable across runs and machines."""
    return "s" + hashlib.sha1(article_id.encode()).hexdigest()[:11]


class OnlineClusterer:
    """Assigns articles to stories one at a time, in the order they arrive.

    An article is scored against each candidate story by a logistic model over pair features
    (`ArticleVectors.pair_features`): word cosine, overlap of people, organisations, places, numbers and dates,
    and days apart; the weights are learned from labelled news (`storyline.cluster.weights`).
    It joins the most probable story when that probability reaches the join threshold, else it
    starts a story. Candidates come from an inverted index of each story's heaviest keys (common
    keys skipped), within `settings.story_window_days`, so one assignment costs
    O(QUERY_KEYS * MAX_POSTING + MAX_CANDIDATES * profile size) whatever the number of stories.
    """

    def __init__(
        self,
        settings: Settings,
        frequencies: DocumentFrequencies,
        weights: StoryWeights | Mapping[str, StoryWeights] | None = None,
    ) -> None:
        self.settings = settings
        self.frequencies = frequencies
        weights = weights or load_weights(settings.story_weights)
        # One model for articles with a body, one for headlines alone (a title feed): the same
        # word overlap means more in ten words than in five hundred.
        self.models: dict[str, StoryWeights] = (
            {ARTICLE: weights, HEADLINE: weights} if isinstance(weights, StoryWeights) else dict(weights)
        )
        self.profiles: dict[str, StoryProfile] = {}
        self.kept_apart: set[frozenset[str]] = set()  # pairs a person split; never merged again
        self._index: dict[str, set[str]] = defaultdict(set)
        self._indexed: dict[str, list[str]] = {}
        self._centroids = CentroidIndex()
        # the loaded stories of each thread, so that folding a thread costs its stories, not the
        # window's; a story's entry may be stale (its thread folded since): read with `thread`
        self._thread_stories: dict[str, set[str]] = defaultdict(set)
        # threads folded into others by merges (merged thread -> thread), until a caller clears it
        self.merged_threads = MergedStories()

    def load(self, profiles: Iterable[StoryProfile]) -> None:
        """Make stored stories candidates again (the pipeline loads those active in its window).

        A profile is found by the index keys it was stored with; they were chosen by the
        document frequencies of when the story last changed, as in the process that changed it.
        """
        for profile in profiles:
            if profile.story_id not in self.profiles:
                self.profiles[profile.story_id] = profile
                self._reindex(profile, profile.index_keys or None)

    def assign(self, article_id: str, features: ArticleFeatures) -> Assignment:
        """Return the story the article joins (a new one when none is probable enough).

        When the article is also very probably part of other candidate stories (at least the
        fitted merge threshold), those stories were one event split too early: they are merged
        into the one it joins.
        """
        features = self.with_names(features)
        self.frequencies.add(features.keys())
        vectors = self.vectors(features)
        scored = sorted(
            ((self.probability(features, p, vectors), p) for p in self._candidates(features, vectors)),
            key=lambda pair: (-pair[0], pair[1].story_id),
        )
        model = self.model(features)
        join = first_set(self.settings.story_join_probability, model.threshold)
        merge_at = first_set(self.settings.story_merge_probability, model.merge_threshold)
        thread_at = self.thread_probability(features)
        if not scored or scored[0][0] < join:
            story_id = story_id_for(article_id)
            closest = {}
            profile = self._fold(story_id, features)
            if scored:
                closest = self.signals(features, scored[0][1])
                closest["closest story"] = [scored[0][1].story_id, f"{scored[0][0]:.3f}"]
            if linked := self._link_thread(profile, scored, thread_at):
                closest["thread"] = [linked]
            return Assignment(story_id, 1.0, created=True, signals=closest)
        probability, profile = scored[0]
        signals = self.signals(features, profile)
        merged = tuple(
            other.story_id
            for other_probability, other in scored[1:]
            if other_probability >= merge_at
            and frozenset((profile.story_id, other.story_id)) not in self.kept_apart
        )
        for other_id in merged:
            self.merge(profile.story_id, other_id)
        self._fold(profile.story_id, features)
        if linked := self._link_thread(profile, scored, thread_at):
            signals["thread"] = [linked]
        return Assignment(profile.story_id, round(probability, 4), False, signals, merged)

    def _link_thread(
        self, profile: StoryProfile, scored: list[tuple[float, StoryProfile]], thread_at: float
    ) -> str | None:
        """Link a young story's thread to another; return the thread it joined, None if none.

        While a story has at most THREAD_FORMING articles, an article just added to it that
        scored a candidate of another thread at least `thread_at` (under the join threshold: a
        later or earlier event of one storyline) joins the two threads, the older one keeping its
        id. Its first articles decide, not only the first: the first report of an event may be
        in another language, and score its storyline's other events low.
        """
        if profile.article_count > THREAD_FORMING:
            return None
        for probability, other in scored:  # merged-away candidates are no longer loaded
            if probability < thread_at:
                return None
            if other.story_id in self.profiles and other.thread != profile.thread:
                into, merged = sorted((other.thread, profile.thread), key=self._thread_age)
                self._fold_thread(merged, into)
                return into
        return None

    def _thread_age(self, thread_id: str) -> tuple[date, str]:
        """Return a key putting the older thread first: the first day of the story it is named
        after (its first story; one no longer loaded is older than the window), then its id."""
        first = self.profiles.get(thread_id)
        day = date.min if first is None else first.first_day or date.max
        return (day, thread_id)

    def _fold_thread(self, merged: str, into: str) -> None:
        """Put every loaded story of thread `merged` in thread `into`, and record it."""
        self.merged_threads[merged] = into
        for story_id in self._thread_stories.pop(merged, ()):
            profile = self.profiles.get(story_id)
            if profile is not None and profile.thread == merged:
                profile.thread_id = into
                self._thread_stories[into].add(story_id)

    def forget(self, story_ids: Iterable[str]) -> None:
        """Drop stories from the candidates (out of the window now, or about to be reloaded)."""
        for story_id in story_ids:
            profile = self.profiles.pop(story_id, None)
            if profile is not None and (stories := self._thread_stories.get(profile.thread)):
                stories.discard(story_id)
                if not stories:
                    del self._thread_stories[profile.thread]
            for key in self._indexed.pop(story_id, []):
                self._index[key].discard(story_id)
            self._centroids.remove(story_id)

    def merge(self, into: str, other: str) -> None:
        """Fold story `other` into story `into` (an automatic merge or a person's correction).

        One event is one storyline: when their threads differ, `other`'s thread joins `into`'s
        (in every loaded story; `merged_threads` records it for the store).
        """
        target = self.profiles.setdefault(into, StoryProfile(into))
        source = self.profiles.get(other)
        self.forget([other])
        if source is not None:
            target.absorb(source)
            if source.thread != target.thread:
                self._fold_thread(source.thread, target.thread)
        self._reindex(target)

    def split(
        self,
        story_id: str,
        new_story_id: str,
        keep: Iterable[ArticleFeatures],
        move: Iterable[ArticleFeatures],
    ) -> None:
        """Split a story: its profile is made again from `keep`, a new one from `move`; both parts
        stay in its thread."""
        thread = self.profiles[story_id].thread if story_id in self.profiles else story_id
        self.forget([story_id])
        for part_id, part in ((story_id, keep), (new_story_id, move)):
            profile = self.profiles[part_id] = StoryProfile(part_id, thread_id=thread)
            for features in part:
                profile.add(self.with_names(features))
            self._reindex(profile)

    def join(self, story_id: str, features: ArticleFeatures) -> StoryProfile:
        """Put the article in a given story (a near-duplicate joins its original's), and return it."""
        features = self.with_names(features)
        self.frequencies.add(features.keys())
        return self._fold(story_id, features)

    def probability(
        self,
        features: ArticleFeatures,
        profile: StoryProfile,
        vectors: ArticleVectors | None = None,
        story: StoryVectors | None = None,
    ) -> float:
        """Return the learned probability that the article reports the story's event.

        `vectors`: the article's, when scoring it against many stories (built once); `story`:
        the story's, under the same document frequencies, when scoring many articles against it.
        """
        vectors = vectors or self.vectors(features)
        return self.model(features).probability(vectors.pair_features(profile, story))

    def with_names(self, features: ArticleFeatures) -> ArticleFeatures:
        """Return the features with their name words (`ArticleFeatures.names`: an article no
        pipeline read for names) made entities where earlier articles had them as names: each
        as the kind it was found as most often ("stoltenberg" -> "@p:stoltenberg"). A word never
        seen as a name (most of German's capitalised nouns) is left out.
        """
        if not features.names:
            return features
        counts = self.frequencies.counts
        known: Counter[str] = Counter()
        for word, n in features.names.items():
            seen, kind = max((counts.get(f"{ENTITY_PREFIX}{kind}:{word}", 0), kind) for kind in ENTITY_KINDS)
            if seen:
                known[f"{ENTITY_PREFIX}{kind}:{word}"] += n
        return replace(features, entities=features.entities + known, names=Counter())

    def vectors(self, features: ArticleFeatures) -> ArticleVectors:
        """Return the article's weighted vectors now, with its nearest stories by embedding."""
        nearest: tuple[str, ...] = ()
        background = None
        if features.embedding is not None:
            found, background = self._centroids.search(features.embedding, EMBEDDING_CANDIDATES[kind_of(features)])
            nearest = tuple(found)
            prior = self.model(features).background
            if background is None and prior is not None:
                background = Background(*prior)  # the window is young: the fit's background
        if features.headline_only:
            # A headline alone is scored by its raw cosines: the headline model fitted with
            # standard scores on the Olympic titles' first weeks fell on the later weeks from
            # 0.612 to 0.550 B-cubed F1 (EVALUATION.md).
            background = None
        return ArticleVectors(features, self.frequencies, nearest, background)

    def thread_probability(self, features: ArticleFeatures) -> float:
        """Return the probability at which the article links a story to another's thread (the
        configured one, else its model's)."""
        return first_set(self.settings.story_thread_probability, self.model(features).thread_threshold)

    def model(self, features: ArticleFeatures) -> StoryWeights:
        """Return the model that scores this article: the headline one for a headline alone."""
        return self.models[kind_of(features)]

    def signals(self, features: ArticleFeatures, profile: StoryProfile) -> dict[str, list[str]]:
        """Return the shared keys that tie the article to the story, heaviest first."""
        shared = {
            key: self.frequencies.idf(key)
            for counts, story in (
                (features.terms, profile.terms),
                (features.entities, profile.entities),
                (features.numbers, profile.numbers),
                (features.dates, profile.dates),
            )
            for key in counts
            if key in story
        }
        ranked = sorted(shared, key=lambda key: (-shared[key], key))
        gap = profile.days_apart(features.day)
        centroid = profile.centroid
        meaning = (
            [f"{float(centroid @ features.embedding):.3f}"]
            if features.embedding is not None and centroid is not None
            else []
        )
        return {
            "words": [k for k in ranked if k[0] not in (ENTITY_PREFIX, NUMBER_PREFIX, DATE_PREFIX)][:8],
            "entities": [k.split(":", 1)[1] for k in ranked if k[0] == ENTITY_PREFIX][:8],
            "numbers": [k[1:] for k in ranked if k[0] == NUMBER_PREFIX][:5],
            "dates": [k.split(":", 1)[1] for k in ranked if k[0] == DATE_PREFIX][:5],
            "days apart": [] if gap is None else [str(gap)],
            "embedding cosine": meaning,
        }

    def _fold(self, story_id: str, features: ArticleFeatures) -> StoryProfile:
        profile = self.profiles.setdefault(story_id, StoryProfile(story_id))
        profile.add(features)
        self._reindex(profile)
        return profile

    def _candidates(
        self, features: ArticleFeatures, vectors: ArticleVectors | None = None
    ) -> list[StoryProfile]:
        weights = {
            key: weight
            for counts in (features.terms, features.entities, features.numbers, features.dates)
            for key, weight in self._weights(counts).items()
        }
        heaviest = sorted(weights, key=lambda key: (-weights[key], key))[:QUERY_KEYS]
        hits: Counter[str] = Counter()
        named_day: set[str] = set()  # stories that share a calendar day the article names
        for key in heaviest:
            posting = self._index.get(key, ())
            if len(posting) <= MAX_POSTING:
                hits.update(posting)
                if key.startswith(_DAY_LEVELS[0]):
                    named_day.update(posting)
        window = self.settings.story_window_days
        limit = MAX_CANDIDATES[kind_of(features)]
        candidates = []
        for story_id in _ranked((vectors or self.vectors(features)).nearest, hits):
            profile = self.profiles[story_id]
            gap = profile.days_apart(features.trusted_day)
            # A late report that names the story's day is a follow-up however late it comes.
            if gap is None or gap <= window or story_id in named_day:
                candidates.append(profile)
            if len(candidates) == limit:
                break
        return candidates

    def _weights(self, counts: Mapping[str, float]) -> dict[str, float]:
        return {key: sublinear(n) * self.frequencies.idf(key) for key, n in counts.items()}

    def _reindex(self, profile: StoryProfile, keys: list[str] | None = None) -> None:
        """Index the story by its heaviest keys now (or by `keys`, those it was stored with)."""
        if keys is None:
            weights = {
                key: weight
                for counts in (profile.terms, profile.entities, profile.numbers, profile.dates)
                for key, weight in self._weights(counts).items()
            }
            keys = sorted(weights, key=lambda key: (-weights[key], key))[:INDEX_KEYS_PER_STORY]
            profile.index_keys = keys
        for old in self._indexed.get(profile.story_id, ()):
            self._index[old].discard(profile.story_id)
        for key in keys:
            self._index[key].add(profile.story_id)
        self._indexed[profile.story_id] = keys
        self._thread_stories[profile.thread].add(profile.story_id)
        if profile.embedding_sum is not None:
            self._centroids.put(profile.story_id, profile.centroid)


def _ranked(nearest: Iterable[str], hits: Mapping[str, int]) -> Iterator[str]:
    """Yield candidate stories best first: those nearest by embedding, then by keys shared
    (most first, ties by id), each once. Lazily: a look-up that stops after the first few sorts
    only the stories that share the most keys, not every story any key found."""
    seen = set()
    by_count: dict[int, list[str]] = defaultdict(list)
    for story_id, count in hits.items():
        by_count[count].append(story_id)
    ordered = (story_id for count in sorted(by_count, reverse=True) for story_id in sorted(by_count[count]))
    for story_id in itertools.chain(nearest, ordered):
        if story_id not in seen:
            seen.add(story_id)
            yield story_id


def kind_of(features: ArticleFeatures) -> str:
    """Return the kind of text the article is: a headline alone, or an article with a body."""
    return HEADLINE if features.headline_only else ARTICLE


def first_set(configured: float | None, fitted: float) -> float:
    """Return a configured threshold when one is set, else the fitted one."""
    return fitted if configured is None else configured


class CentroidIndex:
    """Unit centroids of the stories in memory, searched by dot product in one matrix product.

    Exact (no approximation); a search costs O(stories x dim): 1.5 ms for 10,000 stories of 384
    dimensions, sort included, measured with numpy on the project machine.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def put(self, story_id: str, vector: np.ndarray) -> None:
        """Set (or replace) the centroid of a story."""
        row = self._row.get(story_id)
        if row is None:
            if self._matrix.shape[1] != vector.shape[0]:
                self._matrix = np.zeros((16, vector.shape[0]), dtype=np.float32)
                self._ids, self._row = [], {}
            if len(self._ids) == self._matrix.shape[0]:
                grown = np.zeros((2 * len(self._ids), vector.shape[0]), dtype=np.float32)
                grown[: len(self._ids)] = self._matrix
                self._matrix = grown
            row = len(self._ids)
            self._ids.append(story_id)
            self._row[story_id] = row
        self._matrix[row] = vector

    def remove(self, story_id: str) -> None:
        """Forget a story (merged, or out of the window); the last row takes its place."""
        row = self._row.pop(story_id, None)
        if row is None:
            return
        last = len(self._ids) - 1
        if row != last:
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._row[moved] = row
        self._matrix[last] = 0.0
        self._ids.pop()

    def search(self, vector: np.ndarray, k: int) -> tuple[list[str], Background | None]:
        """Return the ids of the `k` stories whose centroids are nearest `vector`, nearest first,
        and the vector's `Background` among all of them (None under BACKGROUND_STORIES)."""
        n = len(self._ids)
        if not n or vector.shape[0] != self._matrix.shape[1]:
            return [], None
        scores = self._matrix[:n] @ vector
        top = np.argsort(-scores, kind="stable")[:k]
        return [self._ids[i] for i in top if scores[i] > 0], Background.of(scores)


@dataclass(frozen=True)
class Background:
    """How near an article's embedding lies to the window's stories in general: the mean and
    the spread (standard deviation) of its cosines with every story's centroid.

    A cosine means little alone. multilingual-e5's cosines are compressed (unrelated news reads
    0.74-0.79, one event 0.85-0.95), and an article in another language than most of the window
    reads lower with every story, its own included: on the sample corpus's gold replay, one
    event told across languages averaged 0.882 against 0.918 within one, unrelated stories
    0.754 against 0.804. As standard scores against the article's own background, one event
    stands 2.18 spreads above the mean across languages and 2.54 within one, unrelated stories
    -0.81 and 0.14 (`evaluation/embedding_background.py`): the event stands out in both.
    """

    mean: float
    spread: float

    @classmethod
    def of(cls, scores: np.ndarray) -> Background | None:
        """Return the background of one article's cosines with the stories (None if too few)."""
        if len(scores) < BACKGROUND_STORIES:
            return None
        spread = float(np.std(scores))
        return cls(float(np.mean(scores)), spread) if spread > 0 else None

    def score(self, cosine: float) -> float:
        """Return `cosine` as a standard score: spreads above the article's mean cosine."""
        return (cosine - self.mean) / self.spread


class ArticleVectors:
    """An article's IDF-weighted vectors under one state of the document frequencies, and the
    stories nearest its embedding (`OnlineClusterer.vectors`).

    Shares are IDF-weighted: of the article's weight of one kind of key, how much the story
    holds, each shared key counted by the fraction of the story's articles that have it.
    Built once per assignment and compared with every candidate story, so a candidate costs
    the story's side only: O(profile size + members x member size).
    """

    def __init__(
        self,
        features: ArticleFeatures,
        frequencies: DocumentFrequencies,
        nearest: tuple[str, ...] = (),
        background: Background | None = None,
    ) -> None:
        self.features = features
        self.nearest = nearest  # the stories nearest its embedding (candidates whatever the words)
        self.background = background  # its embedding's cosines with the window's stories
        self.idf = idf = frequencies.table()
        self.terms = {k: sublinear(n) * idf[k] for k, n in features.terms.items()}
        self.specifics = {
            k: sublinear(n) * idf[k]
            for counts in (features.entities, features.numbers, features.dates)
            for k, n in counts.items()
        }
        self.grams = {k: sublinear(n) * idf[k] for k, n in features.grams.items()}
        self.norms = {name: _squares(getattr(self, name)) for name in ("terms", "specifics", "grams")}
        specifics = self.specifics
        self.entity_kinds = [
            {k: w for k, w in specifics.items() if k[0] == ENTITY_PREFIX and entity_kind(k) == kind}
            for kind in ENTITY_KINDS
        ]
        self.numbers = {k: w for k, w in specifics.items() if k.startswith(NUMBER_PREFIX)}
        self.days = {k: w for k, w in specifics.items() if k.startswith(_DAY_LEVELS)}
        self.years = {k: w for k, w in specifics.items() if k.startswith(_YEAR_LEVELS)}

    def pair_features(self, profile: StoryProfile, story: StoryVectors | None = None) -> list[float]:
        """Return the pair features of the article and `profile`, in `FEATURE_NAMES` order.

        `story`: the profile's vectors under the same document frequencies, when one story is
        scored against many articles (built here otherwise).
        """
        features = self.features
        story = story or StoryVectors(profile, self.idf)
        size = story.size
        values = [self._cosine("terms", story.terms), self._cosine("specifics", story.specifics)]
        nearest = dict.fromkeys(MEMBER_VECTORS, 0.0)
        for member in story.members:
            for name, best in nearest.items():
                nearest[name] = max(best, self._cosine(name, member[name]))
        nearest_terms, nearest_specifics, nearest_grams = nearest.values()
        values.extend((nearest_terms, nearest_specifics))
        by_kind = [_share(kind, profile.entities, size) for kind in self.entity_kinds]
        values.extend(share for share, _ in by_kind)
        values.extend(has for _, has in by_kind)
        for article, counts in (
            (self.numbers, profile.numbers),
            (self.days, profile.dates),
            (self.years, profile.dates),
        ):
            values.extend(_share(article, counts, size))
        gap = profile.days_apart(features.trusted_day)
        values.extend((math.log1p(gap) if gap is not None else 0.0, float(gap is not None)))
        values.append(math.log(size))
        centroid = profile.centroid
        if features.embedding is not None and centroid is not None and story.embeddings is not None:
            cosine = float(centroid @ features.embedding)
            nearest_member = float(np.max(story.embeddings @ features.embedding))
            values.extend((cosine, nearest_member, 1.0))
            background = self.background
            values.extend(
                (background.score(cosine), background.score(nearest_member)) if background else (0.0, 0.0)
            )
        else:
            values.extend((0.0,) * 5)
        values.append(nearest_grams)
        values.append(float(language_shared(features.lang, profile)))
        return values if values[-1] else across_languages(values)

    def _cosine(self, name: str, other: Weighted) -> float:
        """Return the cosine of the article's `name` vector (terms, specifics, grams) and `other`."""
        vector, squares = other
        return _cosine(getattr(self, name), vector, self.norms[name], squares)


# An IDF-weighted sparse vector and its sum of squares.
Weighted = tuple[dict[str, float], float]
# What each member of a story is compared by (`Member.sublinear`, in its order).
MEMBER_VECTORS = ("terms", "specifics", "grams")


class StoryVectors:
    """A story's IDF-weighted vectors under one state of the document frequencies: the story's
    side of `ArticleVectors.pair_features`, with each vector's sum of squares.

    Built once per pair where a story is scored once (an assignment), and once per story where
    one story is scored against many articles (a revision scores each member, as a story of
    one, against every other member and neighbour).
    """

    def __init__(self, profile: StoryProfile, idf: Mapping[str, float]) -> None:
        self.size = size = max(1, profile.article_count)
        self.terms = _weighted({k: sublinear(n) for k, n in profile.terms.items()}, idf)
        shares = {
            k: n / size
            for counts in (profile.entities, profile.numbers, profile.dates)
            for k, n in counts.items()
        }
        self.specifics = _weighted(shares, idf)
        # each member's terms, specifics and grams
        self.members: list[dict[str, Weighted]] = [
            dict(zip(MEMBER_VECTORS, (_weighted(counts, idf) for counts in m.sublinear), strict=True))
            for m in profile.members
        ]
        embeddings = [m.embedding for m in profile.members if m.embedding is not None]
        self.embeddings = np.stack(embeddings) if embeddings else None


def language_shared(lang: str | None, profile: StoryProfile) -> bool:
    """Return whether the story is told mostly in the article's language (its words compare).

    A story of twenty English reports and one Spanish one is, for a Spanish article, a story in
    another language: its word counts are English.
    """
    if not lang or not profile.languages:
        return True
    return 2 * profile.languages.get(lang, 0) >= sum(profile.languages.values())


# What words measure cannot be seen between two languages: a pair across languages has these
# read as absent (zero), in training and at run time alike, so the model learns to rely on
# what crosses languages (embedding, headline letters, names, figures, dates).
WORD_FEATURES = ("terms_cosine", "member_terms_max")
_WORD_POSITIONS = tuple(FEATURE_NAMES.index(name) for name in WORD_FEATURES)
LANGUAGE_SHARED_AT = FEATURE_NAMES.index("language_shared")


# Names are found only in languages with a pipeline: a report in another one has none.
NAME_FEATURES = tuple(
    name for name in FEATURE_NAMES if name.startswith(("entity_share_", "entity_has_"))
)
_NAME_POSITIONS = tuple(FEATURE_NAMES.index(name) for name in NAME_FEATURES)


# An article without an embedding (the embedder turned off: `Settings.embedder = "none"`) reads
# these as absent, as does its story when no member has one.
EMBEDDING_FEATURES = (
    "embedding_cosine", "member_embedding_max", "embedding_known", "embedding_z", "member_embedding_z",
)
_EMBEDDING_POSITIONS = tuple(FEATURE_NAMES.index(name) for name in EMBEDDING_FEATURES)
EMBEDDING_KNOWN_AT = FEATURE_NAMES.index("embedding_known")


def without_embedding(values: list[float]) -> list[float]:
    """Return pair features as they read when the article has no embedding."""
    masked = list(values)
    for position in _EMBEDDING_POSITIONS:
        masked[position] = 0.0
    return masked


def across_languages(values: list[float], without_names: bool = False) -> list[float]:
    """Return pair features as they read when the article and the story share no language.

    `without_names`: as they read when, besides, the article's language has no pipeline to
    find its names (training uses both readings).
    """
    masked = list(values)
    for position in _WORD_POSITIONS + (_NAME_POSITIONS if without_names else ()):
        masked[position] = 0.0
    masked[LANGUAGE_SHARED_AT] = 0.0
    return masked


def _share(article: Mapping[str, float], story: Mapping[str, int], size: int) -> tuple[float, float]:
    """Return the story-weighted share of the article's key weight, and 1.0 if it has keys."""
    total = sum(article.values())
    if not total:
        return 0.0, 0.0
    return sum(w * story.get(k, 0) / size for k, w in article.items()) / total, 1.0


def _cosine(
    a: Mapping[str, float],
    b: Mapping[str, float],
    squares_a: float | None = None,
    squares_b: float | None = None,
) -> float:
    """Return the cosine of two sparse vectors (`squares_a`, `squares_b`: their sums of squares,
    if known)."""
    squares_a = _squares(a) if squares_a is None else squares_a
    squares_b = _squares(b) if squares_b is None else squares_b
    if len(a) > len(b):
        dot = sum(w * a[k] for k, w in b.items() if k in a)
    else:
        dot = sum(w * b[k] for k, w in a.items() if k in b)
    norm = math.sqrt(squares_a * squares_b)
    return dot / norm if norm else 0.0


def _weighted(weights: Mapping[str, float], idf: Mapping[str, float]) -> Weighted:
    """Return the weights times each key's IDF, and their sum of squares."""
    vector = {k: w * idf[k] for k, w in weights.items()}
    return vector, _squares(vector)


def _squares(vector: Mapping[str, float]) -> float:
    return sum(w * w for w in vector.values())
