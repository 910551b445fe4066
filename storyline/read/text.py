"""Plain text and Markdown: the first non-empty line is the headline, the rest the body."""

from __future__ import annotations

import re
from collections.abc import Iterator

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, Unreadable, decode_utf8, read_bytes
from storyline.settings import Settings

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


class TextReader:
    """Reads `.txt` and `.md` files, one article per file."""

    suffixes = (".txt", ".md", ".markdown", ".text")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the file's article, or why it cannot be read."""
        try:
            text = decode_utf8(read_bytes(source, settings))
        except Unreadable as problem:
            yield ReadProblem(str(source.path), str(problem))
            return
        title, body = split_headline(text)
        if not body.strip():
            yield ReadProblem(str(source.path), "no body text after the headline")
            return
        yield Article(id=source.relative, title=title, text=body, origin=str(source.path))


def split_headline(text: str) -> tuple[str, str]:
    """Return (headline, body): the first non-empty line, without Markdown `#`, and the rest."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            return _MARKDOWN_HEADING.sub("", line).strip(), "\n".join(lines[index + 1 :])
    return "", ""
