"""Plain text and Markdown: the first non-empty line is the headline, the rest the body.

A file may open with a front-matter block, as static-site generators write it:
`---` lines around `key: value` pairs (title, source, date, url, lang); other keys are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, decode_utf8, read_bytes
from storyline.settings import Settings

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_FRONT_MATTER_KEYS = frozenset({"title", "source", "date", "url", "lang"})


class TextReader:
    """Reads `.txt` and `.md` files, one article per file."""

    suffixes = (".txt", ".md", ".markdown", ".text")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the file's article, or why it cannot be read."""
        text = decode_utf8(read_bytes(source, settings))
        fields, text = split_front_matter(text)
        title, body = split_headline(text)
        if fields.get("title"):
            title, body = fields["title"], text
        if not body.strip():
            yield ReadProblem(str(source.path), "no body text after the headline")
            return
        yield Article(
            id=source.relative,
            title=title,
            text=body,
            origin=str(source.path),
            source=fields.get("source"),
            url=fields.get("url"),
            date=fields.get("date"),
            date_source="metadata" if fields.get("date") else None,
            lang=fields.get("lang"),
        )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Return the front matter's known fields and the text after it (all of it when there is none)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip().strip("'\"")
        if key in _FRONT_MATTER_KEYS and value:
            fields[key] = value
    return fields, text[match.end() :]


def split_headline(text: str) -> tuple[str, str]:
    """Return (headline, body): the first non-empty line, without Markdown `#`, and the rest."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            return _MARKDOWN_HEADING.sub("", line).strip(), "\n".join(lines[index + 1 :])
    return "", ""
