"""A story's timeline as an SVG drawing: one lane per source, one mark per article or statement.

Drawn on the server so the report and the desk work with no script and no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape

LANE_HEIGHT = 26
LABEL_WIDTH = 170
PLOT_WIDTH = 640
AXIS_HEIGHT = 26


@dataclass(frozen=True)
class TimelineMark:
    """One thing on the timeline: an article or a statement, on a day, in a source's lane."""

    day: date
    lane: str
    label: str
    kind: str = "article"  # "article", "copy" or "statement"
    href: str | None = None


def timeline_svg(marks: list[TimelineMark], lane_tags: Mapping[str, str] | None = None) -> str:
    """Return an SVG element showing the marks by day, one lane per lane name (empty if no marks).

    A lane in `lane_tags` shows its tag after its name ("Rheinland Kurier · DE") and is drawn
    set apart: a shaded band, and the class `tagged` on its band, label and line.
    """
    if not marks:
        return ""
    lane_tags = lane_tags or {}
    lanes = sorted({mark.lane for mark in marks})
    first = min(mark.day for mark in marks)
    last = max(mark.day for mark in marks)
    span = max(1, (last - first).days)
    height = AXIS_HEIGHT + LANE_HEIGHT * len(lanes)
    width = LABEL_WIDTH + PLOT_WIDTH + 20

    def x_of(day: date) -> float:
        return LABEL_WIDTH + 10 + PLOT_WIDTH * (day - first).days / span

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Timeline from {first} to {last}">'
    ]
    for row, lane in enumerate(lanes):
        y = AXIS_HEIGHT + row * LANE_HEIGHT + LANE_HEIGHT / 2
        label, tagged = escape(_shorten(lane, 26)), ""
        if tag := lane_tags.get(lane):
            tag = _shorten(tag, 8)
            label = f"{escape(_shorten(lane, 23 - len(tag)))} · {escape(tag)}"
            tagged = " tagged"
            # a fill of its own, so the band is pale even on a page whose style sheet lacks it
            parts.append(
                f'<rect class="lane-band tagged" x="{LABEL_WIDTH}" y="{y - LANE_HEIGHT / 2:.0f}" '
                f'width="{width - 10 - LABEL_WIDTH}" height="{LANE_HEIGHT}" fill="#f6efe3"/>'
            )
        parts.append(
            f'<text class="lane{tagged}" x="{LABEL_WIDTH - 6}" y="{y + 4:.0f}" text-anchor="end">'
            f"{label}</text>"
            f'<line class="lane-line{tagged}" x1="{LABEL_WIDTH}" x2="{width - 10}" '
            f'y1="{y:.0f}" y2="{y:.0f}"/>'
        )
    for tick in _ticks(first, last):
        x = x_of(tick)
        parts.append(
            f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_HEIGHT - 6}" y2="{height}"/>'
            f'<text class="tick-label" x="{x:.1f}" y="{AXIS_HEIGHT - 10}" text-anchor="middle">'
            f"{tick:%d %b}</text>"
        )
    for mark in marks:
        y = AXIS_HEIGHT + lanes.index(mark.lane) * LANE_HEIGHT + LANE_HEIGHT / 2
        shape = (
            f'<rect class="mark {mark.kind}" x="{x_of(mark.day) - 5:.1f}" y="{y - 5:.0f}" '
            f'width="10" height="10" transform="rotate(45 {x_of(mark.day):.1f} {y:.0f})">'
            if mark.kind == "statement"
            else f'<circle class="mark {mark.kind}" cx="{x_of(mark.day):.1f}" cy="{y:.0f}" r="6">'
        )
        closing = "</rect>" if mark.kind == "statement" else "</circle>"
        body = f"{shape}<title>{escape(f'{mark.day} · {mark.label}')}</title>{closing}"
        if mark.href:
            body = f'<a href="{escape(mark.href)}">{body}</a>'
        parts.append(body)
    parts.append("</svg>")
    return "".join(parts)


def _ticks(first: date, last: date, count: int = 6) -> list[date]:
    span = (last - first).days
    if span == 0:
        return [first]
    step = max(1, round(span / count))
    return [date.fromordinal(first.toordinal() + offset) for offset in range(0, span + 1, step)]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
