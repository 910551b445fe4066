"""A story's summary as the clusterer keeps it: summed word and entity counts and its date span."""

from __future__ import annotations

import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from storyline.cluster.features import ArticleFeatures

# Keeping only a story's most frequent words bounds a profile's size; the tail rarely decides.
MAX_PROFILE_TERMS = 400


@dataclass
class StoryProfile:
    """What the clusterer knows of one story."""

    story_id: str
    terms: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)
    article_count: int = 0
    first_day: date | None = None
    last_day: date | None = None

    def add(self, features: ArticleFeatures) -> None:
        """Fold one article's features into the profile."""
        self.terms.update(features.terms)
        if len(self.terms) > MAX_PROFILE_TERMS * 2:
            self.terms = Counter(dict(self.terms.most_common(MAX_PROFILE_TERMS)))
        self.entities.update(features.entities)
        self.article_count += 1
        if features.day:
            self.first_day = min(filter(None, (self.first_day, features.day)))
            self.last_day = max(filter(None, (self.last_day, features.day)))

    def absorb(self, other: StoryProfile) -> None:
        """Fold another story's profile into this one (a merge)."""
        self.terms.update(other.terms)
        self.entities.update(other.entities)
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
        """Return the profile serialised for the store."""
        record = {
            "terms": dict(self.terms.most_common(MAX_PROFILE_TERMS)),
            "entities": dict(self.entities),
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
        )
