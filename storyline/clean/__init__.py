"""Clean: remove boilerplate and spam lines, keep every real paragraph, and say what went and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from storyline.clean.normalize import normalize_line_key, normalize_text
from storyline.clean.rules import (
    MT_SENTENCE_DEBRIS,
    match_line_rule,
    split_trailing_boilerplate,
)
from storyline.model import Article, RemovedLine

# Lines longer than this are never treated as per-source boilerplate, however often they recur:
# outlets reuse whole background paragraphs, and those are real text.
SOURCE_BOILERPLATE_MAX_WORDS = 25
_HEADLINE_ZONE = 3  # the headline repeated within the first lines of the body is a page artefact


def source_line_keys(article: Article) -> set[str]:
    """Return the keys of the article's short lines, each once, for counting across one source."""
    keys = set()
    for line in normalize_text(article.text).split("\n"):
        if line and len(line.split()) <= SOURCE_BOILERPLATE_MAX_WORDS:
            keys.add(normalize_line_key(line))
    keys.discard("")
    return keys


def count_source_lines(articles: Iterable[Article]) -> Counter[tuple[str, str]]:
    """Return how many articles of each source contain each short line."""
    counts: Counter[tuple[str, str]] = Counter()
    for article in articles:
        if article.source:
            counts.update((article.source, key) for key in source_line_keys(article))
    return counts


def clean_article(article: Article, source_boilerplate: frozenset[str] = frozenset()) -> Article:
    """Return the article with clean title and text, and the removed lines with their reasons.

    `source_boilerplate` holds the line keys (`normalize_line_key`) that recur across many
    articles of this article's source; the pipeline computes them from the store and the batch.
    Line numbers in `removed` count from 1 over the body as `normalize_text` gives it (every
    line break a newline, leading blank lines gone). Every non-empty line of it is kept or
    recorded: removed whole, or kept less the trailing fragments and debris words recorded.
    """
    title = normalize_text(article.title).replace("\n", " ")
    title_key = normalize_line_key(title)
    kept: list[str] = []
    removed: list[RemovedLine] = []
    seen_text = 0
    lines = normalize_text(article.text).split("\n")
    if all(normalize_line_key(line) in ("", title_key) for line in lines):
        title_key = ""  # a brief that only repeats its headline keeps it: it is the whole article
    for line_no, line in enumerate(lines, start=1):
        if not line:
            kept.append(line)
            continue
        key = normalize_line_key(line)
        reason = match_line_rule(line)
        if reason is None and key in source_boilerplate:
            reason = "repeated across articles of this source"
        if reason is None and seen_text < _HEADLINE_ZONE and title_key and key == title_key:
            reason = "repeats the headline"
        seen_text += 1
        if reason:
            removed.append(RemovedLine(line_no, line, reason))
            continue
        line, fragments = split_trailing_boilerplate(line)
        removed.extend(RemovedLine(line_no, text, why) for text, why in fragments)
        if MT_SENTENCE_DEBRIS.search(line):
            removed.append(RemovedLine(line_no, "Essence", "machine-translation debris"))
            line = MT_SENTENCE_DEBRIS.sub(". ", line)
        kept.append(line)
    text = normalize_text("\n".join(kept))
    return replace(article, title=title, text=text, removed=article.removed + removed)
