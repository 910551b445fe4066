"""Rule-based time tagging: find time expressions in news text and normalise them to TIMEX3 values.

HeidelTime/SUTime-style: precompiled patterns propose candidate spans, the longest non-overlapping
ones win, and each is resolved in reading order against the document creation time (the anchor) or,
for anaphoric expressions ("the day before", "the next day", "on the 24th"), against the last
date the text mentioned. Conventions follow the TimeML/TimeBank annotation guidelines: spans include
determiners and modifiers ("the past two months", "early next year"), prepositions are left out,
and in "two days later" the time is the duration "two days" ("later" is a signal).
A year is never invented: without an anchor year and without one in the text, values stay partial
("XXXX-02-24").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from storyline.analyse.timex_multilingual import find_times_multilingual, language_of
from storyline.model import TimeExpression

# ---------------------------------------------------------------------------------------------
# Vocabulary

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 7,
}  # fmt: skip
_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "a": 1,
    "an": 1, "a couple of": 2, "a dozen": 12, "dozen": 12, "half a": 0.5, "half an": 0.5,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "twenty-first": 21, "twenty-second": 22,
    "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25, "twenty-sixth": 26,
    "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29, "thirty-first": 31,
}  # fmt: skip
_VAGUE = ("a few", "few", "several", "some", "many", "a number of", "a couple")
# TIMEX3 unit letters; decades and centuries become years so that values compare as numbers
# (a vague "decades" keeps its TimeML unit: "PXE").
_UNITS = {
    "second": ("S", 1), "minute": ("M", 1), "hour": ("H", 1), "day": ("D", 1), "week": ("W", 1),
    "fortnight": ("W", 2), "month": ("M", 1), "quarter": ("Q", 1), "year": ("Y", 1),
    "decade": ("Y", 10), "century": ("Y", 100), "centurie": ("Y", 100), "millenni": ("Y", 1000),
}  # fmt: skip
_PART_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_DECADE_WORDS = {
    "twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
    "eighties": 8, "nineties": 9,
}  # fmt: skip
_POSITION_MOD = {
    "early": "START", "earlier": "START", "the beginning of": "START", "the start of": "START",
    "the first half of": "START", "mid": "MID", "the middle of": "MID", "late": "END",
    "later": "END", "the end of": "END", "the close of": "END", "the second half of": "END",
    "the turn of": "END",
}  # fmt: skip
_QUANT_MOD = {
    "about": "APPROX", "around": "APPROX", "approximately": "APPROX", "roughly": "APPROX",
    "some": "APPROX", "nearly": "LESS_THAN", "almost": "LESS_THAN", "less than": "LESS_THAN",
    "under": "LESS_THAN", "fewer than": "LESS_THAN", "more than": "MORE_THAN", "over": "MORE_THAN",
    "at least": "EQUAL_OR_MORE", "up to": "EQUAL_OR_LESS", "no more than": "EQUAL_OR_LESS",
    "at most": "EQUAL_OR_LESS",
}  # fmt: skip


def _alt(words: Iterable[str]) -> str:
    """Return a regex alternation of `words`, longest first, with spaces matching any whitespace."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def _cased(words: Iterable[str]) -> str:
    """Return an alternation of `words` in Title case and UPPER case (proper names only)."""
    return _alt([w.title() for w in words] + [w.upper() for w in words])


_MONTH_FULL = [m for m in _MONTHS if len(m) > 4 or m in ("may", "june", "july")]
_MONTH_ABBR = [m for m in _MONTHS if m not in _MONTH_FULL]
# An abbreviation needs its dot (or a following day) to tell "Mar." from other words.
MONTH = rf"(?:(?:{_cased(_MONTH_FULL)})|(?:{_cased(_MONTH_ABBR)})\.?)(?![A-Za-z])"
WEEKDAY = rf"(?:{_cased(_WEEKDAYS)})"
_NUM_WORD = (
    rf"(?:(?:{_alt(_TENS)})(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine)(?![a-z]))?"
    rf"|{_alt(k for k in _SMALL)})"
)
NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:\s+1/2)?|(?i:{_NUM_WORD})"
    rf"(?:\s+(?i:hundred|thousand))?(?:\s+(?i:and\s+a\s+half))?)"
)
UNIT = (
    r"(?i:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|quarters?|years?|decades?"
    r"|century|centuries|millenni(?:um|a))(?![a-z])"
)
YEAR4 = r"(?:1[6-9]\d\d|20\d\d)"
_POS = rf"(?i:{_alt(_POSITION_MOD)})"
_QMOD = rf"(?i:{_alt(_QUANT_MOD)})"
DAYNUM = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DAY_ORD = rf"(?i:{_alt(_ORDINALS)})"

_SPOKEN_YEAR = re.compile(
    r"(?P<c>nineteen|twenty)\s+(?:hundred\s+(?:and\s+)?)?(?P<rest>[a-z -]+)|"
    r"(?:the\s+year\s+)?two\s+thousand(?:\s+and\s+(?P<rest2>[a-z -]+))?",
    re.IGNORECASE,
)
SPOKEN_YEAR = (
    rf"(?i:\b(?:nineteen|twenty)\s+(?:hundred\s+(?:and\s+)?)?(?:(?:{_alt(_TENS)})"
    rf"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|"
    rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|oh[\s-][a-z]+)(?![\w-])"
    rf"|\bthe\s+year\s+two\s+thousand(?:\s+and\s+(?:one|two|three|four|five|six|seven|eight|nine"
    rf"|ten))?\b)"
)


def _spoken_year_number(text: str) -> int | None:
    """Return the year a spoken year denotes ("nineteen ninety-four" is 1994), else None."""
    g = _SPOKEN_YEAR.fullmatch(text)
    if g is None:
        return None
    if g.group("c"):
        rest = g.group("rest").lower().replace("oh ", "").replace("oh-", "")
        n = _number(rest)
        if n is None or n >= 100:
            return None
        return (19 if g.group("c").lower() == "nineteen" else 20) * 100 + int(n)
    n = _number(g.group("rest2")) if g.group("rest2") else 0
    return None if n is None else 2000 + int(n)


def _year_number(digits: str | None, spoken: str | None) -> int | None:
    """Return the year of a numeric or a spoken year group, whichever matched."""
    if digits:
        return int(digits)
    return _spoken_year_number(spoken) if spoken else None


# Verbs and markers that put a clause in the future: weekdays and months then point forward.
_FUTURE = re.compile(
    r"\b(?:will|won't|'ll|shall|going\s+to|is\s+to|are\s+to|plans?\s+to|planned|scheduled|"
    r"due|expects?\s+to|expected\s+to|upcoming|next|until|till|intends?\s+to|set\s+to|would)\b",
    re.IGNORECASE,
)
_STRONG_FUTURE = re.compile(
    r"\b(?:will|won't|'ll|shall|going\s+to|scheduled|upcoming|next|set\s+to|is\s+to|are\s+to|"
    r"expects?\s+to|plans?\s+to)\b",
    re.IGNORECASE,
)

# Single words that mark the verb a time depends on as future or past ("will meet Friday",
# "met Friday"). Regular past forms in -ed count as past unless listed as forward-looking.
_FUTURE_CUES = frozenset({
    "will", "'ll", "wo", "shall", "would", "going", "scheduled", "slated", "due", "expected",
    "expects", "expect", "plans", "plan", "hopes", "hope", "aims", "aim", "intends", "intend",
    "set", "upcoming",
})  # fmt: skip
_PAST_CUES = frozenset({
    "said", "told", "met", "began", "begun", "came", "went", "made", "took", "gave", "held",
    "left", "fell", "rose", "won", "lost", "saw", "sent", "brought", "found", "got", "paid", "ran",
    "struck", "spoke", "wrote", "flew", "led", "kept", "sold", "bought", "thought", "fought",
    "broke", "chose", "drove", "shot", "stood", "threw", "became", "knew", "quit", "sought", "was",
    "were", "had", "did", "arrived", "died", "killed", "ended", "announced", "reported",
})  # fmt: skip
# A plan seen from the past ("had been due to ...") and -ed words that look forward.
_PAST_PLAN = frozenset({"had", "previously", "originally"})
_NOT_PAST_ED = frozenset(
    {"scheduled", "expected", "planned", "proposed", "intended", "slated", "needed"}
)

# ---------------------------------------------------------------------------------------------
# Reference dates


@dataclass(frozen=True)
class _Point:
    """A calendar point at some granularity; `year_known` False means the year is "XXXX"."""

    day: date
    gran: str  # D, W, M, Q, H, Y, DE, CE
    year_known: bool = True


_PLACEHOLDER_YEAR = 2000  # a leap year, so that "XXXX-02-29" stays representable


def _parse_point(value: str | None) -> _Point | None:
    """Return the point a TIMEX3 date value denotes, or None if it is not a calendar point."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4}|XXXX)(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4])|-W(\d{2}))?(?:T.*)?", value)
    if m is None:
        return None
    year_known = m.group(1) != "XXXX"
    year = int(m.group(1)) if year_known else _PLACEHOLDER_YEAR
    try:
        if m.group(3):
            return _Point(date(year, int(m.group(2)), int(m.group(3))), "D", year_known)
        if m.group(2):
            return _Point(date(year, int(m.group(2)), 1), "M", year_known)
        if m.group(4):
            return _Point(date(year, 3 * int(m.group(4)) - 2, 1), "Q", year_known)
        if m.group(5) and year_known:
            return _Point(date.fromisocalendar(year, int(m.group(5)), 1), "W", True)
    except ValueError:
        return None
    return _Point(date(year, 1, 1), "Y", year_known) if year_known else None


def _fmt(p: _Point, gran: str | None = None) -> str:
    """Return the TIMEX3 value of `p` at granularity `gran` (default: its own)."""
    g = gran or p.gran
    d = p.day
    y = f"{d.year:04d}" if p.year_known else "XXXX"
    if g == "D":
        return f"{y}-{d.month:02d}-{d.day:02d}"
    if g == "M":
        return f"{y}-{d.month:02d}"
    if g == "Q":
        return f"{y}-Q{(d.month - 1) // 3 + 1}"
    if g == "H":
        return f"{y}-H{1 if d.month <= 6 else 2}"
    if g == "W":
        if not p.year_known:
            return "XXXX-WXX"
        iso = d.isocalendar()
        return f"{iso[0]:04d}-W{iso[1]:02d}"
    if g == "DE":
        return y[:3]
    if g == "CE":
        return y[:2]
    return y


def _add_months(d: date, n: int) -> date:
    """Return `d` moved by `n` months, clamping the day to the target month's length."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, 28)


def _shift(p: _Point, n: int, unit: str) -> _Point:
    """Return `p` moved by `n` units (D, W, M, Q, Y), at the coarser of both granularities."""
    if unit == "D":
        return _Point(p.day + timedelta(days=n), "D", p.year_known)
    if unit == "W":
        return _Point(p.day + timedelta(weeks=n), "W" if p.gran != "D" else "D", p.year_known)
    months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}[unit] * n
    return _Point(_add_months(p.day, months), p.gran, p.year_known)


# ---------------------------------------------------------------------------------------------
# Resolution context


@dataclass
class _Context:
    """What resolution needs: the text, the anchor, and the last date and quarter mentioned."""

    text: str
    anchor: _Point | None
    last: _Point | None
    last_quarter: tuple[_Point, int] | None = None  # the quarter and where it was mentioned
    last_year: _Point | None = None  # the last point of any granularity, for "that year"
    start: int = 0
    end: int = 0

    def future(self, strong: bool = False) -> bool:
        """Return True if the clause around the current expression speaks of the future.

        A past verb right before the expression ("said Monday it will ...") settles it as past;
        otherwise any future marker in the clause counts. A nearby future cue alone is not
        trusted more than the clause: reported plans are mostly dated by their report.
        """
        if self.governing_tense() == "past":
            return False
        left = max(0, self.start - 60)
        for stop in ("\n", ". ", "? ", "! ", "; "):
            cut = self.text.rfind(stop, left, self.start)
            if cut >= 0:
                left = cut + 1
        right = min(len(self.text), self.end + 40)
        for stop in ("\n", ". ", "? ", "! ", "; "):
            cut = self.text.find(stop, self.end, right)
            if cut >= 0:
                right = cut
        window = self.text[left : self.start] + " " + self.text[self.end : right]
        pattern = _STRONG_FUTURE if strong else _FUTURE
        return pattern.search(window) is not None

    def governing_tense(self) -> str | None:
        """Return "past" or "future" from the nearest verb cue left of the expression, else None.

        News puts the time right after the verb it dates ("said Monday", "met on Tuesday",
        "will travel to Paris on Friday"), so the closest tensed word in the clause decides;
        a "will" further on ("said Monday it will ...") belongs to another verb.
        """
        left = self.text[max(0, self.start - 70) : self.start]
        for stop in ("\n", ". ", "? ", "! ", "; ", ", ", " that ", " and ", " but ", " who "):
            cut = left.rfind(stop)
            if cut >= 0:
                left = left[cut + len(stop) :]
        words = [w.lower() for w in re.findall(r"[A-Za-z']+", left)[-8:]]
        for k in range(len(words) - 1, -1, -1):
            w = words[k]
            if w in _FUTURE_CUES:
                # "had been due to expire Friday": a plan seen from the past, now gone by.
                return "past" if _PAST_PLAN.intersection(words[:k]) else "future"
            if w in _PAST_CUES or (w.endswith("ed") and len(w) > 4 and w not in _NOT_PAST_ED):
                if k > 0 and words[k - 1] == "be":
                    continue  # "will be named in December": the auxiliary carries the tense
                return "past"
        return None

    def after_since(self) -> bool:
        """Return True if the expression follows "since", which always looks back."""
        return (
            re.search(r"\bsince\s+$", self.text[max(0, self.start - 8) : self.start], re.I)
            is not None
        )

    def reference(self) -> _Point | None:
        """Return the last date mentioned, else the anchor: what anaphoric expressions resolve to."""
        return self.last or self.anchor


@dataclass(frozen=True)
class _Value:
    """A resolved expression before it becomes a `TimeExpression`."""

    type: str
    value: str
    mod: str | None = None
    point: _Point | None = None  # set when the value is a calendar point later anaphora can use


_Resolver = Callable[[_Context], "_Value | None"]
# A rule gives a resolver, or a resolver and the span it covers when that is not the whole match.
_Found = _Resolver | tuple[_Resolver, tuple[int, int]] | None


@dataclass(frozen=True)
class _Candidate:
    """A span a rule proposed, with the resolver that normalises it in context."""

    start: int
    end: int
    resolve: _Resolver
    priority: int = 0


def _undated(gran: str) -> str:
    """Return the TIMEX3 value of an unknown date at granularity `gran` ("XXXX-XX-XX")."""
    return {"D": "XXXX-XX-XX", "M": "XXXX-XX", "W": "XXXX-WXX", "Q": "XXXX-QX"}.get(gran, "XXXX")


def _point_value(p: _Point | None, gran: str, mod: str | None = None, kind: str = "DATE") -> _Value:
    """Return a `_Value` for point `p` at `gran`, or the undated value when `p` is unknown."""
    if p is None:
        return _Value(kind, _undated(gran), mod)
    q = _Point(p.day, gran, p.year_known)
    return _Value(kind, _fmt(q), mod, q)


def _year_for(ctx: _Context, month: int, day: int | None) -> tuple[int, bool]:
    """Return the year a month (and day) without a year most likely means, and whether known.

    The nearest such date to the anchor, with distances on the wrong side of the clause's tense
    counting double: news mostly reports the recent past, and announces what comes next.
    """
    a = ctx.anchor
    if a is None or not a.year_known:
        return _PLACEHOLDER_YEAR, False
    future = ctx.future() and not ctx.after_since()
    costs = []
    for year in (a.day.year - 1, a.day.year, a.day.year + 1):
        try:
            offset = (date(year, month, day or 15) - a.day).days
        except ValueError:
            continue
        wrong_side = offset < 0 if future else offset > 0
        costs.append((abs(offset) * (2 if wrong_side else 1), year))
    return (min(costs)[1] if costs else a.day.year), True


def _make_date(year: int, month: int, day: int | None, known: bool) -> _Point | None:
    """Return a day (or month, when `day` is None) point, or None for an impossible date."""
    try:
        return _Point(date(year, month, day or 1), "D" if day else "M", known)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Number and unit parsing


def _number(text: str) -> float | None:
    """Return the number a numeral or number word denotes, or None when it is vague ("several")."""
    t = re.sub(r"\s+", " ", text.strip().lower()).replace(",", "")
    half = 0.5 if t.endswith(" and a half") else 0.0
    t = t.removesuffix(" and a half")
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t) + half
    if re.fullmatch(r"\d+ 1/2", t):
        return float(t.split()[0]) + 0.5
    scale = 1
    for word, factor in ((" hundred", 100), (" thousand", 1000)):
        if t.endswith(word):
            t, scale = t.removesuffix(word), factor
    if t in ("hundred", "thousand"):
        return float(scale)
    if t in _SMALL:
        return _SMALL[t] * scale + half
    parts = re.split(r"[\s-]", t)
    if parts[0] in _TENS:
        rest = _SMALL.get(parts[1], 0) if len(parts) > 1 else 0
        return (_TENS[parts[0]] + rest) * scale + half
    return None


def _unit(text: str) -> tuple[str, int, bool]:
    """Return the TIMEX3 letter of a unit word, its multiplier, and whether it is a clock unit."""
    t = text.lower().rstrip("s")
    for stem, (letter, mult) in _UNITS.items():
        if t.startswith(stem):
            return letter, mult, stem in ("second", "minute", "hour")
    return "D", 1, False


_VAGUE_LONG_UNITS = {10: "E", 100: "C", 1000: "L"}
_SMALLER = {("Y", False): (12, "M", False), ("M", False): (30, "D", False),
            ("W", False): (7, "D", False), ("D", False): (24, "H", True),
            ("H", True): (60, "M", True), ("M", True): (60, "S", True)}  # fmt: skip


def _duration(n: float | None, letter: str, mult: int, clock: bool) -> str:
    """Return a TIMEX3 duration ("P3D", "PT24H", "PXY"); halves move to the next smaller unit."""
    prefix = "PT" if clock else "P"
    if n is None:
        # Without a number nothing converts: "decades" keeps its TimeML unit (E, C, L).
        return f"{prefix}X{_VAGUE_LONG_UNITS.get(mult, letter) if letter == 'Y' else letter}"
    total = n * mult
    if total != int(total) and (letter, clock) in _SMALLER:
        factor, letter, clock = _SMALLER[(letter, clock)]
        total *= factor
        prefix = "PT" if clock else "P"
    amount = int(total) if total == int(total) else round(total, 2)
    return f"{prefix}{amount}{letter}"


def _mod_of(text: str | None, table: dict[str, str]) -> str | None:
    """Return the TIMEX3 MOD a modifier phrase maps to in `table`, if any."""
    if not text:
        return None
    key = re.sub(r"[\s-]+", " ", text.strip().lower()).strip()
    return table.get(key)


# ---------------------------------------------------------------------------------------------
# Rules: each turns a match into a resolver, or None when the match is not a time expression


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: Callable[[re.Match[str]], _Found]
    priority: int
    near: re.Pattern[str] | None  # a keyword every match contains, to scan only around it


_RULES: list[_Rule] = []
_NEAR_BEFORE, _NEAR_AFTER = 90, 40  # how far a match may reach before and after its keyword
_UNIT_WORD = r"(?i:second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur|millenni)"


def _rule(pattern: str, priority: int = 0, word_start: bool = True, near: str | None = None):
    """Register the decorated function as the handler of `pattern`.

    With `word_start` the match must begin at a word boundary, which lets the regex engine skip
    positions inside words at once (three times faster on news). With `near`, only the text
    around that keyword is scanned.
    """
    compiled = re.compile(rf"\b(?:{pattern})" if word_start else pattern)
    keyword = re.compile(near) if near else None

    def register(handler):
        _RULES.append(_Rule(compiled, handler, priority, keyword))
        return handler

    return register


def _month_of(token: str) -> int:
    return _MONTHS[token.lower().rstrip(".")]


def _day_of(token: str | None) -> int | None:
    if not token:
        return None
    t = token.lower()
    if t in _ORDINALS:
        return _ORDINALS[t]
    return int(re.sub(r"\D", "", t))


def _explicit_date(year: int | None, month: int, day: int | None, mod: str | None = None):
    """Return a resolver for a month (and day), with the year given or inferred from context."""

    def resolve(ctx: _Context) -> _Value | None:
        if year is not None:
            p = _make_date(year, month, day, True)
        else:
            y, known = _year_for(ctx, month, day)
            p = _make_date(y, month, day, known)
        if p is None:
            return None
        return _Value("DATE", _fmt(p), mod, p)

    return resolve


@_rule(
    rf"\b(?:(?P<wd>{WEEKDAY}),?\s+)?(?P<mon>{MONTH})\s+(?P<day>{DAYNUM}|{_DAY_ORD})(?![\d:/.]\d|\w)"
    rf"(?:,?\s+(?P<year>{YEAR4})(?![\d%]))?",
    priority=2,
    near=rf"(?:{_cased(_MONTHS)})",
)
@_rule(
    rf"\b(?:(?P<wd>{WEEKDAY}),?\s+)?(?:the\s+)?(?P<day>(?<![\d.,$])[0-3]?\d(?:st|nd|rd|th)?)"
    rf"\s+(?:of\s+)?(?P<mon>{MONTH})(?:,?\s+(?P<year>{YEAR4})(?![\d%]))?",
    priority=2,
    near=rf"(?:{_cased(_MONTHS)})",
)
def _month_day(m: re.Match[str]) -> _Resolver | None:
    day = _day_of(m.group("day"))
    if day is None or not 1 <= day <= 31:
        return None
    year = int(m.group("year")) if m.group("year") else None
    return _explicit_date(year, _month_of(m.group("mon")), day)


_MONTH_CONTEXT = re.compile(
    r"(?:\b(?:in|since|until|till|by|during|of|from|to|through|before|after|early|late|mid|"
    r"last|this|next|between|and|or|each|every|on)[\s-]+)$",
    re.IGNORECASE,
)


@_rule(
    rf"(?:(?P<pos>{_POS})[\s-]+)?(?:(?P<rel>(?i:last|this|next|this\s+past|this\s+coming|"
    rf"the\s+coming|the\s+past))\s+)?(?P<mon>{MONTH})(?:,?\s+(?:of\s+)?(?P<year>{YEAR4})(?![\d%])"
    rf"|\s+(?P<ryear>(?i:this|last|next))\s+year|,?\s+(?:of\s+)?(?P<syear>{SPOKEN_YEAR}))?",
    priority=1,
    near=rf"(?:{_cased(_MONTHS)})",
)
def _month(m: re.Match[str]) -> _Resolver | None:
    token = m.group("mon")
    year = _year_number(m.group("year"), m.group("syear"))
    has_context = m.group("pos") or m.group("rel") or year or m.group("ryear")
    if token.lower() in _MONTH_ABBR and not year:
        return None  # "Jan" without a dot or a day is more often a name
    if not has_context:
        # "May", "March" and bare abbreviations are other words unless a preposition frames them.
        before = m.string[max(0, m.start() - 12) : m.start()]
        ambiguous = (
            token.lower().rstrip(".") in ("may", "march")
            or not token.endswith(".")
            and (len(token) <= 4)
        )
        if ambiguous and not _MONTH_CONTEXT.search(before):
            return None
    month = _month_of(token)
    mod = _mod_of(m.group("pos"), _POSITION_MOD)
    if year:
        return _explicit_date(year, month, None, mod)
    if m.group("ryear"):
        offset = {"this": 0, "last": -1, "next": 1}[m.group("ryear").lower()]
        return _relative_month(month, offset, mod, year_relative=True)
    rel = re.sub(r"\s+", " ", (m.group("rel") or "").lower())
    if not rel:
        return _explicit_date(None, month, None, mod)
    offset = {"this": 0, "last": -1, "this past": -1, "the past": -1}.get(rel, 1)
    return _relative_month(month, offset, mod)


def _relative_month(month: int, offset: int, mod: str | None, year_relative: bool = False):
    """Return a resolver for "last April" (the latest April before the anchor) and the like."""

    def resolve(ctx: _Context) -> _Value | None:
        a = ctx.anchor
        if a is None or not a.year_known:
            return _Value("DATE", f"XXXX-{month:02d}", mod)
        year = a.day.year
        if year_relative:
            year += offset
        elif offset < 0:
            year -= 1 if month >= a.day.month else 0
        elif offset > 0:
            year += 1 if month <= a.day.month else 0
        p = _Point(date(year, month, 1), "M")
        return _Value("DATE", _fmt(p), mod, p)

    return resolve


@_rule(
    r"(?<![\w.-])(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?:[T\s](?P<H>[01]\d|2[0-3]):(?P<M>[0-5]\d))?"
    r"(?![\w-])",
    priority=3,
)
def _iso(m: re.Match[str]) -> _Resolver | None:
    p = _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")), True)
    if p is None:
        return None
    if m.group("H"):
        value = f"{_fmt(p)}T{m.group('H')}:{m.group('M')}"
        return lambda ctx: _Value("TIME", value, None, p)
    return lambda ctx: _Value("DATE", _fmt(p), None, p)


@_rule(
    r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d\d)(?![\w/]|\.\d)",
    priority=3,
)
def _numeric(m: re.Match[str]) -> _Resolver | None:
    a, b, y = int(m.group("a")), int(m.group("b")), m.group("y")
    if len(y) == 2:
        if m.group("sep") == ".":
            return None  # "1.2.10" is more often a version or a score than a date
        y = ("19" if int(y) >= 50 else "20") + y
    # Dots are European day.month.year; slashes are US month/day/year unless that is impossible.
    day, month = (a, b) if m.group("sep") == "." or a > 12 else (b, a)
    p = _make_date(int(y), month, day, True)
    if p is None:
        return None
    return lambda ctx: _Value("DATE", _fmt(p), None, p)


_NOT_A_YEAR_AFTER = re.compile(
    r"\s*(?:%|percent|per\s+cent|people|persons|men|women|troops|soldiers|shares|points|"
    r"tons|tonnes|votes|cars|units|miles|kilometers|km|feet|meters|dollars|euros|yuan|[-/]\d)",
    re.IGNORECASE,
)


@_rule(
    rf"(?:(?P<pos>{_POS})[\s-]+)?(?P<pre>(?i:fiscal(?:\s+year)?|the\s+year|calendar(?:\s+year)?|"
    rf"year)\s+)?(?<![\d$£€#.,/])(?<!\d-)(?P<year>{YEAR4})(?![\d,]\d|\.\d|[\w'’])"
    rf"(?P<post>\s+(?i:or\s+later|or\s+after|and\s+beyond|or\s+earlier|or\s+before))?",
    near=r"\d{4}",
)
def _year(m: re.Match[str]) -> _Resolver | None:
    if _NOT_A_YEAR_AFTER.match(m.string, m.end("year")) and not m.group("pre"):
        return None
    year = int(m.group("year"))
    mod = _mod_of(m.group("pos"), _POSITION_MOD)
    post = (m.group("post") or "").lower()
    if "later" in post or "after" in post or "beyond" in post:
        mod = "ON_OR_AFTER"
    elif post:
        mod = "ON_OR_BEFORE"
    p = _Point(date(year, 1, 1), "Y")
    return lambda ctx: _Value("DATE", str(year), mod, p)


@_rule(SPOKEN_YEAR)
def _spoken_year(m: re.Match[str]) -> _Resolver | None:
    year = _spoken_year_number(m.group(0))
    if year is None:
        return None
    p = _Point(date(year, 1, 1), "Y")
    return lambda ctx: _Value("DATE", str(year), None, p)


@_rule(
    rf"(?:\b|(?=['’]))(?:(?P<pos>{_POS})[\s-]+)?(?:(?i:the)\s+)?(?:(?P<pos2>(?i:early|mid|late))[\s-]+)?"
    rf"(?:(?P<y>1[5-9]\d0|20\d0)'?s|['’](?P<yy>\d0)s|(?P<w>(?i:{_alt(_DECADE_WORDS)})))\b",
    word_start=False,
    near=r"\d0'?s|(?i:ties)\b",
)
def _decade(m: re.Match[str]) -> _Resolver | None:
    text = m.group(0).lower()
    if m.group("w") and not text.startswith(("the", "early", "mid", "late")):
        return None  # "in his forties" is an age
    mod = _mod_of(m.group("pos") or m.group("pos2"), _POSITION_MOD)
    if m.group("y"):
        value = m.group("y")[:3]
        return lambda ctx: _Value("DATE", value, mod)
    digit = int(m.group("yy")[0]) if m.group("yy") else _DECADE_WORDS[m.group("w").lower()]

    def resolve(ctx: _Context) -> _Value:
        a = ctx.anchor
        century = a.day.year // 100 if a and a.year_known else 19
        if a and a.year_known and digit * 10 > a.day.year % 100:
            century -= 1  # "the '90s" written in 2022 are the 1990s
        return _Value("DATE", f"{century:02d}{digit}", mod)

    return resolve


@_rule(
    rf"(?i:\b(?:the\s+)?(?P<n>\d{{1,2}}(?:st|nd|rd|th)|{_alt(_ORDINALS)})[\s-]+century)\b",
    near=r"(?i:century)",
)
def _century(m: re.Match[str]) -> _Resolver | None:
    n = _day_of(m.group("n"))
    if not n:
        return None
    value = f"{n - 1:02d}"
    return lambda ctx: _Value("DATE", value)


# --- weekdays and days around the anchor


def _weekday_point(ctx: _Context, weekday: int, rel: str) -> _Point | None:
    """Return the date of `weekday` near the anchor: the past one in past-tense news.

    "The previous Friday" and "the following Friday" count from the last date mentioned.
    """
    a = ctx.reference() if rel in ("the previous", "the following") else ctx.anchor
    if a is None or a.gran != "D" or not a.year_known:
        return None
    base = a.day
    delta = weekday - base.isoweekday()
    if rel in ("next", "this coming", "coming", "the following"):
        days = delta if delta > 0 else delta + 7
        if rel == "next" and days < 3:
            days += 7
    elif rel in ("last", "this past", "past", "the previous"):
        days = delta if delta < 0 else delta - 7
    elif ctx.future(strong=True):
        days = delta if delta >= 0 else delta + 7
    else:
        days = delta if delta <= 0 else delta - 7
        # A bare weekday six days back would be "last Thursday": unless the verb is past,
        # the anchor's next day is meant ("Thursday" written on a Wednesday).
        if days == -6 and ctx.governing_tense() != "past":
            days = 1
    return _Point(base + timedelta(days=days), "D")


@_rule(
    rf"(?:(?P<pos>(?i:early|late|earlier|later))\s+)?(?:(?P<rel>(?i:last|this|next|this\s+coming|"
    rf"this\s+past|the\s+previous|the\s+following|coming))\s+)?(?P<wd>{WEEKDAY})(?P<plural>s)?"
    rf"(?:\s+(?P<part>(?i:morning|afternoon|evening|night))(?P<plural2>s)?)?\b",
    priority=1,
    near=WEEKDAY,
)
def _weekday(m: re.Match[str]) -> _Resolver | None:
    wd = _WEEKDAYS[m.group("wd").lower()]
    part = _PART_OF_DAY.get((m.group("part") or "").lower())
    if m.group("plural") or m.group("plural2"):
        value = f"XXXX-WXX-{wd}" + (f"T{part}" if part else "")
        return lambda ctx: _Value("SET", value)
    rel = re.sub(r"\s+", " ", (m.group("rel") or "").lower())
    mod = _mod_of(m.group("pos"), _POSITION_MOD)

    def resolve(ctx: _Context) -> _Value:
        p = _weekday_point(ctx, wd, rel)
        # A day with its part ("Friday night") is annotated as a DATE in TimeBank and AQUAINT.
        suffix = f"T{part}" if part else ""
        if p is None:
            return _Value("DATE", f"XXXX-WXX-{wd}{suffix}", mod)
        return _Value("DATE", f"{_fmt(p)}{suffix}", mod, p)

    return resolve


_DEICTIC_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1, "tonight": 0,
                 "the day before yesterday": -2, "the day after tomorrow": 2}  # fmt: skip


@_rule(
    r"(?i:(?:(?P<pos>early|late|earlier|later|mid)[\s-]+)?\b(?P<w>the\s+day\s+before\s+yesterday|"
    r"the\s+day\s+after\s+tomorrow|today|yesterday|tomorrow|tonight)"
    r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b)",
    priority=1,
    near=r"(?i:today|yesterday|tomorrow|tonight)",
)
def _deictic_day(m: re.Match[str]) -> _Resolver | None:
    word = re.sub(r"\s+", " ", m.group("w").lower())
    offset = _DEICTIC_DAYS[word]
    part = _PART_OF_DAY.get((m.group("part") or "").lower()) or (
        "NI" if word == "tonight" else None
    )
    mod = _mod_of(m.group("pos"), _POSITION_MOD)

    def resolve(ctx: _Context) -> _Value:
        a = ctx.anchor
        suffix = f"T{part}" if part else ""
        if a is None or a.gran != "D":
            return _Value("DATE", f"XXXX-XX-XX{suffix}", mod)
        p = _Point(a.day + timedelta(days=offset), "D", a.year_known)
        return _Value("DATE", f"{_fmt(p)}{suffix}", mod, p)

    return resolve


@_rule(
    r"(?i:\b(?:(?P<pos>early|late|mid)[\s-]*)?(?:(?P<det>this|last|the)\s+)?"
    r"(?P<part>morning|afternoon|evening|night)(?:\s+(?P<day>yesterday|today|tomorrow))?\b"
    r"|\bovernight\b)",
    near=r"(?i:morning|afternoon|evening|night)",
)
def _part_of_day(m: re.Match[str]) -> _Resolver | None:
    det = (m.group("det") or "").lower()
    day = (m.group("day") or "").lower()
    if m.group("part") and not (det or day or m.group("pos")):
        return None  # "afternoon" alone is rarely a time of its own
    part = _PART_OF_DAY[(m.group("part") or "night").lower()]
    offset = _DEICTIC_DAYS.get(day, -1 if det == "last" else 0)
    mod = _mod_of(m.group("pos"), _POSITION_MOD)

    def resolve(ctx: _Context) -> _Value:
        # "the morning" is the morning of the day the text is telling about.
        base = ctx.reference() if det == "the" else ctx.anchor
        if base is None or base.gran != "D":
            return _Value("TIME", f"XXXX-XX-XXT{part}", mod)
        p = _Point(base.day + timedelta(days=offset), "D", base.year_known)
        return _Value("TIME", f"{_fmt(p)}T{part}", mod, p)

    return resolve


# --- this/last/next week, month, year, season, quarter

_REL_OFFSET = {"this": 0, "the current": 0, "current": 0, "last": -1, "the past": -1,
               "past": -1, "next": 1, "the coming": 1, "coming": 1, "this coming": 1,
               "this past": -1, "the": 0}  # fmt: skip
_ANAPH_OFFSET = {"the previous": -1, "the preceding": -1, "the following": 1, "the next": 1,
                 "that": 0, "the same": 0, "the prior": -1}  # fmt: skip
_UNIT_GRAN = {"week": "W", "weekend": "W", "month": "M", "year": "Y", "quarter": "Q",
              "decade": "DE", "century": "CE"}  # fmt: skip


@_rule(
    rf"(?:(?P<pos>{_POS})[\s-]+)?(?P<rel>(?i:{_alt(_REL_OFFSET)}|{_alt(_ANAPH_OFFSET)}))\s+"
    rf"(?P<fiscal>(?i:fiscal|calendar)\s+)?(?P<unit>(?i:week|weekend|month|year|decade|century|"
    rf"spring|summer|fall|autumn|winter))(?![\w-]|'s\s+(?:first|second|third|fourth)\b)",
    near=r"(?i:week|month|year|decade|century|spring|summer|fall|autumn|winter)",
)
def _relative_unit(m: re.Match[str]) -> _Resolver | None:
    rel = re.sub(r"\s+", " ", m.group("rel").lower())
    unit = m.group("unit").lower()
    pos = _mod_of(m.group("pos"), _POSITION_MOD)
    if rel in ("the", "the past", "past", "the current", "current", "the coming", "coming") and (
        not pos and unit != "weekend"
    ):
        if rel in ("the current", "current") and unit in ("year", "month", "week"):
            pass  # "the current year" is this year
        elif rel in ("the past", "past") and unit in ("year", "month", "week"):
            pass  # "over the past year" is annotated as the year before, like "last year"
        elif rel in ("the past", "past") and unit in ("decade", "century"):
            letter, mult, _ = _unit(unit)
            value = _duration(1, letter, mult, False)
            return lambda ctx: _Value("DURATION", value)
        else:
            return None  # "the year", "the week": too often not a date of their own
    anaphoric = rel in _ANAPH_OFFSET
    offset = _ANAPH_OFFSET[rel] if anaphoric else _REL_OFFSET[rel]
    if rel == "the" and unit == "weekend":
        offset = 0

    def resolve(ctx: _Context) -> _Value | None:
        base = ctx.reference() if anaphoric else ctx.anchor
        if anaphoric and unit == "year" and ctx.last_year is not None:
            base = ctx.last_year  # "In 1988 ... that year": years count from the last one named
        if unit in _SEASONS:
            code = _SEASONS[unit]
            if base is None or not base.year_known:
                return _Value("DATE", f"XXXX-{code}", pos)
            return _Value("DATE", f"{_season_year(base.day, code, rel, offset)}-{code}", pos)
        gran = _UNIT_GRAN[unit]
        if base is None:
            return _Value("DATE", _undated(gran) + ("-WE" if unit == "weekend" else ""), pos)
        if unit == "weekend":
            # A weekend mentioned in the past tense on a weekday is the one just gone.
            shift = offset
            if offset == 0 and base.day.isoweekday() < 6 and not ctx.future(strong=True):
                shift = -1
            p = _shift(_Point(base.day, "W", base.year_known), shift, "W")
            return _Value("DATE", _fmt(p, "W") + "-WE", pos, None)
        p = _Point(base.day, gran, base.year_known)
        if offset:
            p = _shift(p, offset, gran)
        return _Value("DATE", _fmt(p), pos, p)

    return resolve


_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _season_year(day: date, code: str, rel: str, offset: int) -> int:
    """Return the year of "last summer", "this past spring", "next winter" seen from `day`."""
    start = _SEASON_START[code]
    if rel in ("this past", "the past", "past"):
        return day.year if day.month >= start else day.year - 1  # the latest one begun
    if rel == "last":
        return day.year if day.month >= start + 3 else day.year - 1  # the latest one ended
    if offset > 0 and rel not in _ANAPH_OFFSET:
        return day.year if day.month < start else day.year + 1  # the next one to begin
    return day.year + offset


@_rule(
    rf"(?:(?P<pos>{_POS})[\s-]+)?(?P<det>(?i:the)\s+)?(?:(?P<pos2>(?i:early|mid|late))[\s-]+)?"
    rf"(?P<season>(?i:spring|summer|fall|autumn|winter))(?![\w-])(?:,?\s+(?:(?i:of)\s+)?"
    rf"(?:(?P<year>{YEAR4})(?![\d%])|(?P<syear>{SPOKEN_YEAR})))?",
    near=r"(?i:spring|summer|fall|autumn|winter)",
)
def _season(m: re.Match[str]) -> _Resolver | None:
    """Resolve "the winter of 1994", "summer 1998" and, from the anchor, "the early summer"."""
    code = _SEASONS[m.group("season").lower()]
    year = _year_number(m.group("year"), m.group("syear"))
    mod = _mod_of(m.group("pos") or m.group("pos2"), _POSITION_MOD)
    if year is not None:
        return lambda ctx: _Value("DATE", f"{year}-{code}", mod)
    after = m.string[m.end() : m.end() + 4].lower()
    if not m.group("det") or after.startswith((" of", " in", " on")):
        return None  # "the fall of the wall", "a fall in prices", "spring water"

    def resolve(ctx: _Context) -> _Value:
        a = ctx.anchor
        if a is None or not a.year_known:
            return _Value("DATE", f"XXXX-{code}", mod)
        start, day = _SEASON_START[code], a.day
        if ctx.future():  # the season not over yet
            year = day.year if day.month < start + 3 else day.year + 1
        else:  # the latest one begun
            year = day.year if day.month >= start else day.year - 1
        return _Value("DATE", f"{year}-{code}", mod)

    return resolve


_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2,
                  "3rd": 3, "4th": 4, "final": 4, "last": 4}  # fmt: skip


@_rule(
    rf"(?i:(?:(?P<det>the|this|that|a|last|next|its)\s+)?(?:(?P<yr>{YEAR4})\s+|"
    rf"(?P<ryr>this|last|next)\s+year's\s+|(?P<fy>fiscal\s+{YEAR4})(?:'s)?\s+|"
    rf"(?:year-(?:earlier|ago)|comparable|corresponding|same)\s+|fiscal\s+|current\s+|calendar\s+)*"
    rf"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final|last)[\s-]+(?:fiscal\s+)?"
    rf"(?P<unit>quarter|half)(?![\w-])(?:\s+of\s+(?:fiscal\s+|the\s+year\s+)?(?P<yr2>{YEAR4})\b"
    rf"|,?\s+(?P<yr3>{YEAR4})\b|\s+of\s+(?P<ryr2>this|last|next)\s+year\b)?)",
    priority=1,
    near=r"(?i:quarter|half)",
)
def _quarter(m: re.Match[str]) -> _Found:
    ord_word = m.group("ord").lower()
    half = m.group("unit").lower() == "half"
    n = 2 if half and ord_word == "last" else _QUARTER_WORDS[ord_word]
    if half and n > 2 or ord_word == "last" and not half:
        return None  # "the last quarter" is the one before the current: another rule's
    explicit = (
        m.group("yr")
        or m.group("yr2")
        or m.group("yr3")
        or (m.group("fy")[-4:] if m.group("fy") else None)
    )
    ryr = (m.group("ryr") or m.group("ryr2") or "").lower()
    text = m.group(0).lower()
    year_ago = "year-earlier" in text or "year-ago" in text
    month = 6 * n - 5 if half else 3 * n - 2
    gran = "H" if half else "Q"

    def resolve(ctx: _Context) -> _Value:
        a = ctx.anchor
        if explicit:
            year, known = int(explicit), True
        elif a is None or not a.year_known:
            year, known = _PLACEHOLDER_YEAR, False
        else:
            year, known = a.day.year, True
            if ryr:
                year += {"this": 0, "last": -1, "next": 1}[ryr]
            elif date(year, month, 1) > a.day and not ctx.future():
                year -= 1  # the latest such quarter that has begun
            elif ctx.future() and _add_months(date(year, month, 1), 6 if half else 3) <= (
                a.day - timedelta(days=120)
            ):
                year += 1  # results are announced up to a season after a quarter ends
            if year_ago:
                year -= 1
        p = _Point(date(year, month, 1), gran, known)
        return _Value("DATE", _fmt(p), None, p)

    # "its third-quarter loss": an adjective's determiner belongs to the noun, not the time.
    adjectival = m.string[m.end("ord") : m.start("unit")].strip() == "-"
    if adjectival and not (m.group("yr") or m.group("ryr") or m.group("fy")):
        return resolve, (m.start("ord"), m.end())
    return resolve


@_rule(
    r"(?i:\b(?P<det>the|this|that|last|next|a)\s+(?P<adj>latest|current|recent|most\s+recent|"
    r"year-ago|year-earlier|comparable|same|previous|prior|fiscal|latest\s+fiscal|"
    r"comparable\s+year-ago|comparable\s+year-earlier|year-ago\s+fiscal|year-earlier\s+fiscal)?"
    r"\s*(?P<unit>quarter|period)\b(?!-)(?P<ly>\s+(?:a\s+year\s+(?:ago|earlier)|last\s+year|"
    r"of\s+last\s+year))?|\b(?P<lyq>last\s+year's|the\s+year-ago|the\s+year-earlier)\s+"
    r"(?:fiscal\s+)?(?:quarter|period)\b|\byear-(?:earlier|ago)\b(?!\s+(?:quarter|period))|"
    r"\bthe\s+corresponding\s+period\s+(?:a\s+year\s+(?:ago|earlier)|last\s+year)|"
    rf"\bthe\s+(?P<qyr>{YEAR4})\s+(?:fiscal\s+)?(?:quarter|period)\b)",
    near=r"(?i:quarter|period|year-)",
)
def _quarter_anaphor(m: re.Match[str]) -> _Resolver | None:
    text = re.sub(r"\s+", " ", m.group(0).lower())
    det = (m.group("det") or "").lower()
    adj = (m.group("adj") or "").lower()
    unit = (m.group("unit") or "quarter").lower()
    if unit == "period" and not (adj or m.group("ly") or m.group("lyq")) and det != "the":
        return None
    qyr = int(m.group("qyr")) if m.group("qyr") else None
    if qyr is not None:
        return _quarter_of_year(qyr)
    if unit == "period" and det == "the" and not adj and not m.group("ly"):
        return None  # "the period" alone is too vague
    if det == "a" and not adj:
        return None
    year_ago = any(w in text for w in ("year-ago", "year-earlier", "last year", "a year"))
    if det in ("last", "next") and not adj:
        step = -1 if det == "last" else 1
    elif det == "this" or adj == "current":
        step = 0
    else:
        step = (
            None  # the quarter the text is about: the last one mentioned, else the last one ended
        )

    def resolve(ctx: _Context) -> _Value:
        a = ctx.anchor
        if a is None:
            return _Value("DATE", "XXXX-QX")
        current = _Point(date(a.day.year, 3 * ((a.day.month - 1) // 3) + 1, 1), "Q", a.year_known)
        if step is not None:
            p = _shift(current, step, "Q")
        elif ctx.last_quarter is not None:
            p = ctx.last_quarter[0]
        else:
            p = _shift(current, -1, "Q")
        if year_ago:
            p = _shift(p, -1, "Y")
        return _Value("DATE", _fmt(p), None, p if not year_ago else None)

    ended = _QUARTER_ENDED.match(m.string, m.end())
    if ended and step is None and not year_ago:
        # "the quarter ended Sept. 30" is the quarter that the date closes.
        ending = _explicit_date(None, _month_of(ended.group("mon")), None)

        def resolve_ended(ctx: _Context) -> _Value | None:
            if ctx.last_quarter is not None:
                return resolve(ctx)  # a fiscal quarter named before wins over the calendar
            v = ending(ctx)
            if v is None or v.point is None:
                return None
            p = _Point(v.point.day, "Q", v.point.year_known)
            return _Value("DATE", _fmt(p), None, p)

        return resolve_ended

    return resolve


_QUARTER_ENDED = re.compile(rf"\s+(?:that\s+)?(?:ended|ending|ends|through)\s+(?P<mon>{MONTH})")


def _quarter_of_year(year: int) -> _Resolver:
    """Return a resolver for "the 1988 quarter": the quarter under discussion, in that year."""

    def resolve(ctx: _Context) -> _Value:
        if ctx.last_quarter is not None:
            n = (ctx.last_quarter[0].day.month - 1) // 3 + 1
        elif ctx.anchor is not None:
            n = (_add_months(ctx.anchor.day, -3).month - 1) // 3 + 1
        else:
            return _Value("DATE", f"{year}-QX")
        return _Value("DATE", f"{year}-Q{n}")

    return resolve


# --- "two days ago", "a year earlier", "the day before", "on the 24th"

_CLAUSE_END = re.compile(r"\s*(?:[,.;:)!?]|$|\s(?:that|when|and|but)\b)")


@_rule(
    rf"(?:(?P<q>{_QMOD}|(?i:just))\s+)?(?P<num>{NUM}|(?i:{_alt(_VAGUE[:4])}))[\s-]+(?P<unit>{UNIT})"
    rf"(?P<orso>\s+(?i:or\s+so))?\s+(?P<dir>(?i:ago|earlier|later|before|after|from\s+now|hence|"
    rf"previously|back))\b",
    priority=2,
    near=r"(?i:\b(?:ago|earlier|later|before|after|hence|previously|back|now)\b)",
)
def _offset(m: re.Match[str]) -> _Resolver | None:
    if m.group("dir").lower() in ("before", "after") and not _CLAUSE_END.match(m.string, m.end()):
        return None  # "two years after the war" is a duration and an event, not a date
    n = _number(m.group("num"))
    letter, mult, clock = _unit(m.group("unit"))
    direction = m.group("dir").lower()
    if direction not in ("ago", "from now", "hence", "back") and letter != "Y":
        # TimeML: in "three days later" the time is the duration "three days" and "later" a
        # signal; only year-on-year comparisons ("a year earlier") are annotated as dates.
        return None
    sign = 1 if direction in ("later", "after", "from now", "hence") else -1
    mod = "APPROX" if m.group("orso") else _mod_of(m.group("q"), _QUANT_MOD)
    if mod in ("LESS_THAN", "EQUAL_OR_LESS", "MORE_THAN", "EQUAL_OR_MORE"):
        mod = "APPROX" if mod else None
    deictic = direction in ("ago", "from now", "hence", "back")
    unit_text = m.group("unit").lower()
    if n is None:
        value = "PAST_REF" if sign < 0 else "FUTURE_REF"
        return lambda ctx: _Value("DATE", value, mod)
    if clock:

        def resolve_clock(ctx: _Context) -> _Value:
            return _Value("TIME", "PAST_REF" if sign < 0 else "FUTURE_REF", mod)

        return resolve_clock
    gran = {"D": "D", "W": "W", "M": "M", "Q": "Q", "Y": "Y"}[letter]
    if unit_text.startswith("decade"):
        gran = "DE"
    steps = int(n * mult) if gran not in ("Q", "DE") else int(n)
    shift_unit = gran

    def resolve(ctx: _Context) -> _Value:
        base = ctx.anchor if deictic else ctx.reference()
        if base is None:
            return _Value("DATE", _undated(gran), mod)
        out_gran = gran
        # "Up from $5 a year ago" in a quarterly report compares quarters.
        if (
            gran == "Y"
            and steps == 1
            and ctx.last_quarter is not None
            and (ctx.start - ctx.last_quarter[1] < 600)
        ):
            p = _shift(ctx.last_quarter[0], -1, "Y")
            return _Value("DATE", _fmt(p, "Q"), mod, None)
        p = _shift(_Point(base.day, "D", base.year_known), sign * steps, shift_unit)
        return _Value("DATE", _fmt(p, out_gran), mod, p if out_gran == "D" else None)

    return resolve


_ANAPHORIC_DAYS = {
    "the day before": -1, "the previous day": -1, "the preceding day": -1,
    "the day after": 1, "the next day": 1, "the following day": 1,
    "that day": 0, "the same day": 0, "that same day": 0, "earlier that day": 0,
    "later that day": 0,
}  # fmt: skip


@_rule(rf"(?i:\b(?:{_alt(_ANAPHORIC_DAYS)})\b)", priority=3, near=r"(?i:day)")
def _anaphoric_day(m: re.Match[str]) -> _Resolver | None:
    key = re.sub(r"\s+", " ", m.group(0).lower())
    offset = _ANAPHORIC_DAYS[key]
    mod = "START" if key.startswith("earlier") else "END" if key.startswith("later") else None

    def resolve(ctx: _Context) -> _Value:
        base = ctx.reference()
        if base is None or base.gran != "D":
            return _Value("DATE", "XXXX-XX-XX", mod)
        p = _Point(base.day + timedelta(days=offset), "D", base.year_known)
        return _Value("DATE", _fmt(p), mod, p)

    return resolve


_NOT_A_DAY_AFTER = re.compile(
    r"\s*(?:century|centuries|anniversary|birthday|time|times|place|floor|round|minute|hour|"
    r"day|week|month|year|session|congress|amendment|straight|consecutive|largest|biggest|"
    r"most|best|of\s+(?:the|a|its|their|his|her))\b",
    re.IGNORECASE,
)


@_rule(
    r"\b(?i:on|by|until|till|since|from|of|before|after|to|and|between|through|for|"
    r"on\s+the\s+(?:morning|afternoon|evening|night)\s+of)\s+(?P<span>(?i:the)\s+"
    r"(?P<day>[1-9]|[12]\d|3[01])(?:st|nd|rd|th))(?![\w-])",
    near=r"\d(?:st|nd|rd|th)\b",
)
def _day_of_month(m: re.Match[str]) -> _Resolver | None:
    if _NOT_A_DAY_AFTER.match(m.string, m.end()):
        return None
    day = int(m.group("day"))

    def resolve(ctx: _Context) -> _Value | None:
        base = ctx.reference()
        if base is None or base.gran not in ("D", "M"):
            return _Value("DATE", f"XXXX-XX-{day:02d}")
        p = _make_date(base.day.year, base.day.month, day, base.year_known)
        # Past-tense news about a day later than the anchor's means last month's.
        if p is not None and base is ctx.anchor and day > base.day.day and not ctx.future():
            p = _make_date(
                _add_months(base.day, -1).year,
                _add_months(base.day, -1).month,
                day,
                base.year_known,
            )
        if p is None:
            return None
        return _Value("DATE", _fmt(p), None, p)

    return resolve


# --- durations and sets


@_rule(
    rf"(?:(?P<q>{_QMOD})\s+)?(?P<det>(?i:the|an?\s+additional|another)\s+)?"
    rf"(?P<adj>(?i:past|last|next|first|coming|previous|following|final|latest|remaining|initial|"
    rf"prior|ensuing|preceding|subsequent)\s+)?(?:(?P<lo>{NUM})\s+(?i:to|or)\s+)?"
    rf"(?P<num>{NUM}|(?i:{_alt(_VAGUE[:6])}))(?:\s+more)?[\s-]+(?P<unit>{UNIT})"
    rf"(?P<half>\s+(?i:and\s+a\s+half))?(?P<old>-old|\s+old\b)?(?P<orso>\s+(?i:or\s+so))?",
    near=_UNIT_WORD,
)
def _duration_rule(m: re.Match[str]) -> _Resolver | None:
    num_text = m.group("num").lower()
    unit_text = m.group("unit").lower()
    if m.group("old"):
        return None  # ages ("a 6-year-old") are not annotated as times in news corpora
    n = _number(num_text)
    if (
        num_text in ("a", "an")
        and unit_text == "second"
        and re.match(r"\s+[a-z]", m.string[m.end() :])
    ):
        return None  # "a second term"
    if unit_text.startswith("quarter") and (
        re.match(
            r"\s+of\s+(?!(?:fiscal\s+)?\d{4}|the\s+(?:fiscal\s+)?year|this|last|next)",
            m.string[m.end() : m.end() + 24],
        )
        or m.string[m.start("unit") - 1] == "-"
    ):
        return None  # fractions ("three-quarters of its food", "a quarter of the market")
    if n is not None and (
        n > 10000 or re.fullmatch(YEAR4, num_text) and not unit_text.endswith("s")
    ):
        return None  # "the 1988 quarter" is a date
    if m.group("half") and n is not None:
        n += 0.5
    if m.group("lo"):
        n = None  # "two to three weeks": a range, kept vague
    letter, mult, clock = _unit(unit_text)
    mod = "APPROX" if m.group("orso") else _mod_of(m.group("q"), _QUANT_MOD)
    value = _duration(n, letter, mult, clock)
    return lambda ctx: _Value("DURATION", value, mod)


@_rule(
    r"(?i:\b(?P<pre>for|over|throughout|during|in|of)?\s*\b(?P<span>the\s+(?:(?:current|latest|full|"
    r"same|entire|whole)\s+)?(?:fiscal\s+)?year(?![\w'’-])|year[-\s]end|year's\s+end))",
    near=r"(?i:year)",
)
def _the_year(m: re.Match[str]) -> _Resolver | None:
    span = m.group("span").lower()
    if "end" in span:
        return lambda ctx: _point_value(ctx.anchor, "Y", "END")
    # "The year ended March 31" is a twelve-month period off the calendar: a duration. "Sales
    # for the year" and "in the year" name the year the report covers.
    if re.match(r"\s+(?:that\s+)?(?:ended|ending|ends|through)\b", m.string[m.end() :], re.I):
        return lambda ctx: _Value("DURATION", "P1Y")
    if (m.group("pre") or "").lower() in ("over", "throughout"):
        return lambda ctx: _Value("DURATION", "P1Y")
    return lambda ctx: _point_value(ctx.anchor, "Y")


@_rule(
    r"(?i:\b(?:for|in|over|within|after|from)\s+(?P<span>(?:years|months|weeks|days|hours|"
    r"decades|centuries|minutes))\b)",
    near=r"(?i:years|months|weeks|days|hours|decades|centuries|minutes)",
)
def _bare_plural(m: re.Match[str]) -> _Resolver | None:
    letter, mult, clock = _unit(m.group("span"))
    value = _duration(None, letter, mult, clock)
    return lambda ctx: _Value("DURATION", value)


_SET_WORDS = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "yearly": "P1Y",
              "hourly": "PT1H", "nightly": "P1D", "biweekly": "P2W"}  # fmt: skip


# "quarterly" and "annually" mostly qualify payments ("a quarterly dividend"), not times.
@_rule(r"(?i:\b(?:daily|weekly|monthly|yearly|hourly|nightly|biweekly)\b)")
def _set_word(m: re.Match[str]) -> _Resolver | None:
    value = _SET_WORDS[m.group(0).lower()]
    return lambda ctx: _Value("SET", value)


@_rule(
    rf"(?i:\b(?:every|each|once\s+a|twice\s+a|(?:once|twice|\w+\s+times)\s+(?:a|per|every|each))"
    rf"\s+(?:(?P<num>other|{_NUM_WORD}|\d+)\s+)?)(?P<unit>{UNIT}|{WEEKDAY}|{MONTH}|"
    rf"(?i:morning|afternoon|evening|night|weekend|spring|summer|fall|autumn|winter))",
    priority=1,
    near=r"(?i:every|each|once|twice|times)",
)
def _every(m: re.Match[str]) -> _Resolver | None:
    unit = m.group("unit").lower().rstrip(".")
    num = (m.group("num") or "").lower()
    n = 2 if num == "other" else (_number(num) if num else 1)
    if unit in _WEEKDAYS:
        value = f"XXXX-WXX-{_WEEKDAYS[unit]}"
    elif unit in _MONTHS:
        value = f"XXXX-{_MONTHS[unit]:02d}"
    elif unit in _PART_OF_DAY:
        value = f"XXXX-XX-XXT{_PART_OF_DAY[unit]}"
    elif unit in _SEASONS:
        value = f"XXXX-{_SEASONS[unit]}"
    elif unit == "weekend":
        value = "XXXX-WXX-WE"
    else:
        letter, mult, clock = _unit(unit)
        value = _duration(n, letter, mult, clock)
    return lambda ctx: _Value("SET", value)


# --- clock times


def _day_resolver(text: str | None) -> Callable[[_Context], _Point | None]:
    """Return a function giving the day a clock time belongs to ("Wednesday", "today", none)."""
    if not text:
        return lambda ctx: ctx.anchor if ctx.anchor and ctx.anchor.gran == "D" else None
    t = text.lower()
    if t in _DEICTIC_DAYS:
        return lambda ctx: (
            _Point(ctx.anchor.day + timedelta(days=_DEICTIC_DAYS[t]), "D", ctx.anchor.year_known)
            if ctx.anchor and ctx.anchor.gran == "D"
            else None
        )
    if t in _WEEKDAYS:
        return lambda ctx: _weekday_point(ctx, _WEEKDAYS[t], "")
    m = re.fullmatch(rf"(?P<mon>{MONTH})\s+(?P<day>\d{{1,2}})", text)
    if m:
        resolver = _explicit_date(None, _month_of(m.group("mon")), int(m.group("day")))
        return lambda ctx: v.point if (v := resolver(ctx)) else None
    return lambda ctx: None


def _day_after_time(name: str) -> str:
    """Return the pattern of a day that may follow a clock time, captured as group `name`."""
    return (
        rf"(?:,?\s+(?:(?i:on)\s+)?(?P<{name}>{WEEKDAY}|(?i:today|yesterday|tomorrow)|"
        rf"{MONTH}\s+\d{{1,2}}))?"
    )


_TZ = r"(?:\s+(?:[ECMP][SD]T|GMT|UTC|CET|CEST|EET|EEST|MSK|BST|Kyiv\s+time|Moscow\s+time|local\s+time))?"


@_rule(
    rf"(?:(?P<q>(?i:about|around|approximately|shortly\s+before|shortly\s+after|just\s+before|"
    rf"just\s+after))\s+)?\b(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ampm>(?i:a\.m\.|p\.m\."
    rf"|a\.m\b|p\.m\b|am\b|pm\b))(?:\s+(?P<ampm_o>(?i:o'clock)))?{_TZ}{_day_after_time('day1')}"
    rf"|\b(?P<word>(?i:noon|midnight)){_day_after_time('day2')}"
    rf"|\b(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?P<tz24>\s+(?:[ECMP][SD]T|GMT|UTC|CET|CEST|EET|"
    rf"EEST|MSK|BST|hours|local\s+time|Kyiv\s+time|Moscow\s+time)){_day_after_time('day3')}",
    priority=2,
    near=r"(?i:[ap]\.?m\b|noon|midnight|:)",
)
def _clock(m: re.Match[str]) -> _Resolver | None:
    if m.group("word"):
        hour, minute = (12, 0) if m.group("word").lower() == "noon" else (24, 0)
    elif m.group("h24"):
        hour, minute = int(m.group("h24")), int(m.group("m24"))
    else:
        hour, minute = int(m.group("h")) % 12, int(m.group("m") or 0)
        if m.group("ampm").lower().startswith("p"):
            hour += 12
    mod = (
        "APPROX"
        if m.group("q") and m.group("q").lower() in ("about", "around", "approximately")
        else None
    )
    day_of = _day_resolver(m.group("day1") or m.group("day2") or m.group("day3"))

    def resolve(ctx: _Context) -> _Value:
        p = day_of(ctx)
        prefix = _fmt(p) if p else "XXXX-XX-XX"
        return _Value("TIME", f"{prefix}T{hour:02d}:{minute:02d}", mod, p)

    return resolve


# --- holidays

_HOLIDAYS = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
             "new year's day": (1, 1), "new year's eve": (12, 31), "halloween": (10, 31),
             "valentine's day": (2, 14), "independence day": (7, 4),
             "thanksgiving": None, "thanksgiving day": None, "labor day": None,
             "memorial day": None}  # fmt: skip


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """Return the n-th (or, for n = -1, the last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    last = _add_months(date(year, month, 1), 1) - timedelta(days=1)
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)


@_rule(rf"\b(?:{_alt(w.title() for w in _HOLIDAYS)}|{_alt(_HOLIDAYS)}|New\s+Year's\s+Day)\b")
def _holiday(m: re.Match[str]) -> _Resolver | None:
    key = re.sub(r"\s+", " ", m.group(0).lower())
    if key not in _HOLIDAYS or not m.group(0)[0].isupper():
        return None
    fixed = _HOLIDAYS[key]

    def resolve(ctx: _Context) -> _Value | None:
        month = (
            fixed[0]
            if fixed
            else {"thanksgiving": 11, "thanksgiving day": 11, "labor day": 9, "memorial day": 5}[
                key
            ]
        )
        y, known = _year_for(ctx, month, fixed[1] if fixed else 15)
        if fixed:
            day = date(y, *fixed)
        elif key.startswith("thanksgiving"):
            day = _nth_weekday(y, 11, 4, 4)
        elif key == "labor day":
            day = _nth_weekday(y, 9, 1, 1)
        else:
            day = _nth_weekday(y, 5, 1, -1)
        p = _Point(day, "D", known)
        return _Value("DATE", _fmt(p), None, p)

    return resolve


# --- vague references to past, present and future

_REFS = {
    "now": "PRESENT_REF", "right now": "PRESENT_REF", "just now": "PAST_REF",
    "currently": "PRESENT_REF", "current": "PRESENT_REF", "these days": "PRESENT_REF",
    "at present": "PRESENT_REF", "presently": "PRESENT_REF", "nowadays": "PRESENT_REF",
    "at the moment": "PRESENT_REF", "at this time": "PRESENT_REF", "the present": "PRESENT_REF",
    "recently": "PAST_REF", "recent": "PAST_REF", "more recently": "PAST_REF",
    "most recently": "PAST_REF", "until recently": "PAST_REF", "the past": "PAST_REF",
    "lately": "PAST_REF", "recent years": "PAST_REF", "recent months": "PAST_REF",
    "recent weeks": "PAST_REF", "recent days": "PAST_REF", "past years": "PAST_REF",
    "the future": "FUTURE_REF", "the near future": "FUTURE_REF",
    "the foreseeable future": "FUTURE_REF", "soon": "FUTURE_REF", "the near term": "FUTURE_REF",
    "the short term": "FUTURE_REF", "the long term": "FUTURE_REF", "the coming days": "FUTURE_REF",
    "the coming weeks": "FUTURE_REF", "the coming months": "FUTURE_REF",
    "the coming years": "FUTURE_REF", "coming days": "FUTURE_REF", "coming weeks": "FUTURE_REF",
    "coming months": "FUTURE_REF", "coming years": "FUTURE_REF", "as soon as possible": "FUTURE_REF", "the days ahead": "FUTURE_REF", "the weeks ahead": "FUTURE_REF",
    "the months ahead": "FUTURE_REF", "the years ahead": "FUTURE_REF",
}  # fmt: skip
# "in the past" keeps "the past"; "the past decade" is a duration found by another rule.
_NOT_A_REF_AFTER = re.compile(
    r"\s+(?:account|affairs|events|issue|issues|president|chairman|leader|density|flow|"
    r"electric)\b|-(?:account|day)",
    re.IGNORECASE,
)


@_rule(
    rf"(?i:\b(?:{_alt(_REFS)})\b)",
    near=r"(?i:now|current|present|recent|past|future|soon|term|possible|ahead|days|weeks|months|years|moment|time|lately)",
)
def _ref(m: re.Match[str]) -> _Resolver | None:
    key = re.sub(r"\s+", " ", m.group(0).lower())
    if key == "current" and _NOT_A_REF_AFTER.match(m.string, m.end()):
        return None
    after = m.string[m.end() : m.end() + 8].lower()
    before = m.string[max(0, m.start() - 3) : m.start()].lower()
    if key == "soon" and (before == "as " or re.match(r"\s+(?:as|after|before)\b", after)):
        return None  # "as soon as", "soon after": signals tying an event to another
    if key == "the future" and after.startswith(" of "):
        return None  # "the future of the company" is a fate, not a time
    value = _REFS[key]
    plural = re.search(r"\b(days|weeks|months)\b", key)
    if plural and ("recent" in key or "coming" in key or "ahead" in key):
        # "In recent weeks" measures a stretch in weeks: TimeBank annotates it as a duration.
        duration = _duration(None, *_unit(plural.group(1)))
        return lambda ctx: _Value("DURATION", duration)
    return lambda ctx: _Value("DATE", value)


@_rule(
    r"(?i:\b(?:will|would|could|may|might|can|shall|'ll)\s+(?:\w+\s+)?(?P<span>(?:one|some)\s+day"
    r"|someday)\b)",
    priority=2,
    near=r"(?i:day)",
)
def _some_day(m: re.Match[str]) -> _Resolver | None:
    """Resolve "will one day be" to an unspecified future, not to a one-day duration."""
    return lambda ctx: _Value("DATE", "FUTURE_REF")


# ---------------------------------------------------------------------------------------------
# Public API


def _candidates(text: str) -> list[_Candidate]:
    """Return every span any rule proposes in `text`."""
    found: list[_Candidate] = []
    windows: dict[str, list[tuple[int, int]]] = {}
    for rule in _RULES:
        pattern, handler, priority = rule.pattern, rule.handler, rule.priority
        for m in _scan(rule, text, windows):
            found_ = handler(m)
            if found_ is None:
                continue
            if isinstance(found_, tuple):
                resolver, (start, end) = found_
            else:
                resolver = found_
                has_span = "span" in pattern.groupindex and m.group("span")
                start, end = m.span("span") if has_span else m.span()
            # Trailing whitespace and commas are never part of a span.
            while end > start and text[end - 1] in " \t\n,":
                end -= 1
            if end > start:
                found.append(_Candidate(start, end, resolver, priority))
    return found


def _scan(rule: _Rule, text: str, windows: dict[str, list[tuple[int, int]]]) -> Iterator[re.Match]:
    """Yield the matches of a rule's pattern, only around its keyword when it has one."""
    if rule.near is None:
        yield from rule.pattern.finditer(text)
        return
    key = rule.near.pattern
    if key not in windows:
        merged: list[tuple[int, int]] = []
        for k in rule.near.finditer(text):
            lo, hi = max(0, k.start() - _NEAR_BEFORE), min(len(text), k.end() + _NEAR_AFTER)
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        windows[key] = merged
    seen_end = -1
    for lo, hi in windows[key]:
        for m in rule.pattern.finditer(text, lo, hi):
            if m.start() >= seen_end:
                seen_end = m.end()
                yield m


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Return the longest non-overlapping candidates (ties: higher priority, earlier), in order."""
    ranked = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    taken: list[_Candidate] = []
    occupied: list[tuple[int, int]] = []
    for c in ranked:
        if any(c.start < e and s < c.end for s, e in occupied):
            continue
        taken.append(c)
        occupied.append((c.start, c.end))
    return sorted(taken, key=lambda c: c.start)


def _fill_range_years(text: str, values: list[_Value | None], chosen: list[_Candidate]) -> None:
    """Give "January" in "January-February 2022" the year of the month that follows it."""
    for i in range(len(chosen) - 1):
        a, b = values[i], values[i + 1]
        if a is None or b is None or a.point is None or b.point is None or a.point.gran != "M":
            continue
        between = text[chosen[i].end : chosen[i + 1].start]
        if re.fullmatch(r"\s*(?:-|–|—|to|through|and|or|until)\s*", between) and re.search(
            r"\d{4}$", text[chosen[i + 1].start : chosen[i + 1].end]
        ):
            year = b.point.day.year - (1 if a.point.day.month > b.point.day.month else 0)
            p = _Point(date(year, a.point.day.month, 1), "M")
            values[i] = replace(a, value=_fmt(p), point=p)


def _reported(ctx: _Context, quarter: _Point) -> bool:
    """Return True if `quarter` can be the one a results story is about: it has ended.

    "Fourth-quarter results are expected" in November does not make the fourth quarter the
    period that "the latest quarter" and "a year ago" refer back to; "the quarter ended
    Sept. 30" of a fiscal calendar does, whatever its number.
    """
    a = ctx.anchor
    if a is None or not a.year_known or not quarter.year_known:
        return True
    current = date(a.day.year, 3 * ((a.day.month - 1) // 3) + 1, 1)
    return quarter.day < current or _QUARTER_ENDED.match(ctx.text, ctx.end) is not None


def find_times(
    text: str, anchor: str | None = None, lang: str | None = None
) -> list[TimeExpression]:
    """Return the time expressions in `text`, normalised to TIMEX3 values against `anchor`.

    `anchor` is the document creation time: an ISO date, a partial value ("XXXX-02-24") or None.
    `lang` is the text's language tag: German, French, Spanish, Russian, Ukrainian and Polish go
    to `find_times_multilingual` (calendar dates and relative days only); any other, or None, is
    read as English. Offsets index into `text`. Cost: one pass of each precompiled pattern,
    linear in the text.
    """
    if language := language_of(lang):
        return find_times_multilingual(text, anchor, language)
    anchor_point = _parse_point(anchor)
    ctx = _Context(text=text, anchor=anchor_point, last=None)
    chosen = _select(_candidates(text))
    values: list[_Value | None] = []
    for c in chosen:
        ctx.start, ctx.end = c.start, c.end
        try:
            v = c.resolve(ctx)
        except (ValueError, OverflowError, KeyError):
            v = None  # an impossible calendar point ("February 30") is not a time expression
        values.append(v)
        if v is None:
            continue
        if v.point is not None and v.type in ("DATE", "TIME") and v.point.gran in ("D", "M"):
            ctx.last = _Point(v.point.day, v.point.gran, v.point.year_known)
        if v.point is not None and v.type == "DATE" and v.point.year_known:
            ctx.last_year = v.point
        if v.point is not None and v.point.gran == "Q" and _reported(ctx, v.point):
            ctx.last_quarter = (v.point, c.end)
    _fill_range_years(text, values, chosen)
    return [
        TimeExpression(text[c.start : c.end], c.start, c.end, v.type, v.value, v.mod)
        for c, v in zip(chosen, values, strict=True)
        if v is not None
    ]


def resolve_year(partial: str, reference: str | None = None, text_years: Iterable[int] = ()) -> str:
    """Return `partial` ("XXXX-02-24") with a year: the reference's, else the text's, else none.

    With a reference date the year is the one that puts the date nearest to it (a dateline of
    "December 30th" read on 2022-01-02 is 2021-12-30). Without one, the year the text mentions
    most often is taken; without any, the value stays partial: a year is never invented.
    """
    m = re.fullmatch(r"XXXX(-\d{2}(?:-\d{2})?)", partial)
    if m is None:
        return partial
    rest = m.group(1)
    ref = _parse_point(reference)
    month, day = int(rest[1:3]), int(rest[4:6]) if len(rest) > 3 else 1
    if ref is not None and ref.year_known:
        options = []
        for year in (ref.day.year - 1, ref.day.year, ref.day.year + 1):
            try:
                options.append((abs((date(year, month, day) - ref.day).days), year))
            except ValueError:
                continue
        if options:
            return f"{min(options)[1]:04d}{rest}"
    counts = Counter(text_years)
    if counts:
        year = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return f"{year:04d}{rest}"
    return partial


def parse_date(text: str, anchor: str | None = None, lang: str | None = None) -> str | None:
    """Return the TIMEX3 value of the first calendar date in `text` (a dateline, a metadata field).

    `text` is read in `lang` as `find_times` reads it. Without a year in `text`, the anchor's year
    is used as `resolve_year` does; without an anchor the value stays partial ("XXXX-02-24").
    Gives None when `text` holds no calendar date.
    """
    for t in find_times(text, None, lang):
        if t.type not in ("DATE", "TIME") or not re.match(r"(\d{4}|XXXX)-\d{2}", t.value):
            continue
        value = t.value.split("T")[0]
        if value.startswith("XXXX"):
            years = [int(y) for y in re.findall(rf"(?<!\d){YEAR4}(?!\d)", text)]
            return resolve_year(value, anchor, years)
        return value
    return None


def shift_day(value: str | None, days: int) -> str | None:
    """Return the TIMEX3 day `days` after the day `value` (a partial year stays "XXXX").

    Gives None when `value` is not day-precise ("2022-02", None).
    """
    p = _parse_point(value)
    if p is None or p.gran != "D":
        return None
    return _fmt(_shift(p, days, "D"))


def in_future_clause(text: str, start: int, end: int) -> bool:
    """Return True if the English clause around `text[start:end]` speaks of the future.

    The tense cues the tagger uses to place yearless dates: "will", "is due to", "scheduled", and
    a past verb right before the expression that settles it as past.
    """
    return _Context(text=text, anchor=None, last=None, start=start, end=end).future()
