"""Online story clustering: each article joins the most similar recent story or starts one."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from storyline.cluster.features import ENTITY_PREFIX, ArticleFeatures, sublinear
from storyline.cluster.profile import StoryProfile
from storyline.settings import Settings

# How many of an article's heaviest words and entities look stories up in the inverted index,
# and how many candidate stories are scored in full: together they bound the per-article cost.
QUERY_KEYS = 20
MAX_CANDIDATES = 50
INDEX_KEYS_PER_STORY = 60


@dataclass(frozen=True)
class Assignment:
    """Which story an article joined, how similar it was, and the signals that decided it."""

    story_id: str
    score: float
    created: bool
    signals: dict[str, list[str]] = field(default_factory=dict)


class DocumentFrequencies:
    """In how many articles each term occurs; gives inverse document frequencies."""

    def __init__(self, counts: Mapping[str, int] | None = None, total: int = 0) -> None:
        self.counts: Counter[str] = Counter(counts or {})
        self.total = total

    def idf(self, term: str) -> float:
        """Return the smoothed inverse document frequency of `term`."""
        return math.log((1 + self.total) / (1 + self.counts.get(term, 0))) + 1.0

    def add(self, keys: Iterable[str]) -> None:
        """Count one more article containing `keys`."""
        self.counts.update(set(keys))
        self.total += 1


def story_id_for(article_id: str) -> str:
    """Return the id of a story started by `article_id`: stable across runs and machines."""
    return "s" + hashlib.sha1(article_id.encode()).hexdigest()[:11]


class OnlineClusterer:
    """Assigns articles to stories one at a time, in the order they arrive.

    The score of an article against a story is the cosine of their TF-IDF vectors (words and
    entities) plus a bonus for shared rare entities, minus a penalty that grows with the days
    between the article and the story's span. Candidates come from an inverted index of each
    story's heaviest keys, so one assignment costs O(QUERY_KEYS + MAX_CANDIDATES) profile
    comparisons whatever the number of stories.
    """

    def __init__(self, settings: Settings, frequencies: DocumentFrequencies) -> None:
        self.settings = settings
        self.frequencies = frequencies
        self.profiles: dict[str, StoryProfile] = {}
        self._index: dict[str, set[str]] = defaultdict(set)

    def load(self, profiles: Iterable[StoryProfile]) -> None:
        """Make stored stories candidates again (the pipeline loads those active in its window)."""
        for profile in profiles:
            if profile.story_id not in self.profiles:
                self.profiles[profile.story_id] = profile
                self._reindex(profile)

    def assign(self, article_id: str, features: ArticleFeatures) -> Assignment:
        """Return the story the article joins (a new one when none is similar enough)."""
        self.frequencies.add(list(features.terms) + list(features.entities))
        best: tuple[float, StoryProfile, dict[str, list[str]]] | None = None
        for profile in self._candidates(features):
            score, signals = self.score(features, profile)
            if best is None or score > best[0]:
                best = (score, profile, signals)
        if best is not None and best[0] >= self.settings.story_threshold:
            score, profile, signals = best
            self._fold(profile.story_id, features)
            return Assignment(profile.story_id, round(score, 4), created=False, signals=signals)
        story_id = story_id_for(article_id)
        self._fold(story_id, features)
        return Assignment(story_id, 1.0, created=True)

    def join(self, story_id: str, features: ArticleFeatures) -> StoryProfile:
        """Put the article in a given story (a near-duplicate joins its original's), and return it."""
        self.frequencies.add(list(features.terms) + list(features.entities))
        return self._fold(story_id, features)

    def _fold(self, story_id: str, features: ArticleFeatures) -> StoryProfile:
        profile = self.profiles.setdefault(story_id, StoryProfile(story_id))
        profile.add(features)
        self._reindex(profile)
        return profile

    def score(
        self, features: ArticleFeatures, profile: StoryProfile
    ) -> tuple[float, dict[str, list[str]]]:
        """Return the similarity of an article to a story, and the shared keys that made it."""
        article = self._weights(features.terms) | self._weights(features.entities)
        story = self._weights(profile.terms) | self._weights(profile.entities)
        dot = sum(weight * story[key] for key, weight in article.items() if key in story)
        norm = math.sqrt(sum(w * w for w in article.values()) * sum(w * w for w in story.values()))
        cosine = dot / norm if norm else 0.0
        shared = sorted(
            (key for key in article if key in story),
            key=lambda key: -article[key] * story[key],
        )
        gap = profile.days_apart(features.day)
        penalty = 0.0 if gap is None else min(0.3, 0.01 * max(0, gap - 2))
        signals = {
            "words": [k for k in shared if not k.startswith(ENTITY_PREFIX)][:8],
            "entities": [k[1:] for k in shared if k.startswith(ENTITY_PREFIX)][:8],
            "days apart": [] if gap is None else [str(gap)],
        }
        return cosine - penalty, signals

    def _weights(self, counts: Mapping[str, float]) -> dict[str, float]:
        return {key: sublinear(n) * self.frequencies.idf(key) for key, n in counts.items()}

    def _candidates(self, features: ArticleFeatures) -> list[StoryProfile]:
        weights = self._weights(features.terms) | self._weights(features.entities)
        heaviest = sorted(weights, key=weights.__getitem__, reverse=True)[:QUERY_KEYS]
        hits: Counter[str] = Counter()
        for key in heaviest:
            hits.update(self._index.get(key, ()))
        window = self.settings.story_window_days
        candidates = []
        for story_id, _ in hits.most_common():
            profile = self.profiles[story_id]
            gap = profile.days_apart(features.day)
            if gap is None or gap <= window:
                candidates.append(profile)
            if len(candidates) == MAX_CANDIDATES:
                break
        return candidates

    def _reindex(self, profile: StoryProfile) -> None:
        weights = self._weights(profile.terms) | self._weights(profile.entities)
        for key in sorted(weights, key=weights.__getitem__, reverse=True)[:INDEX_KEYS_PER_STORY]:
            self._index[key].add(profile.story_id)
