"""What the clusterer compares: content words, named entities by kind, numbers, dates.

Two events of the same kind (two earthquakes, two rehab check-ins) share most of their words;
what tells them apart are specifics: who, where, when, how many. Each specific is a key in its
own namespace, so all keys share one document-frequency table and one inverted index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
from anyascii import anyascii
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storyline.embed import from_bytes
from storyline.model import Article

# spaCy entity labels grouped into the kinds the clusterer weighs separately.
ENTITY_KINDS = {
    "PERSON": "p",
    "ORG": "o",
    "GPE": "l", "LOC": "l", "FAC": "l",
    "NORP": "m", "EVENT": "m", "PRODUCT": "m", "WORK_OF_ART": "m", "LAW": "m",
}  # fmt: skip
SPECIFIC_ENTITY_LABELS = frozenset(ENTITY_KINDS)
ENTITY_PREFIX = "@"  # "@p:reid", "@l:malibu"
NUMBER_PREFIX = "#"  # "#6.1", "#212"
DATE_PREFIX = "%"  # "%d:2008-09-24", "%md:09-24", "%m:2008-09", "%y:2008"
GRAM_PREFIX = "~"  # "~biles": character 4-grams of the headline, in Latin letters
_WORD = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?(?![\w])")
GUESSED_DATE_SOURCES = frozenset({"text"})
_MIN_WORD = 3
_TITLE_WEIGHT = 2
_GRAM = 4
_HEADLINE_CHARS = 160  # an article without a title is known by the start of its text
_HEADLINE_SLACK = 40  # a text this much longer than its title is still only a headline
_HEADLINE_MAX = 160  # longer than a headline runs: a one-sentence report is scored as an article
# Small counts ("one of two", "3 people") are everywhere; from this value on a number is specific.
_MIN_NUMBER = 5


@dataclass(frozen=True)
class ArticleFeatures:
    """An article's weighted content words and its specifics, and its calendar date if known.

    `entities`, `numbers` and `dates` hold keys with their namespace prefix; `day` is the
    article's own date (when it was written), `dates` the days its text names.
    """

    terms: Counter[str]
    entities: Counter[str]
    day: date | None
    numbers: Counter[str]
    dates: Counter[str]
    day_guessed: bool = False  # `day` was guessed from the body, not given by metadata
    # Language-independent signals: headline character grams of the transliterated headline
    # (names and numbers survive translation: "Байлз" -> "bailz", "Simone Biles" everywhere),
    # and the sentence embedding of title and lead.
    grams: Counter[str] = field(default_factory=Counter)
    embedding: np.ndarray | None = None
    lang: str | None = None
    headline_only: bool = False  # the text is no more than its headline (a title feed)
    article_id: str = ""  # whose features these are (a story's members are revised by it)
    # Where no pipeline found names (a language without one), the words written as names:
    # transliterated, case-folded, each as `entity_key` would end ("столтенберг" -> "stoltenberg").
    # They become entities once the clusterer knows them as names (`OnlineClusterer.with_names`).
    names: Counter[str] = field(default_factory=Counter)

    @property
    def trusted_day(self) -> date | None:
        """Return the article's date if it may rule stories out (not guessed), else None."""
        return None if self.day_guessed else self.day

    def keys(self) -> set[str]:
        """Return every key of the article (for document frequencies)."""
        return {*self.terms, *self.entities, *self.numbers, *self.dates, *self.grams}


def extract_features(article: Article) -> ArticleFeatures:
    """Return the clustering features of an analysed article; pure and cheap (no parsing)."""
    terms: Counter[str] = Counter()
    lang = article.lang
    terms.update(
        {word: _TITLE_WEIGHT * n for word, n in content_words(article.title, lang).items()}
    )
    terms.update(content_words(article.text, lang))
    entities: Counter[str] = Counter(
        entity_key(mention.text, mention.label)
        for mention in article.entities
        if mention.label in SPECIFIC_ENTITY_LABELS
    )
    entities.pop("", None)
    time_spans = [(t.start, t.end) for t in article.times]
    # Only dates the text names are specifics: every article of a day shares its publication
    # date, which says when, not what; it counts through `day` (days between article and story).
    values = [t.value for t in article.times if t.type == "DATE"]
    # A date guessed from the body ("text") may be any date the lead mentions, not when the
    # article was written: it dates the story's span but never rules a story out.
    guessed = article.date_source in GUESSED_DATE_SOURCES
    return ArticleFeatures(
        terms,
        entities,
        calendar_day(article.date),
        numbers(article.text, time_spans),
        date_keys(values),
        day_guessed=guessed,
        grams=headline_grams(article.title or article.text[:_HEADLINE_CHARS]),
        embedding=from_bytes(article.embedding) if article.embedding is not None else None,
        lang=lang,
        headline_only=len(article.text) <= min(len(article.title) + _HEADLINE_SLACK, _HEADLINE_MAX),
        article_id=article.id,
        names=Counter() if entities or not lang or lang == "en" else name_words(f"{article.title}\n{article.text}", lang),
    )


def entity_key(name: str, label: str = "PERSON") -> str:
    """Return the comparison key of an entity mention: kind and last word, case-folded.

    The last word ("Stoltenberg", "Ukraine") survives titles, first names and most
    transliteration; resolving full variants is the entity resolver's job.
    """
    words = [w for w in _WORD.findall(anyascii(name).casefold().replace("'s", "")) if w != "the"]
    kind = ENTITY_KINDS.get(label, "m")
    return f"{ENTITY_PREFIX}{kind}:{words[-1]}" if words else ""


def name_words(text: str, lang: str) -> Counter[str]:
    """Return the words of a text in `lang` that are written as names: capitalised (or all
    capitals), not a stop word, each part of a hyphenated compound apart; transliterated and
    case-folded.

    Without a pipeline for the language these are only candidates: German capitalises every
    noun. `OnlineClusterer.with_names` keeps those already known as names.
    """
    stop = stop_words(lang)
    found: Counter[str] = Counter()
    for match in _WORD.finditer(text):
        for word in match.group().split("-"):  # "Nato-Soldaten": each part of a compound
            if not word or not word[0].isupper():
                continue
            key = anyascii(word).casefold().replace("'s", "")
            if len(key) >= _MIN_WORD and word.casefold() not in stop and key not in stop:
                found[key] += 1
    return found


def entity_kind(key: str) -> str:
    """Return the kind letter of an entity key ("p", "o", "l" or "m")."""
    return key[1:2]


def numbers(text: str, skip: list[tuple[int, int]] = ()) -> Counter[str]:
    """Return the counts of specific numbers in the text, outside the `skip` spans (dates).

    "1,200" and "1200" give the same key; numbers under `_MIN_NUMBER` are left out unless
    they have decimals ("6.1"), which are specific whatever their size.
    """
    found: Counter[str] = Counter()
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in skip):
            continue
        raw = match.group().replace(",", "")
        if "." not in raw and int(raw) < _MIN_NUMBER:
            continue
        found[NUMBER_PREFIX + raw] += 1
    return found


def date_keys(values: list[str]) -> Counter[str]:
    """Return date keys at each granularity a TIMEX3 value gives: day, month-day, month, year."""
    keys: Counter[str] = Counter()
    for value in values:
        full = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
        if full:
            y, m, d = full.groups()
            keys.update([f"%d:{y}-{m}-{d}", f"%md:{m}-{d}", f"%m:{y}-{m}", f"%y:{y}"])
            continue
        partial = re.match(r"^XXXX-(\d{2})-(\d{2})$", value)
        if partial:
            keys[f"%md:{partial.group(1)}-{partial.group(2)}"] += 1
            continue
        month = re.match(r"^(\d{4})-(\d{2})$", value)
        if month:
            keys.update([f"%m:{month.group(1)}-{month.group(2)}", f"%y:{month.group(1)}"])
            continue
        if re.match(r"^\d{4}$", value):
            keys[f"%y:{value}"] += 1
    return keys


def calendar_day(value: str | None) -> date | None:
    """Return the day of an ISO date value, or None for partial or missing dates."""
    if not value or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def content_words(text: str, lang: str | None = None) -> Counter[str]:
    """Return the counts of the text's content words: case-folded, no stop words or short words.

    Stop words are those of the text's language (spaCy's lists), English where it is unknown.
    """
    stop = stop_words(lang or "en")
    return Counter(
        word
        for word in (w.casefold() for w in _WORD.findall(text))
        if len(word) >= _MIN_WORD and word not in stop
    )


@lru_cache(maxsize=64)
def stop_words(lang: str) -> frozenset[str]:
    """Return the stop words of a language from spaCy's language data (English's as fallback)."""
    from spacy.util import get_lang_class

    try:
        words = get_lang_class(lang).Defaults.stop_words
    except (ImportError, KeyError):
        words = set()
    return frozenset({*(w.casefold() for w in words), *ENGLISH_STOP_WORDS})


def headline_grams(headline: str) -> Counter[str]:
    """Return the character 4-grams of a headline's words, transliterated to Latin letters.

    Words are padded with a space, so short words and word edges count ("~ nato", "~ato ").
    """
    grams: Counter[str] = Counter()
    for word in _WORD.findall(anyascii(headline).casefold()):
        padded = f" {word} "
        grams.update(GRAM_PREFIX + padded[i : i + _GRAM] for i in range(len(padded) - _GRAM + 1))
    return grams


def sublinear(count: float) -> float:
    """Return 1 + log(count): repeated words count, but less than linearly."""
    return 1.0 + math.log(count) if count > 0 else 0.0
