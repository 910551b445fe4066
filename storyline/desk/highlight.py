"""An article's clean text cut into pieces, each carrying the annotations that cover it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """An annotation over text[start:end]: kind ("entity", "quote", "time"), a CSS class, a title."""

    start: int
    end: int
    kind: str
    css: str
    title: str = ""
    href: str | None = None


@dataclass(frozen=True)
class Piece:
    """A run of text and the spans covering all of it (outermost first)."""

    text: str
    spans: tuple[Span, ...] = ()

    @property
    def css(self) -> str:
        """Return the CSS classes of every covering span."""
        return " ".join(dict.fromkeys(s.css for s in self.spans))

    @property
    def title(self) -> str:
        """Return the titles of the covering spans, innermost first."""
        return " · ".join(s.title for s in reversed(self.spans) if s.title)

    @property
    def href(self) -> str | None:
        """Return the link of the innermost covering span that has one."""
        return next((s.href for s in reversed(self.spans) if s.href), None)


def annotate(text: str, spans: list[Span]) -> list[Piece]:
    """Return the text cut at every span boundary; spans outside the text or empty are dropped.

    Overlapping spans are fine: a piece lists every span covering it, so a name inside a
    quotation is both. Cost: O(n log n + pieces × spans covering them).
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    by_length = sorted(valid, key=lambda s: (s.start - s.end, s.start))  # outermost first
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = tuple(s for s in by_length if s.start <= start and end <= s.end)
        pieces.append(Piece(text[start:end], covering))
    return pieces
