"""Metadata found in the text when the file has none: the dateline, the outlet and the date.

Datelines are read in English and in the languages of `timex_multilingual` ("BERLIN, 25. Januar
2022 (dpa) -", "Paris, le 24 février 2022 -", "Veröffentlicht am 25.01.2022"), whatever language
the article is tagged with. A date without a year takes the year from the article's own text, then
from `--date`, and is never earlier than the past events the text reports with their years;
otherwise it stays partial ("XXXX-02-24") and is never invented. The pipeline may later take the
year from the article's story.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from storyline.analyse.timex import find_times, in_future_clause, parse_date
from storyline.analyse.timex_multilingual import LANGUAGES, date_pattern
from storyline.clean.rules import PUBLICATION_WORDS, publication_opening
from storyline.model import Article
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
        year = text_year(article.text) or _year_of(settings.default_date)
        if year:
            date = after_reported_dates(year + date[4:], article.text, article.lang)
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


def text_year(text: str) -> str | None:
    """Return the year the text names most often, or None."""
    years = Counter(_YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None


def after_reported_dates(value: str, text: str, lang: str | None = None) -> str:
    """Return the date `value`, moved on by whole years if need be to follow the past it reports.

    A dateline reports past events, so it is not earlier than the latest day the text names with
    its year outside a future-tense clause ("a sample taken on December 25, 2021" dates "February
    11th" to 2022, not 2021); tense is read from English cues only. Months are left out: "an
    attack in January-February 2022" is as often a forecast. Cost: one `find_times` pass.
    """
    reported = [
        t.value
        for t in find_times(text, None, lang)
        if t.type == "DATE"
        and _DATED_DAY.fullmatch(t.value)
        and not in_future_clause(text, t.start, t.end)
    ]
    if not reported:
        return value
    latest = max(reported)
    year = int(latest[:4])
    if f"{year:04d}{value[4:]}" < latest:
        year += 1
    return f"{max(year, int(value[:4])):04d}{value[4:]}"


def _year_of(value: str | None) -> str | None:
    match = _ISO_DATE.match(value or "")
    return match.group(1) if match else None
