"""Typographic normalisation: one kind of quotation mark, plain spaces, tidy paragraphs."""

from __future__ import annotations

import re
import unicodedata

_DOUBLE_MARKS = "«»„“”‟〝〞＂❝❞「」"
_SINGLE_MARKS = "‘’‚‛′❛❜‹›『』"
_DOUBLE_QUOTES = str.maketrans({c: '"' for c in _DOUBLE_MARKS})
_SINGLE_QUOTES = str.maketrans({c: "'" for c in _SINGLE_MARKS})
# Inside a quotation, double marks are the inner quotes ("«Он назвал „Газпром“ партнёром»").
_INNER_QUOTES = str.maketrans({c: "'" for c in _DOUBLE_MARKS + '"'})
_GAP = "[ \u00a0\u202f]*"
# A guillemet pair on one line, either way round (« French », »German«), with the spaces French
# typography puts inside the marks.
_GUILLEMETS = re.compile(
    rf"«{_GAP}(?P<fr>[^«»\n]*?){_GAP}»|»(?P<de>[^«»\n]*?)«"
    rf"|‹{_GAP}(?P<fr1>[^‹›\n]*?){_GAP}›|›(?P<de1>[^‹›\n]*?)‹"
)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Line breaks other than \n, as `str.splitlines` knows them; every other control character
# (C0 but tab and newline, DEL, C1) carries no text and is dropped.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Return `text` with quotes made straight, odd spaces plain, and at most one blank line in a row.

    «», „“, 「」 and curly quotes all become `"` so that quote detection downstream sees one mark,
    and the marks of a quotation nested in guillemets become `'`; ‹›, 『』 and apostrophes become
    `'`. Every line break becomes a newline and other control characters go. Unicode is put in NFC
    (once the invisible characters are gone) so that equal strings compare equal. Normalising
    twice gives what normalising once gives.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", _CONTROLS.sub("", text))
    text = unicodedata.normalize("NFC", text)
    text = _GUILLEMETS.sub(_straight_guillemets, text)
    text = text.translate(_DOUBLE_QUOTES).translate(_SINGLE_QUOTES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _straight_guillemets(match: re.Match[str]) -> str:
    """Return a guillemet quotation with straight marks, no inner spaces, inner quotes single."""
    double = match.group("fr") is not None or match.group("de") is not None
    inner = next(group for group in match.groups() if group is not None)
    mark = '"' if double else "'"
    return f"{mark}{inner.translate(_INNER_QUOTES) if double else inner}{mark}"


def normalize_line_key(line: str) -> str:
    """Return the key under which equal-looking lines are counted across articles."""
    return re.sub(r"\W+", " ", line.casefold()).strip()
