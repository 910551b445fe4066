"""What the clusterer compares: an article's content words, named entities and date."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storyline.model import Article

# Entity kinds that pin down an event; dates and numbers come from their own fields.
SPECIFIC_ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP", "PRODUCT"})
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]")
_MIN_WORD = 3
_TITLE_WEIGHT = 2
ENTITY_PREFIX = "@"  # entity keys share the term space, kept apart by this prefix


@dataclass(frozen=True)
class ArticleFeatures:
    """The article's weighted content words and entity keys, and its calendar date if known."""

    terms: Counter[str]
    entities: Counter[str]
    day: date | None


def extract_features(article: Article) -> ArticleFeatures:
    """Return the clustering features of an analysed article; pure and cheap (no parsing)."""
    terms: Counter[str] = Counter()
    terms.update({word: _TITLE_WEIGHT * n for word, n in content_words(article.title).items()})
    terms.update(content_words(article.text))
    entities: Counter[str] = Counter(
        entity_key(mention.text)
        for mention in article.entities
        if mention.label in SPECIFIC_ENTITY_LABELS
    )
    entities.pop("", None)
    return ArticleFeatures(terms, entities, calendar_day(article.date))


def entity_key(name: str) -> str:
    """Return the comparison key of an entity mention: its last word, case-folded, prefixed.

    The last word ("Stoltenberg", "Ukraine") survives titles, first names and most
    transliteration; resolving full variants is the entity resolver's job.
    """
    words = [w for w in _WORD.findall(name.casefold().replace("'s", "")) if w != "the"]
    return ENTITY_PREFIX + words[-1] if words else ""


def calendar_day(value: str | None) -> date | None:
    """Return the day of an ISO date value, or None for partial or missing dates."""
    if not value or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def content_words(text: str) -> Counter[str]:
    """Return the counts of the text's content words: case-folded, no stop words or short words."""
    return Counter(
        word
        for word in (w.casefold() for w in _WORD.findall(text))
        if len(word) >= _MIN_WORD and word not in ENGLISH_STOP_WORDS
    )


def sublinear(count: float) -> float:
    """Return 1 + log(count): repeated words count, but less than linearly."""
    return 1.0 + math.log(count) if count > 0 else 0.0
