"""HTML pages: the main text and metadata extracted with trafilatura, boilerplate left behind."""

from __future__ import annotations

import re
from collections.abc import Iterator

import trafilatura
from lxml import html as lxml_html

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, read_bytes
from storyline.settings import Settings

# Pages with less main text than this are menus, error pages or galleries, not articles.
MIN_ARTICLE_WORDS = 12
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr")
# Characters XML cannot hold, which lxml refuses: C0 controls but tab and line ends, U+FFFE, U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class HtmlReader:
    """Reads `.html` files, one article per page."""

    suffixes = (".html", ".htm", ".xhtml")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the page's article, or why there is none."""
        data = read_bytes(source, settings)
        yield article_from_html(data, article_id=source.relative, origin=str(source.path))


def article_from_html(
    page: bytes | str, article_id: str, origin: str, url: str | None = None
) -> ReadResult:
    """Return the article trafilatura finds in `page`, or a problem when it finds none.

    trafilatura decodes bytes itself (charset from the page, then detection), drops scripts,
    navigation, comments and other boilerplate, and reads title, date, site name and URL from
    the page's metadata.
    """
    try:
        document = trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as error:  # trafilatura raises many types on hostile markup
        return ReadProblem(origin, f"HTML could not be parsed: {type(error).__name__}: {error}")
    text = getattr(document, "text", None) if document is not None else None
    words = len((text or "").split())
    if words < MIN_ARTICLE_WORDS:
        return ReadProblem(origin, f"no article text found in the HTML ({words} words of text)")
    return Article(
        id=article_id,
        title=(document.title or "").strip(),
        text=text,
        origin=origin,
        source=document.sitename or document.hostname or None,
        url=document.url or url,
        date=document.date or None,
        date_source="metadata" if document.date else None,
        lang=document.language or None,
    )


def html_fragment_to_text(fragment: str) -> str:
    """Return the text of an HTML fragment (a feed entry's content), one paragraph a line."""
    if "<" not in fragment:
        return fragment
    try:
        root = lxml_html.fragment_fromstring(_NOT_XML.sub(" ", fragment), create_parent="div")
    except Exception:  # lxml rejects some hostile fragments; their text is still usable
        return fragment
    for element in root.iter("script", "style"):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines())
