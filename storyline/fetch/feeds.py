"""What a feed lists: RSS and Atom entries (feedparser), XML sitemaps and sitemap indexes (lxml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from storyline.read.feed import UnparseableFeed, iso_day, parse_feed
from storyline.read.html import html_fragment_to_text

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
# No entities, no network, no huge trees: a sitemap is untrusted input.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class MalformedFeed(ValueError):
    """Raised when a body is neither a readable RSS or Atom feed nor a sitemap."""


@dataclass(frozen=True)
class FeedItem:
    """One page a feed lists, with what the feed says about it."""

    url: str  # absolute
    title: str | None = None
    date: str | None = None  # ISO day


@dataclass(frozen=True)
class Listing:
    """What one feed body lists: pages, and (for a sitemap index) further sitemaps."""

    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def parse_listing(body: bytes, url: str, content_type: str = "application/xml") -> Listing:
    """Return the pages (and sitemaps) that `body`, fetched from `url` as `content_type`, lists.

    Sitemaps (`urlset`, `sitemapindex`) are recognised by their root element; anything else
    goes to feedparser, which reads RSS 0.9x to 2.0, RSS 1.0 and Atom, and forgives small
    faults as long as entries can be read. Links are made absolute against `url`; links that
    are not http(s) are dropped.
    """
    root = _xml_root(body)
    if root is not None and etree.QName(root).localname in ("urlset", "sitemapindex"):
        return _sitemap_listing(root, url)
    try:
        feed = parse_feed(
            body, response_headers={"content-location": url, "content-type": content_type}
        )
    except UnparseableFeed as error:
        raise MalformedFeed(str(error)) from None
    items = []
    for entry in feed.entries:
        link = _absolute(url, entry.get("link"))
        if link is None:
            continue
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        title = html_fragment_to_text(entry.get("title") or "").strip()
        items.append(FeedItem(link, title or None, iso_day(parsed)))
    if not items and feed.bozo:  # entries with links survive small faults; nothing else does
        where = str(feed.bozo_exception).removeprefix("<unknown>:")
        raise MalformedFeed(f"malformed feed: {where}")
    if not items and not feed.get("version"):
        raise MalformedFeed("not an RSS or Atom feed, nor a sitemap")
    return Listing(items=items)


def _xml_root(body: bytes) -> etree._Element | None:
    """Return the root element of `body` as XML, or None when it does not parse."""
    try:
        return etree.fromstring(body, parser=_SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _sitemap_listing(root: etree._Element, url: str) -> Listing:
    """Return the pages of a `urlset`, or the sitemaps of a `sitemapindex` (Google News tags read)."""
    entries = [child for child in root if etree.QName(child).localname in ("url", "sitemap")]
    if etree.QName(root).localname == "sitemapindex":
        links = (_absolute(url, _child_text(entry, "loc")) for entry in entries)
        return Listing(sitemaps=[link for link in links if link])
    items = []
    for entry in entries:
        link = _absolute(url, _child_text(entry, "loc"))
        if link is None:
            continue
        when = _child_text(entry, "publication_date") or _child_text(entry, "lastmod") or ""
        items.append(
            FeedItem(link, _child_text(entry, "title"), when[:10] if _DAY.match(when) else None)
        )
    return Listing(items=items)


def _child_text(element: etree._Element, name: str) -> str | None:
    """Return the stripped text of the first descendant called `name` (any namespace), or None."""
    for node in element.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == name:
            return (node.text or "").strip() or None
    return None


def _absolute(base: str, link: str | None) -> str | None:
    """Return `link` made absolute against `base`, or None when it is not an http(s) URL."""
    if not link or not link.strip():
        return None
    absolute = urljoin(base, link.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None
