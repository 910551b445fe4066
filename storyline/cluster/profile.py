"""A story's summary as the clusterer keeps it: word counts, its specifics, and its date span."""

from __future__ import annotations

import base64
import json
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from storyline.cluster.features import (
    DATE_PREFIX,
    ENTITY_PREFIX,
    NUMBER_PREFIX,
    ArticleFeatures,
    extract_features,
    sublinear,
)
from storyline.embed import from_bytes, normalised, to_bytes
from storyline.model import Article

# Keeping only a story's most frequent words bounds a profile's size; the tail rarely decides.
MAX_PROFILE_TERMS = 400
MAX_PROFILE_SPECIFICS = 300
# A story also keeps a sketch of each of its latest articles, so an article can be compared with
# its nearest member, not only with the story's average: follow-ups often resemble one earlier
# report more than the whole. Bounded in number and in keys per member.
MAX_MEMBERS = 24
MEMBER_TERMS = 60


@dataclass
class Member:
    """A sketch of one recent article of a story: top words, specifics, headline grams, vector.

    With the article's id, date and kind, a sketch is enough to compare two members again when
    the window is revised (`storyline.cluster.revise`); members of older stores have no id.
    """

    terms: Counter[str]
    specifics: Counter[str]
    grams: Counter[str] = field(default_factory=Counter)
    embedding: np.ndarray | None = None
    lang: str | None = None
    article_id: str = ""
    day: date | None = None
    headline_only: bool = False

    def features(self) -> ArticleFeatures:
        """Return the member's sketch as the features of an article (its top words only)."""
        kinds: dict[str, Counter[str]] = {ENTITY_PREFIX: Counter(), NUMBER_PREFIX: Counter(), DATE_PREFIX: Counter()}
        for key, n in self.specifics.items():
            kinds[key[0]][key] = n
        return ArticleFeatures(
            Counter(self.terms), kinds[ENTITY_PREFIX], self.day, kinds[NUMBER_PREFIX],
            kinds[DATE_PREFIX], grams=Counter(self.grams), embedding=self.embedding, lang=self.lang,
            headline_only=self.headline_only, article_id=self.article_id,
        )

    @cached_property
    def sublinear(self) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
        """Return its terms, specifics and grams as sublinear weights (1 + log count), once."""
        terms, specifics, grams = (
            {k: sublinear(n) for k, n in counts.items()} for counts in (self.terms, self.specifics, self.grams)
        )
        return terms, specifics, grams

    def to_record(self) -> dict:
        """Return the member as JSON-ready values."""
        return {
            "terms": self.terms,
            "specifics": _top(self.specifics, MAX_PROFILE_SPECIFICS),
            "grams": self.grams,
            "vector": _vector_text(self.embedding),
            "lang": self.lang,
            "id": self.article_id,
            "day": self.day.isoformat() if self.day else None,
            "headline": self.headline_only,
        }

    @classmethod
    def from_record(cls, record: dict | list) -> Member:
        """Return the member kept as `record` (a [terms, specifics] pair in older stores)."""
        if isinstance(record, list):
            return cls(Counter(record[0]), Counter(record[1]))
        return cls(
            Counter(record["terms"]),
            Counter(record["specifics"]),
            Counter(record.get("grams", {})),
            _vector(record.get("vector")),
            record.get("lang"),
            record.get("id", ""),
            date.fromisoformat(record["day"]) if record.get("day") else None,
            bool(record.get("headline", False)),
        )


@dataclass
class StoryProfile:
    """What the clusterer knows of one story.

    `terms` sums its articles' word counts; `entities`, `numbers` and `dates` count in how many
    of its articles each key occurs, so `count / article_count` says how typical a key is.
    """

    story_id: str
    terms: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    article_count: int = 0
    first_day: date | None = None
    last_day: date | None = None
    numbers: Counter[str] = field(default_factory=Counter)
    dates: Counter[str] = field(default_factory=Counter)
    members: list[Member] = field(default_factory=list)
    # sum of the members' unit embeddings (its direction is the story's centroid), and how
    # many articles of each language the story holds
    embedding_sum: np.ndarray | None = None
    languages: Counter[str] = field(default_factory=Counter)
    # the keys the clusterer's inverted index finds the story by, chosen when it last changed
    # (kept with the profile, so a process that loads it finds it by the same keys)
    index_keys: list[str] = field(default_factory=list)
    # the storyline the story's event belongs to: its first story's id (None: the story itself);
    # kept by the store beside the profile, not in it, since a merge of threads relabels many
    thread_id: str | None = None

    @property
    def thread(self) -> str:
        """Return the story's thread."""
        return self.thread_id or self.story_id

    @property
    def centroid(self) -> np.ndarray | None:
        """Return the unit-length mean embedding of the story's articles, None without any."""
        return None if self.embedding_sum is None else normalised(self.embedding_sum)

    def add(self, features: ArticleFeatures) -> None:
        """Fold one article's features into the profile."""
        self.terms.update(features.terms)
        if len(self.terms) > MAX_PROFILE_TERMS * 2:
            self.terms = _top(self.terms, MAX_PROFILE_TERMS)
        for mine, theirs in (
            (self.entities, features.entities),
            (self.numbers, features.numbers),
            (self.dates, features.dates),
        ):
            mine.update(set(theirs))
        specifics = Counter({**features.entities, **features.numbers, **features.dates})
        self.members.append(
            Member(
                _top(features.terms, MEMBER_TERMS), specifics, features.grams,
                features.embedding, features.lang, features.article_id, features.day,
                features.headline_only,
            )
        )
        del self.members[:-MAX_MEMBERS]
        if features.embedding is not None:
            self.embedding_sum = _added(self.embedding_sum, features.embedding)
        self.languages[features.lang or ""] += 1
        self.article_count += 1
        if features.day:
            self.first_day = min(filter(None, (self.first_day, features.day)))
            self.last_day = max(filter(None, (self.last_day, features.day)))

    def absorb(self, other: StoryProfile) -> None:
        """Fold another story's profile into this one (a merge)."""
        self.terms.update(other.terms)
        self.entities.update(other.entities)
        self.numbers.update(other.numbers)
        self.dates.update(other.dates)
        self.members = (self.members + other.members)[-MAX_MEMBERS:]
        if other.embedding_sum is not None:
            self.embedding_sum = _added(self.embedding_sum, other.embedding_sum)
        self.languages.update(other.languages)
        self.article_count += other.article_count
        days = [d for d in (self.first_day, self.last_day, other.first_day, other.last_day) if d]
        self.first_day, self.last_day = (min(days), max(days)) if days else (None, None)

    def keys(self) -> set[str]:
        """Return every key the profile holds (whose document frequencies scoring it needs)."""
        keys = {*self.terms, *self.entities, *self.numbers, *self.dates}
        for member in self.members:
            keys.update(member.terms, member.specifics, member.grams)
        return keys

    def days_apart(self, day: date | None) -> int | None:
        """Return how many days `day` lies outside the story's span (0 inside), None if unknown."""
        if day is None or self.first_day is None or self.last_day is None:
            return None
        if day < self.first_day:
            return (self.first_day - day).days
        return max(0, (day - self.last_day).days)

    def to_bytes(self) -> bytes:
        """Return the profile serialised for the store (bounded: the most frequent keys only)."""
        record = {
            "terms": _top(self.terms, MAX_PROFILE_TERMS),
            "entities": _top(self.entities, MAX_PROFILE_SPECIFICS),
            "numbers": _top(self.numbers, MAX_PROFILE_SPECIFICS),
            "dates": _top(self.dates, MAX_PROFILE_SPECIFICS),
            "members": [member.to_record() for member in self.members],
            "vector_sum": _vector_text(self.embedding_sum, dtype=np.float32),
            "languages": self.languages,
            "n": self.article_count,
            "first": self.first_day.isoformat() if self.first_day else None,
            "last": self.last_day.isoformat() if self.last_day else None,
            "index": self.index_keys,
        }
        return zlib.compress(json.dumps(record, sort_keys=True).encode())

    @classmethod
    def from_bytes(cls, story_id: str, data: bytes, thread_id: str | None = None) -> StoryProfile:
        """Return the profile stored as `data` by `to_bytes`, of thread `thread_id`."""
        record = json.loads(zlib.decompress(data))
        return cls(
            story_id=story_id,
            terms=Counter(record["terms"]),
            entities=Counter(record["entities"]),
            article_count=record["n"],
            first_day=date.fromisoformat(record["first"]) if record["first"] else None,
            last_day=date.fromisoformat(record["last"]) if record["last"] else None,
            numbers=Counter(record["numbers"]),
            dates=Counter(record["dates"]),
            members=[Member.from_record(member) for member in record["members"]],
            embedding_sum=_vector(record.get("vector_sum"), dtype=np.float32),
            languages=Counter(record.get("languages", {})),
            index_keys=record.get("index", []),
            thread_id=None if thread_id == story_id else thread_id,
        )


def _added(total: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    return vector.astype(np.float32) if total is None else total + vector


def _vector_text(vector: np.ndarray | None, dtype=np.float16) -> str | None:
    """Return a vector as base64 text for the JSON profile (float16 unless told otherwise)."""
    if vector is None:
        return None
    data = to_bytes(vector) if dtype is np.float16 else np.asarray(vector, dtype=dtype).tobytes()
    return base64.b64encode(data).decode("ascii")


def _vector(text: str | None, dtype=np.float16) -> np.ndarray | None:
    if text is None:
        return None
    data = base64.b64decode(text)
    if dtype is np.float16:
        return from_bytes(data)
    return np.frombuffer(data, dtype=dtype).copy()


def _top(counts: Counter[str], n: int) -> Counter[str]:
    """Return the `n` most frequent keys (ties broken by key, so serialising is deterministic)."""
    if len(counts) <= n:
        return Counter(counts)
    return Counter(dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]))


def profile_of(story_id: str, articles: Iterable[Article]) -> StoryProfile:
    """Return the profile of a story made of `articles` (after a person's correction)."""
    profile = StoryProfile(story_id)
    for article in articles:
        profile.add(extract_features(article))
    return profile
