"""RSS and Atom feeds, read with feedparser: one article per entry with text."""

from __future__ import annotations

import time
from collections.abc import Iterator

import feedparser

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, read_bytes
from storyline.read.html import html_fragment_to_text
from storyline.settings import Settings


class FeedReader:
    """Reads `.rss`, `.atom` and feed `.xml` files; a broken entry is reported, the others kept."""

    suffixes = (".rss", ".atom", ".xml")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield one article per entry, and a problem per entry without text."""
        feed = feedparser.parse(read_bytes(source, settings))
        if not feed.entries:
            reason = "no feed entries"
            if feed.bozo:
                reason += f" ({feed.bozo_exception})"
            yield ReadProblem(str(source.path), reason)
            return
        site = feed.feed.get("title") or None
        for number, entry in enumerate(feed.entries, start=1):
            yield _entry_article(entry, source, number, site)


def _entry_article(entry: dict, source: Source, number: int, site: str | None) -> ReadResult:
    """Return the article of one feed entry, or why it has none."""
    link = (entry.get("link") or "").strip()
    origin = f"{source.path}#entry {number}" + (f" ({link})" if link else "")
    contents = entry.get("content") or []
    body = contents[0].get("value", "") if contents else entry.get("summary", "")
    text = html_fragment_to_text(body or "").strip()
    title = html_fragment_to_text(entry.get("title") or "").strip()
    if not text:
        return ReadProblem(origin, "entry has no text")
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    date = time.strftime("%Y-%m-%d", parsed) if parsed else None
    return Article(
        id=f"{source.relative}#{link or number}",
        title=title,
        text=text,
        origin=origin,
        source=site,
        url=link or None,
        date=date,
        date_source="metadata" if date else None,
    )
