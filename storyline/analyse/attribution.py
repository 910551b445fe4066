"""When each statement was made: a date attached to its cue, or else the article's date, marked."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from storyline.model import Statement, TimeExpression

_DAY_VALUE = re.compile(r"^(\d{4}|XXXX)-\d{2}-\d{2}$")
SAID_ON_TIME = "time expression"
SAID_ON_ARTICLE = "article date"


def date_statements(
    statements: Sequence[Statement],
    times: Sequence[TimeExpression],
    sentences: Sequence[tuple[int, int]],
    article_date: str | None,
) -> list[Statement]:
    """Return the statements with `said_on` set.

    A day-precise date in the cue's sentence and outside the quoted content ("Kirby said on
    January 24 that…") dates the statement; the one nearest the cue wins. "today" and "now"
    count as the article's date. Without one, the article's date is used and marked as such,
    so a reader can tell a dated statement from an assumed one.
    """
    starts = [start for start, _ in sentences]
    dated = []
    for statement in statements:
        anchor = statement.cue_start if statement.cue_start is not None else statement.start
        sentence = _sentence_of(anchor, sentences, starts)
        best: tuple[int, str] | None = None
        for time in times:
            if time.type != "DATE" or not (sentence[0] <= time.start and time.end <= sentence[1]):
                continue
            if statement.start <= time.start and time.end <= statement.end:
                continue  # a date inside the content dates what was said, not the saying
            value = article_date if time.value == "PRESENT_REF" else time.value
            if not value or not _DAY_VALUE.match(value):
                continue
            distance = min(abs(time.start - anchor), abs(time.end - anchor))
            if best is None or distance < best[0]:
                best = (distance, value)
        if best is not None:
            dated.append(replace(statement, said_on=best[1], said_on_source=SAID_ON_TIME))
        else:
            dated.append(
                replace(
                    statement,
                    said_on=article_date,
                    said_on_source=SAID_ON_ARTICLE if article_date else None,
                )
            )
    return dated


def _sentence_of(
    offset: int, sentences: Sequence[tuple[int, int]], starts: list[int]
) -> tuple[int, int]:
    index = bisect_right(starts, offset) - 1
    return sentences[index] if index >= 0 else (offset, offset)
