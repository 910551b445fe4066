"""Typographic normalisation: one kind of quotation mark, plain spaces, tidy paragraphs."""

from __future__ import annotations

import re
import unicodedata

_DOUBLE_QUOTES = str.maketrans({c: '"' for c in "«»„“”‟〝〞＂❝❞"})
_SINGLE_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′❛❜"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Return `text` with quotes made straight, odd spaces plain, and at most one blank line in a row.

    «», „“ and curly quotes all become `"` so that quote detection downstream sees one mark;
    apostrophes become `'`. Unicode is put in NFC so that equal strings compare equal.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_DOUBLE_QUOTES).translate(_SINGLE_QUOTES)
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def normalize_line_key(line: str) -> str:
    """Return the key under which equal-looking lines are counted across articles."""
    return re.sub(r"\W+", " ", line.casefold()).strip()
