"""RSS and Atom feeds, read with feedparser: one article per entry with text."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import feedparser

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, Unreadable, read_bytes
from storyline.read.html import html_fragment_to_text
from storyline.settings import Settings

# A numeric character reference; feedparser's fallback parser turns each into a character and
# crashes on those that are none (surrogates, numbers past U+10FFFF or too long to convert).
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_REPLACEMENT_REFERENCE = b"&#xFFFD;"
# The start tag of an RSS item or Atom entry, with or without a namespace prefix.
_ENTRY_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")


class FeedReader:
    """Reads `.rss`, `.atom` and feed `.xml` files; a broken entry is reported, the others kept."""

    suffixes = (".rss", ".atom", ".xml")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield one article per entry, and a problem per entry without text or not read at all.

        Damaged markup can swallow entries whole; those the file opens but feedparser did not
        read are counted in one problem.
        """
        data = read_bytes(source, settings)
        try:
            feed = parse_feed(data)
        except UnparseableFeed as error:
            raise Unreadable(str(error)) from None
        broken = f" ({feed.bozo_exception})" if feed.bozo else ""
        if not feed.entries:
            yield ReadProblem(str(source.path), f"no feed entries{broken}")
            return
        site = feed.feed.get("title") or None
        for number, entry in enumerate(feed.entries, start=1):
            yield _entry_article(entry, source, number, site)
        opened = len(_ENTRY_TAG.findall(data))
        if opened > len(feed.entries):
            missing = opened - len(feed.entries)
            yield ReadProblem(
                str(source.path), f"{missing} of {opened} entries could not be read{broken}"
            )


class UnparseableFeed(ValueError):
    """Raised when feedparser itself fails on a feed's bytes (not merely finds faults)."""


def parse_feed(data: bytes, **options) -> feedparser.FeedParserDict:
    """Return feedparser's reading of `data`, impossible character references made U+FFFD.

    `options` go to `feedparser.parse` (such as `response_headers`). Raises `UnparseableFeed`
    with the reason where feedparser raises (it raises many types on hostile bytes).
    """
    try:
        return feedparser.parse(replace_impossible_references(data), **options)
    except Exception as error:
        raise UnparseableFeed(f"feed cannot be parsed ({type(error).__name__}: {error})") from None


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
    date = iso_day(entry.get("published_parsed") or entry.get("updated_parsed"))
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


def replace_impossible_references(data: bytes) -> bytes:
    """Return the feed with character references to no character (`&#xD800;`) made U+FFFD."""
    return _CHARACTER_REFERENCE.sub(_checked_reference, data)


def _checked_reference(match: re.Match[bytes]) -> bytes:
    hex_digits, decimal = match.groups()
    digits = (hex_digits or decimal).lstrip(b"0") or b"0"
    if len(digits) > 8:
        return _REPLACEMENT_REFERENCE
    code = int(digits, 16 if hex_digits else 10)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return _REPLACEMENT_REFERENCE
    return match.group(0)


def iso_day(parsed: time.struct_time | None) -> str | None:
    """Return a parsed feed date as YYYY-MM-DD; None for none, or for a year before 1 or past 9999."""
    if parsed is None or not 1 <= parsed.tm_year <= 9999:
        return None
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
