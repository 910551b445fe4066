"""Time expressions in German, French, Spanish, Russian, Ukrainian and Polish news.

Explicit calendar dates ("25. Januar 2022", "el 25 de enero", "24 лютого 2022 року", "25.01.2022")
and the days named from the article's date ("gestern", "hier", "вчора") are normalised to TIMEX3
DATE values. Month and weekday names and the words for those days come from dateparser's language
data, read once per language; no dateparser parsing runs, so the cost is one regex pass over the
text. Spans leave out prepositions and articles ("am", "le", "el") as the English tagger does.
A date without a year takes the year that puts it nearest the article's date; without one the
value stays partial ("XXXX-01-25").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache

from dateparser.languages.loader import default_loader

from storyline.model import TimeExpression

LANGUAGES = ("de", "fr", "es", "ru", "uk", "pl")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Languages that write a word for "year" after the number: "2022 года", "2022 року", "2022 r.".
_YEAR_WORD_AFTER = frozenset({"ru", "uk", "pl"})
_DAYS_AGO = re.compile(r"(\d) day ago")  # dateparser's key for "today", "yesterday", ...
_DAY = r"(?<![\d.,])(?:[12]\d|3[01]|0?[1-9])(?:\.|er)?"  # "25.", "1er"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)(?!\d)"


def language_of(code: str | None) -> str | None:
    """Return the supported language a language tag names ("de-AT" gives "de"), else None."""
    base = re.split(r"[-_]", code.strip().lower())[0] if code else None
    return base if base in LANGUAGES else None


@cache
def _info(lang: str) -> dict:
    """Return dateparser's language data for `lang` (names of months, weekdays, relative days)."""
    return default_loader.get_locale(lang).info


def _full_forms(names: Iterable[str]) -> set[str]:
    """Return the lower-case names that are not a strict prefix of another: abbreviations are."""
    lowered = {name.lower() for name in names}
    return {a for a in lowered if not any(b != a and b.startswith(a) for b in lowered)}


@cache
def _months(languages: tuple[str, ...]) -> dict[str, tuple[int, bool]]:
    """Return each lower-case month name of `languages` with its month and whether it is a full form."""
    months: dict[str, tuple[int, bool]] = {}
    for lang in languages:
        for number, key in enumerate(_MONTH_KEYS, start=1):
            names = _info(lang)[key]
            full = _full_forms(names)
            months.update({name.lower(): (number, name.lower() in full) for name in names})
    return months


def _alternation(words: Iterable[str]) -> str:
    """Return a regex alternation of `words`, longest first, any apostrophe matching ' or ’."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace("'", "['’]") for w in ordered)


@cache
def _month_regex(languages: tuple[str, ...]) -> str:
    """Return a regex for a month name; an abbreviation needs its dot or a year after it."""
    months = _months(languages)
    full = _alternation(name for name, (_, is_full) in months.items() if is_full)
    short = _alternation(name for name, (_, is_full) in months.items() if not is_full)
    return rf"(?i:(?:{full})(?!\w)|(?:{short})(?:\.|(?=\s+(?:del?\s+)?{_YEAR})))"


@cache
def _weekday_regex(languages: tuple[str, ...]) -> str:
    """Return a regex for a weekday written out in full ("Dienstag", "martes", "вторник")."""
    names = [
        name
        for lang in languages
        for key in _WEEKDAY_KEYS
        for name in _full_forms(_info(lang)[key])
        if len(name) > 3
    ]
    return rf"(?i:(?:{_alternation(names)})(?!\w))"


@cache
def _year_word_regex(languages: tuple[str, ...]) -> str:
    """Return a regex for the optional word for "year" after a number ("года", "р.", "roku")."""
    words = [w for lang in languages if lang in _YEAR_WORD_AFTER for w in _info(lang)["year"]]
    # A word may carry one more case ending than the data lists ("rok" gives "roku"), or a dot.
    return rf"(?:\s+(?i:{_alternation(w.lower() for w in words)})\w?\.?(?!\w))?" if words else ""


def _calendar_date(languages: tuple[str, ...], named: bool) -> str:
    """Return the regex of a day-month date with optional weekday and year, groups named or not."""

    def group(name: str, body: str) -> str:
        return f"(?P<{name}>{body})" if named else f"(?:{body})"

    return (
        rf"(?:{_weekday_regex(languages)},?\s+)?{group('day', _DAY)}\s+(?:de\s+)?"
        rf"{group('mon', _month_regex(languages))}"
        rf"(?:\s+(?:del?\s+)?{group('year', _YEAR)}{_year_word_regex(languages)})?"
    )


@cache
def date_pattern(languages: tuple[str, ...]) -> str:
    """Return a regex without groups for a calendar date written in one of `languages`."""
    return _calendar_date(languages, named=False)


@cache
def _relative_days(lang: str) -> dict[str, int]:
    """Return the words of `lang` for today and the days before it, with their day offsets."""
    words: dict[str, int] = {}
    for key, forms in _info(lang)["relative-type"].items():
        ago = _DAYS_AGO.fullmatch(key)
        # Days ahead are left out: "morgen" and "mañana" also mean "morning".
        if ago:
            words.update({_key(form): -int(ago.group(1)) for form in forms})
    return words


@cache
def _tagger(lang: str) -> re.Pattern[str]:
    """Return the one pattern that finds every kind of date the tagger knows in `lang`."""
    languages = (lang,)
    month_year = (
        rf"(?P<my_mon>{_month_regex(languages)})\s+(?:del?\s+)?(?P<my_year>{_YEAR})"
        rf"{_year_word_regex(languages)}"
    )
    numeric = r"(?<![\w./-])(?P<nd>\d{1,2})(?P<sep>[./])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4})(?![\w/]|\.\d)"
    iso = r"(?<![\w.-])(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)(?![\w-])"
    relative = rf"(?<!\w)(?P<rel>(?i:{_alternation(_relative_days(lang))}))(?!\w)"
    return re.compile(
        rf"{_calendar_date(languages, named=True)}|{month_year}|{numeric}|{iso}|{relative}"
    )


def find_times_multilingual(text: str, anchor: str | None, lang: str) -> list[TimeExpression]:
    """Return the calendar dates and relative days in `text`, written in `lang`, as TIMEX3 DATEs.

    `anchor` is the article's date (ISO, partial "XXXX-02-24", or None). Offsets index into
    `text`. Numeric dates are day first ("05/02/2022" is 5 February). Cost: one regex pass.
    """
    # Imported here because timex imports this module to dispatch non-English text to it.
    from storyline.analyse.timex import resolve_year, shift_day

    found = []
    for m in _tagger(lang).finditer(text):
        if m.group("rel"):
            value = shift_day(anchor, _relative_days(lang)[_key(m.group("rel"))]) or "XXXX-XX-XX"
        elif m.group("my_mon"):
            value = f"{m.group('my_year')}-{_month_number(lang, m.group('my_mon')):02d}"
        elif (day := _day_of(m, lang)) is None:
            continue
        elif day[0] is None:
            value = resolve_year(f"XXXX-{day[1]:02d}-{day[2]:02d}", anchor)
        else:
            value = f"{day[0]:04d}-{day[1]:02d}-{day[2]:02d}"
        found.append(TimeExpression(m.group(0), m.start(), m.end(), "DATE", value))
    return found


def _key(word: str) -> str:
    """Return the lookup key of a matched word: lower case, with a straight apostrophe."""
    return word.lower().replace("’", "'").rstrip(".")


def _month_number(lang: str, name: str) -> int:
    """Return the month number of a matched month name ("févr." gives 2)."""
    return _months((lang,))[_key(name)][0]


def _day_of(m: re.Match[str], lang: str) -> tuple[int | None, int, int] | None:
    """Return the (year or None, month, day) of a matched day-precise date; None if impossible."""
    if m.group("iy"):
        year, month, day = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
    elif m.group("ny"):
        year, month, day = int(m.group("ny")), int(m.group("nm")), int(m.group("nd"))
    else:
        year = int(m.group("year")) if m.group("year") else None
        month, day = _month_number(lang, m.group("mon")), int(re.sub(r"\D", "", m.group("day")))
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: "29 février" stays possible
    except ValueError:
        return None
    return year, month, day
