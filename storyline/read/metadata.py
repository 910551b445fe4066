"""Metadata found in the text when the file has none: the dateline, the outlet and the date.

A date without a year takes the year from the article's own text, then from `--date`; otherwise
it stays partial ("XXXX-02-24") and is never invented. The pipeline may later take the year from
the article's story.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from storyline.analyse.timex import find_times, parse_date
from storyline.model import Article
from storyline.settings import Settings

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY_MONTH = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH})"
_DATE = rf"(?:{_DAY_MONTH}(?:,?\s+\d{{4}})?)"
_NAME = r"[A-Z][\w.&'’ -]{1,60}?"

# "Xinhua News Agency, Brussels, February 24th (Reporter Ren Ke)"
_AGENCY_DATELINE = re.compile(
    rf"^(?P<outlet>{_NAME}),\s*(?P<place>[A-Z][\w.' -]{{1,40}}?),\s*(?P<date>{_DATE})"
    r"(?:\s*\((?P<credit>[^)\n]{1,80})\))?"
)
# "BRUSSELS, Feb 24 (Reuters) -" and "KYIV, Ukraine (AP) —"
_WIRE_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z.' -]{{1,40}}?)(?:,\s*[A-Z][a-z]+)?(?:,\s*(?P<date>{_DATE}))?"
    r"\s*\((?P<outlet>[A-Z][A-Za-z.&' -]{1,30})\)\s*[-–—]+\s*"
)
# "Published 25.01.2022, 09:40 EET | Tallinn", "Updated: March 3, 2022"
_PUBLISHED_LINE = re.compile(
    r"^\W*(?:published|posted|updated)(?: on)?:?\s*(?P<date>[^|,]+(?:,\s*\d{4})?)", re.IGNORECASE
)
# A line holding only a date, as pages print above the body: "Wednesday, July 28, 2004"
_DATE_LINE = re.compile(rf"^(?:[A-Z][a-z]+day,?\s+)?(?P<date>{_DATE})\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_LEAD_CHARS = 600
_DATELINE_LINES = 3


def complete_metadata(article: Article, settings: Settings) -> Article:
    """Return the article with its date, outlet and dateline filled in from the text where missing."""
    source = article.source or settings.default_source
    date, date_source = normalize_date(article.date), article.date_source
    if article.date and not date:
        date_source = None
    dateline, dateline_outlet, dateline_date = find_dateline(article.text)
    if not source and dateline_outlet:
        source = dateline_outlet
    if not date and dateline_date:
        date, date_source = dateline_date, "dateline"
    if not date and settings.default_date:
        date, date_source = normalize_date(settings.default_date), "--date"
    if not date:
        date = lead_date(article.text)
        date_source = "text" if date else None
    if date and date.startswith("XXXX"):
        year = text_year(article.text) or _year_of(settings.default_date)
        if year:
            date = year + date[4:]
    return replace(
        article, source=source, date=date, date_source=date_source, dateline=dateline
    )


def normalize_date(value: str | None) -> str | None:
    """Return a metadata date as an ISO date ("2022-01-25T09:00:00Z" gives "2022-01-25")."""
    if not value:
        return None
    iso = _ISO_DATE.match(value.strip())
    if iso:
        return "-".join(iso.groups())
    return parse_date(value, None)


def find_dateline(text: str) -> tuple[str | None, str | None, str | None]:
    """Return the dateline opening one of the first lines, the outlet it names and its date value.

    The first few lines are tried, since pages often repeat the headline above the dateline.
    """
    lines = [line.strip() for line in text[:_LEAD_CHARS].split("\n") if line.strip()]
    for line in lines[:_DATELINE_LINES]:
        for pattern in (_AGENCY_DATELINE, _WIRE_DATELINE):
            match = pattern.match(line)
            if match:
                date_text = match.group("date")
                date = parse_date(date_text, None) if date_text else None
                return match.group(0).strip(" -–—"), match.group("outlet").strip(), date
        match = _DATE_LINE.match(line) or _PUBLISHED_LINE.match(line)
        if match:
            return line, None, parse_date(match.group("date"), None)
    return None, None, None


def lead_date(text: str) -> str | None:
    """Return the latest day-precise date named in the first paragraphs, or None."""
    values = [
        time.value
        for time in find_times(text[:_LEAD_CHARS], None)
        if time.type == "DATE" and re.fullmatch(r"(\d{4}|XXXX)-\d{2}-\d{2}", time.value)
    ]
    return max(values, key=lambda value: value[5:]) if values else None


def text_year(text: str) -> str | None:
    """Return the year the text names most often, or None."""
    years = Counter(_YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def _year_of(value: str | None) -> str | None:
    match = _ISO_DATE.match(value or "")
    return match.group(1) if match else None
