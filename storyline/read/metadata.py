"""Metadata found in the text when the file has none: the dateline, the outlet and the date.

Datelines are read in English and in the languages of `timex_multilingual` ("BERLIN, 25. Januar
2022 (dpa) -", "Paris, le 24 février 2022 -", "Veröffentlicht am 25.01.2022"), whatever language
the article is tagged with. A date without a year takes the year nearest to `--date` where it is
given, else the year of the article's own text, never earlier than the past events the text
reports with their years nor later than the ones it announces; otherwise it stays partial
("XXXX-02-24") and is never invented. The pipeline may later take the year from the article's story.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import replace

from storyline.analyse.timex import find_times, in_future_clause, parse_date, resolve_year
from storyline.analyse.timex_multilingual import LANGUAGES, date_pattern
from storyline.clean.rules import PUBLICATION_WORDS, publication_opening
from storyline.model import Article, TimeExpression
from storyline.settings import Settings

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY_MONTH = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH})"
_DATE = rf"(?:{_DAY_MONTH}(?:,?\s+\d{{4}})?|{date_pattern(LANGUAGES)})"
_NAME = r"[A-Z][\w.&'’ -]{1,60}?"
_PLACE = r"[^\W\d_][\w.'/ -]{1,40}?"  # any script: "BRUSSELS", "МОСКВА", "HAMBURG/KÖLN"
_SEPARATOR = r"(?P<sep>\s*\.?\s*[-–—]+\s*)"  # " - ", " — ", ".-"

# "Xinhua News Agency, Brussels, February 24th (Reporter Ren Ke)"
_AGENCY_DATELINE = re.compile(
    rf"^(?P<outlet>{_NAME}),\s*(?P<place>[A-Z][\w.' -]{{1,40}}?),\s*(?P<date>{_DATE})"
    r"(?:\s*\((?P<credit>[^)\n]{1,80})\))?"
)
# "BRUSSELS, Feb 24 (Reuters) -", "KYIV, Ukraine (AP) —", "MADRID, 25 de enero de 2022 (EFE).-"
_WIRE_DATELINE = re.compile(
    rf"^(?P<place>{_PLACE})(?:,\s*[A-Z][a-z]+)?(?:,\s*(?P<date>{_DATE}))?"
    rf"\s*\((?P<outlet>[^\W\d_][\w.&' -]{{1,30}})\){_SEPARATOR}"
)
# "Paris, le 24 février 2022 -", "Berlin, den 25. Januar 2022 -", "Київ, 24 лютого 2022"
_PLACE_DATELINE = re.compile(
    rf"^(?P<place>{_PLACE}),\s*(?:(?:le|den|el)\s+)?(?P<date>{_DATE})(?:{_SEPARATOR}|\s*$)"
)
# "Published 25.01.2022, 09:40 EET | Tallinn", "Updated: March 3, 2022", "Monde | Publié le 24/02/2022"
_PUBLISHED_LINE = re.compile(
    rf"(?:(?P<english>{publication_opening('en')})|"
    rf"{publication_opening(*(lang for lang in PUBLICATION_WORDS if lang != 'en'))})"
    r"(?P<date>[^|,]+(?:,\s*\d{4})?)",
    re.IGNORECASE,
)
# A line holding only a date, as pages print above the body: "Wednesday, July 28, 2004"
_DATE_LINE = re.compile(rf"^(?:[A-Z][a-z]+day,?\s+)?(?P<date>{_DATE})\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_DATED_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day with its year
_LEAD_CHARS = 600
_DATELINE_LINES = 3
# The languages a dateline's date is read in, None being English. No month name means two
# different months in any two of them, and all but English write numbers day first.
_DATELINE_LANGUAGES: tuple[str | None, ...] = (*LANGUAGES, None)


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
        date = with_year(date, article.text, article.lang, normalize_date(settings.default_date))
    return replace(article, source=source, date=date, date_source=date_source, dateline=dateline)


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
        for pattern in (_AGENCY_DATELINE, _WIRE_DATELINE, _PLACE_DATELINE):
            match = pattern.match(line)
            if match:
                date_text = match.group("date")
                date = _read_date(date_text, _DATELINE_LANGUAGES) if date_text else None
                outlet = match.groupdict().get("outlet")
                return _dateline_text(match), outlet.strip() if outlet else None, date
        match = _DATE_LINE.match(line)
        if match:
            return line, None, _read_date(match.group("date"), _DATELINE_LANGUAGES)
        match = _PUBLISHED_LINE.match(line)
        if match:
            languages = (None,) if match.group("english") else LANGUAGES
            return line, None, _read_date(match.group("date"), languages)
    return None, None, None


def _dateline_text(match: re.Match[str]) -> str:
    """Return the matched dateline without the dash that separates it from the story."""
    sep = match.groupdict().get("sep")
    return match.group(0)[: match.start("sep")] if sep else match.group(0).strip()


def _read_date(text: str, languages: tuple[str | None, ...]) -> str | None:
    """Return the first calendar date in `text` read in the first of `languages` that finds one."""
    return next((value for lang in languages if (value := parse_date(text, None, lang))), None)


def lead_date(text: str) -> str | None:
    """Return the latest day-precise date named in the first paragraphs, or None."""
    values = [
        time.value
        for time in find_times(text[:_LEAD_CHARS], None)
        if time.type == "DATE" and re.fullmatch(r"(\d{4}|XXXX)-\d{2}-\d{2}", time.value)
    ]
    return max(values, key=lambda value: value[5:]) if values else None


def with_year(value: str, text: str, lang: str | None = None, reference: str | None = None) -> str:
    """Return the yearless date `value` ("XXXX-02-11") with a year, or unchanged if none is known.

    A reference day (`--date`, the day the articles are from) gives the year that puts the
    date nearest to it. Without one the text does: a dateline follows the past events it reports
    and precedes the ones it announces, so the year the text names most often is moved on to the
    first year on or after the latest past day the text names with its year ("a sample taken on
    December 25, 2021" dates "February 11th" to 2022), and back to the last year on or before the
    earliest announced one ("talks will resume on January 10, 2022" dates "December 20th" to
    2021); where the two disagree, the past wins. Tense is read from English cues only; a
    February 29th put in a common year stays partial. Cost: one `find_times` pass.
    """
    if reference and _DATED_DAY.fullmatch(reference):
        return resolve_year(value, reference)
    month_day = value[4:]
    times = [
        (time, in_future_clause(text, time.start, time.end))
        for time in find_times(text, None, lang)
        if time.type == "DATE"
    ]
    # Months are left out: "an attack in January-February 2022" is as often a forecast.
    days = [(t.value, announced) for t, announced in times if _DATED_DAY.fullmatch(t.value)]
    past = [day for day, announced in days if not announced]
    future = [day for day, announced in days if announced]
    earliest = _year_on_or_after(month_day, max(past)) if past else None
    latest = _year_on_or_before(month_day, min(future)) if future else None
    if earliest is not None and latest is not None and latest < earliest:
        latest = None
    year = _most_named_year(text, times) or earliest or latest
    if year is None:
        return value
    year = max(year, earliest or year)
    year = min(year, latest or year)
    dated = f"{year:04d}{month_day}"
    return dated if _exists(dated) else value


def _most_named_year(text: str, times: list[tuple[TimeExpression, bool]]) -> int | None:
    """Return the year the text names most often outside future-tense clauses, or None.

    A year takes the tense of the time expression it is part of (`times`, each with whether it
    is announced). Years named only in future-tense clauses ("emissions will halve by 2030")
    count when the text names no other.
    """
    named = []
    for match in _YEAR.finditer(text):
        covering = (a for t, a in times if t.start <= match.start() and match.end() <= t.end)
        announced = next(covering, None)
        if announced is None:
            announced = in_future_clause(text, match.start(), match.end())
        named.append((int(match.group(1)), announced))
    years = Counter(year for year, announced in named if not announced)
    years = years or Counter(year for year, _ in named)
    return years.most_common(1)[0][0] if years else None


def _year_on_or_after(month_day: str, day: str) -> int:
    """Return the first year whose `month_day` ("-02-11") falls on or after `day`."""
    year = int(day[:4])
    return year if f"{year:04d}{month_day}" >= day else year + 1


def _year_on_or_before(month_day: str, day: str) -> int:
    """Return the last year whose `month_day` ("-12-20") falls on or before `day`."""
    year = int(day[:4])
    return year if f"{year:04d}{month_day}" <= day else year - 1


def _exists(value: str) -> bool:
    """Return True if the ISO day or month `value` is on the calendar ("2022-02-29" is not)."""
    try:
        datetime.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        return False
    return True
