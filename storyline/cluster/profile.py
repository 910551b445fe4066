"""A story's summary as the clusterer keeps it: word counts, its specifics, and its date span."""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from storyline.cluster.features import ArticleFeatures, extract_features
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
    members: list[tuple[Counter[str], Counter[str]]] = field(default_factory=list)

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
        self.members.append((_top(features.terms, MEMBER_TERMS), specifics))
        del self.members[:-MAX_MEMBERS]
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
        self.article_count += other.article_count
        days = [d for d in (self.first_day, self.last_day, other.first_day, other.last_day) if d]
        self.first_day, self.last_day = (min(days), max(days)) if days else (None, None)

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
            "members": [[terms, _top(specifics, MAX_PROFILE_SPECIFICS)] for terms, specifics in self.members],
            "n": self.article_count,
            "first": self.first_day.isoformat() if self.first_day else None,
            "last": self.last_day.isoformat() if self.last_day else None,
        }
        return zlib.compress(json.dumps(record).encode())

    @classmethod
    def from_bytes(cls, story_id: str, data: bytes) -> StoryProfile:
        """Return the profile stored as `data` by `to_bytes`."""
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
            members=[(Counter(terms), Counter(specifics)) for terms, specifics in record["members"]],
        )


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
