"""Numbers worth tracking: counts, money and percentages with what they count and how approximate.

`find_quantities` reads a parsed `Doc` left to right. A number is digits ("8,500", "4.2", "8 500",
"5bn"), words ("twenty-five", "two hundred and fifty thousand", "a dozen", "half a million"), a
vague multiple ("several thousand", "hundreds of", "tens of thousands of") or either of those with
a currency sign or a percent sign. What it counts is the noun phrase right after it (its dependency
head when the parser attached it there, otherwise the last noun of the adjacent noun run), keeping
restrictive modifiers ("US troops", "F-16 fighters"); approximation words before ("about", "more
than", "up to") or after ("or so", "or more") are normalised. Numbers that are not counts are left
out: spaCy DATE/TIME/ORDINAL/LAW/PRODUCT/name entities, years, durations and ages, numbers glued by
a hyphen, slash or colon (ranges, "COVID-19", phone numbers, "6-year-old"), identifiers ("Article
4"), list numbering, partitives ("one of the"), anaphoric "the two sides", the number one, and
numbers with no counted noun ("rose to 352").

Decisions: "hundreds of" has value 100 and approximation "hundreds of" (likewise "tens of",
"thousands of", "dozens of" with value 12); "several/a few thousand" has value 1000 and
approximation "several"/"a few"; "a dozen" is 12 "about"; "$" counts "US dollars".

`quantities_compatible` compares two figures: None when they count different things, otherwise
whether the value ranges their approximations allow overlap. Cost: one pass over the tokens,
looking closer only at number-like tokens; no model beyond the parse (the lemmatizer is not needed).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from storyline.model import Quantity

# ---------------------------------------------------------------------------------------------
# Vocabulary


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UNITS_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "one": 1,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "mln": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
    "bln": 1_000_000_000, "tn": 1_000_000_000_000,
}  # fmt: skip
# Suffixes glued to digits ("5bn", "300m"); "m" and "k" only count after a currency sign.
_GLUED_SCALES = {"bn": 1e9, "bln": 1e9, "b": 1e9, "mln": 1e6, "mn": 1e6, "m": 1e6, "k": 1e3,
                 "tn": 1e12}  # fmt: skip
_PLURAL_MAGNITUDES = {
    "tens": 10, "dozens": 12, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000,
    "billions": 1_000_000_000,
}  # fmt: skip
_VAGUE_MULTIPLES = {"several": "several", "few": "a few"}

# Surface approximation phrases (lowercased token tuples) -> normalised approximation.
_APPROX_BEFORE = {
    ("about",): "about", ("approximately",): "about", ("approx",): "about",
    ("approx.",): "about", ("circa",): "about", ("around",): "around", ("roughly",): "roughly",
    ("some",): "some", ("an", "estimated"): "estimated", ("estimated",): "estimated",
    ("nearly",): "nearly", ("almost",): "almost", ("close", "to"): "nearly",
    ("just", "under"): "nearly", ("more", "than"): "more than", ("over",): "over",
    ("just", "over"): "over", ("well", "over"): "over", ("above",): "more than",
    ("upwards", "of"): "more than", ("in", "excess", "of"): "more than",
    ("at", "least"): "at least", ("no", "fewer", "than"): "at least",
    ("no", "less", "than"): "at least", ("a", "minimum", "of"): "at least",
    ("less", "than"): "less than", ("fewer", "than"): "less than", ("under",): "under",
    ("below",): "under", ("up", "to"): "up to", ("as", "many", "as"): "up to",
    ("as", "much", "as"): "up to", ("at", "most"): "at most", ("no", "more", "than"): "at most",
    ("a", "maximum", "of"): "at most",
}  # fmt: skip
_APPROX_AFTER = {("or", "so"): "about", ("or", "more"): "at least", ("plus",): "more than"}
_LONGEST_APPROX = max(len(k) for k in _APPROX_BEFORE)

# Relative bounds (low, high) on the true value, as multiples of the stated value.
_EXACT_TOLERANCE = 0.005  # per figure, so two exact figures may differ by about 1%
_BOUNDS = {
    None: (1 - _EXACT_TOLERANCE, 1 + _EXACT_TOLERANCE),
    **dict.fromkeys(("about", "around", "roughly", "some", "estimated"), (0.9, 1.1)),
    **dict.fromkeys(("nearly", "almost"), (0.9, 1.0)),
    **dict.fromkeys(("more than", "over", "at least"), (1.0, math.inf)),
    **dict.fromkeys(("less than", "under", "up to", "at most"), (0.0, 1.0)),
    # "hundreds of" = value 100: between one and ten hundreds.
    **dict.fromkeys((f"{w} of" for w in _PLURAL_MAGNITUDES), (1.0, 10.0)),
    **dict.fromkeys(("several", "a few"), (2.0, 10.0)),
}

_CURRENCY_SIGNS = {
    "$": "US dollars", "us$": "US dollars", "usd": "US dollars", "€": "euros", "eur": "euros",
    "£": "pounds", "gbp": "pounds", "₴": "hryvnias", "uah": "hryvnias", "₽": "rubles",
    "rub": "rubles", "pln": "zlotys", "c$": "Canadian dollars", "a$": "Australian dollars",
}  # fmt: skip
# Head nouns written differently for the same unit.
_HEAD_CANON = {
    "%": "percent", "pct": "percent", "percents": "percent", "dollar": "dollars",
    "euro": "euros", "hryvnia": "hryvnias", "hryvnya": "hryvnias", "hryvnyas": "hryvnias",
    "hryvnas": "hryvnias", "ruble": "rubles", "rouble": "rubles", "roubles": "rubles",
    "zloty": "zlotys", "zlotys": "zlotys", "kilometres": "km", "kilometers": "km",
    "kilometre": "km", "kilometer": "km", "kms": "km", "tons": "tonnes", "ton": "tonnes",
    "tonne": "tonnes", "mile": "miles", "metre": "metres", "meter": "metres", "meters": "metres",
}  # fmt: skip
_PERCENT_WORDS = {"%", "percent", "pct", "percents"}
# Counted nouns that make the number a duration, an age, a time or a multiplier: not a count.
_NOT_COUNTED = _wordset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades century centuries night nights weekend weekends times time o'clock a.m. "
    "p.m. am pm yrs"
)
_MONTHS = _wordset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_WEEKDAYS = _wordset("monday tuesday wednesday thursday friday saturday sunday")
# Words after which a number is a label, not a count ("Article 4", "No. 5").
_LABEL_WORDS = _wordset(
    "article articles section paragraph chapter resolution no no. number nr # № flight route "
    "highway phase stage level category grade page item clause protocol block unit building "
    "room point version season episode part act"
)
_ANAPHORIC_DETERMINERS = _wordset("the these those both all its their his her our my your")
# spaCy entity labels that mark numbers which are not counts.
_SKIP_ENTITIES = _wordset(
    "DATE TIME ORDINAL LAW PRODUCT PERSON ORG GPE FAC EVENT WORK_OF_ART LOC NORP LANGUAGE"
)
# Modifiers that say nothing about what is counted ("an estimated", "total").
_DROPPED_MODIFIERS = _wordset(
    "total estimated reported some such so-called possible potential overall whole entire "
    "approximately roughly about nearly almost only just"
)
# Modifiers that make a figure an increment, not a total: comparable only with increments.
_INCREMENT_MODIFIERS = _wordset("additional extra more new further fresh other another")
_MEASURES = _wordset(
    "km kms kilometres kilometers kilometre kilometer mile miles metres meters metre meter tonnes tons "
    "hectares barrels mm kg"
)

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")  # "1,5 million" in translated text
_GLUED = re.compile(r"^(\d+(?:[.,]\d+)?)([a-z]+)$")
_THREE_DIGITS = re.compile(r"^\d{3}$")
_SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "“", "”", "«", "»"})
_GLUE_CHARS = "-/:–#№"

# ---------------------------------------------------------------------------------------------
# Reading a number


@dataclass(frozen=True)
class _Number:
    """A number's tokens [start, end), its value and the approximation its wording carries."""

    start: int
    end: int
    value: float
    approximation: str | None = None
    spelled: bool = False  # written in words ("two") rather than digits
    glued_unit: str | None = None  # a measure written onto the digits: "1,450km"


def _digits_value(text: str) -> float | None:
    """Return the value of a digit token ("8,500", "4.2"), or None."""
    if _DIGITS.match(text):
        return float(text.replace(",", ""))
    return None


def _read_scales(doc: Doc, i: int, value: float) -> tuple[float, int]:
    """Return the value multiplied by the scale words from token i on, and the index after them."""
    while i < len(doc) and doc[i].lower_ in _SCALES:
        value *= _SCALES[doc[i].lower_]
        i += 1
    return value, i


def _read_digits(doc: Doc, i: int, after_currency: bool) -> _Number | None:
    """Return the number written in digits at token i ("8,500", "8 500", "4.2 million", "5bn")."""
    text = doc[i].text
    value = _digits_value(text)
    end = i + 1
    if value is None:
        glued = _GLUED.match(text.lower())
        if glued and glued.group(2) in _MEASURES:
            return _Number(
                i, end, float(glued.group(1).replace(",", "")), glued_unit=glued.group(2)
            )
        if glued and (glued.group(2) in _SCALES or (after_currency and glued.group(2) in "mk")):
            return _Number(i, end, float(glued.group(1).replace(",", ".")) *
                           _GLUED_SCALES.get(glued.group(2), 1e6))  # fmt: skip
        if not (_DECIMAL_COMMA.match(text) and end < len(doc) and doc[end].lower_ in _SCALES):
            return None
        value = float(text.replace(",", "."))
    elif (
        re.fullmatch(r"\d{1,3}", text)
        and end < len(doc)
        and _THREE_DIGITS.match(doc[end].text)
        and doc[i].whitespace_ == " "
    ):
        # "8 500 soldiers": thousands grouped with a space, as translated text often has.
        value = value * 1000 + float(doc[end].text)
        end += 1
    nxt = doc[end] if end < len(doc) else None
    glued_scale = nxt is not None and not doc[end - 1].whitespace_ and nxt.lower_ in _GLUED_SCALES
    if after_currency and glued_scale:  # "€300m"
        return _Number(i, end + 1, value * _GLUED_SCALES[nxt.lower_])
    value, end = _read_scales(doc, end, value)
    return _Number(i, end, value)


def _read_words(doc: Doc, i: int) -> _Number | None:
    """Return the number written in words at token i ("twenty-five", "two hundred and fifty")."""
    total = current = 0.0
    end = i
    seen = False
    while end < len(doc):
        word = doc[end].lower_
        if word in _UNITS_WORDS:
            current += _UNITS_WORDS[word]
        elif word in _SCALES and seen:
            if _SCALES[word] == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * _SCALES[word]
                current = 0
        elif (
            seen
            and word in ("-", "and")
            and end + 1 < len(doc)
            and (doc[end + 1].lower_ in _UNITS_WORDS)
        ):
            end += 1
            continue
        else:
            break
        seen = True
        end += 1
    if not seen:
        return None
    return _Number(i, end, total + current, spelled=True)


def _read_vague(doc: Doc, i: int) -> _Number | None:
    """Return "a dozen", "half a million", "a thousand", "several thousand", "hundreds of" at i."""
    word = doc[i].lower_
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    if word in ("a", "an") and nxt == "dozen":
        return _Number(i, i + 2, 12, "about", spelled=True)
    if word in ("a", "an") and nxt in _SCALES:
        value, end = _read_scales(doc, i + 1, 1)
        return _Number(i, end, value, spelled=True)
    if word == "half" and nxt in ("a", "an") and i + 2 < len(doc):
        value, end = _read_scales(doc, i + 2, 0.5)
        return _Number(i, end, value, spelled=True) if end > i + 2 else None
    if word in ("several", "few") and nxt in _SCALES:
        start = i - 1 if word == "few" and i > 0 and doc[i - 1].lower_ == "a" else i
        value, end = _read_scales(doc, i + 1, 1)
        return _Number(start, end, value, _VAGUE_MULTIPLES[word], spelled=True)
    if word in _PLURAL_MAGNITUDES:
        # "tens of thousands of", "hundreds of": value is one of each named magnitude.
        value, end = float(_PLURAL_MAGNITUDES[word]), i + 1
        while (
            end + 1 < len(doc)
            and doc[end].lower_ == "of"
            and (doc[end + 1].lower_ in _PLURAL_MAGNITUDES)
        ):
            value *= _PLURAL_MAGNITUDES[doc[end + 1].lower_]
            end += 2
        if end < len(doc) and doc[end].lower_ == "of":
            return _Number(i, end + 1, value, f"{word} of", spelled=True)
    return None


def _read_number(doc: Doc, i: int, after_currency: bool) -> _Number | None:
    """Return the number that starts at token i, or None."""
    token = doc[i]
    if token.text[0].isdigit():
        return _read_digits(doc, i, after_currency)
    word = token.lower_
    if word in _UNITS_WORDS:
        return _read_words(doc, i)
    if word in ("a", "an", "half", "several", "few") or word in _PLURAL_MAGNITUDES:
        return _read_vague(doc, i)
    return None


# ---------------------------------------------------------------------------------------------
# Deciding whether a number is a count


def _char_before(doc: Doc, i: int) -> str:
    """Return the character right before token i, or a space."""
    return doc[i - 1].text[-1] if i > 0 and not doc[i - 1].whitespace_ else " "


def _char_after(doc: Doc, end: int) -> str:
    """Return the character right after the token before `end`, or a space."""
    return doc[end].text[0] if end < len(doc) and not doc[end - 1].whitespace_ else " "


def _is_glued(doc: Doc, number: _Number) -> bool:
    """Return True when a hyphen, slash or colon glues the number to something (ranges, codes)."""
    before, after = _char_before(doc, number.start), _char_after(doc, number.end)
    if before in _GLUE_CHARS or before.isalpha():
        return True
    if after in _GLUE_CHARS:
        # "a 40-mile convoy", "100,000-plus" stay; "5,000-10,000", "6-year-old" go.
        word = doc[number.end + 1].lower_ if number.end + 1 < len(doc) else ""
        return not (after in "-–" and (word in _MEASURES or word == "plus"))
    if not after.isalpha() or number.spelled or number.end - number.start > 1:
        return False
    return doc[number.end].lower_ not in _MEASURES  # "30km" is split by the tokenizer


def _is_year(doc: Doc, number: _Number) -> bool:
    """Return True for a four-digit year ("in 2022", "2022 elections")."""
    text = doc[number.start].text
    if number.end - number.start != 1 or not re.fullmatch(r"1[89]\d\d|20\d\d", text):
        return False
    nxt = doc[number.end] if number.end < len(doc) else None
    # "2000 soldiers" is a count: a plural noun right after it.
    return not (nxt is not None and nxt.tag_ in ("NNS", "NNPS"))


def _opens_sentence(doc: Doc, i: int) -> bool:
    """Return True when token i follows sentence punctuation or a line break.

    Cheaper than `Token.is_sent_start`, which scans the whole Doc on every call.
    """
    return i == 0 or doc[i - 1].is_space or doc[i - 1].text in _SENTENCE_ENDS


def _is_label(doc: Doc, number: _Number) -> bool:
    """Return True for a number that labels something ("Article 4", "January 24", "(2)", "1.")."""
    after = _char_after(doc, number.end)
    prev = doc[number.start - 1] if number.start > 0 else None
    # List numbering: first thing on its line, followed by "." or ")".
    first_on_line = prev is None or (prev.is_space and "\n" in prev.text)
    if first_on_line and after in (".", ")"):
        return True
    if prev is None:
        return False
    if prev.lower_ in _LABEL_WORDS or prev.lower_ in _MONTHS:
        return True
    if prev.text == "(" and after == ")":
        return True
    # "Boeing 737", "Minsk 2": right after a capitalised word, not modifying a noun after it.
    last = doc[number.end - 1]
    modifies_next = last.head.i >= number.end and last.head.pos_ in ("NOUN", "PROPN")
    return (
        prev.is_alpha
        and prev.text[0].isupper()
        and not _opens_sentence(doc, prev.i)
        and not modifies_next
    )


def _is_range_end(doc: Doc, number: _Number) -> bool:
    """Return True for the second number of a range ("between 300 and 400") or of "1 of 3"."""
    if number.start < 2 or doc[number.start - 1].lower_ not in ("and", "to", "or", "of"):
        return False
    before = doc[number.start - 2]
    return before.like_num or before.lower_ in _SCALES


def _is_excluded(doc: Doc, number: _Number) -> bool:
    """Return True when the number is not a count worth tracking."""
    tokens = doc[number.start : number.end]
    if any(t.ent_type_ in _SKIP_ENTITIES for t in tokens):
        return True
    if number.value == 1 and number.spelled:
        return True  # "one of", "no one", "a"
    small = number.spelled and number.value <= 12 and number.start > 0
    if small and doc[number.start - 1].lower_ in _ANAPHORIC_DETERMINERS:
        return True  # "the two sides" refers back; it reports nothing new
    return (
        _is_glued(doc, number)
        or _is_year(doc, number)
        or _is_label(doc, number)
        or _is_range_end(doc, number)
    )


# ---------------------------------------------------------------------------------------------
# What it counts


@dataclass(frozen=True)
class _Counted:
    """The counted noun phrase: its normalised text and the index after its last token."""

    unit: str
    end: int


def _is_np_token(token: Token) -> bool:
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        return True
    if token.pos_ == "NUM" and any(c.isalpha() for c in token.text):
        return True  # model names: "F-16", "MiG-29"
    return token.tag_ in ("VBN", "VBG") and token.dep_ == "amod"  # "wounded", "armoured"


def _surface(token: Token) -> str:
    """Return the token as it should appear in a unit: common nouns lowercased."""
    text = token.text
    if any(c.isdigit() for c in text):
        return text
    if text.isupper():
        return text if len(text) <= 4 else text.lower()  # "US", "NATO"; a shouted "TROOPS"
    if token.pos_ == "PROPN" or token.ent_type_ in ("NORP", "GPE", "ORG"):
        return text
    return text.lower()


def _counted(doc: Doc, end: int, number_token: Token) -> _Counted | None:
    """Return the noun phrase from token `end` on that `number_token` counts, or None."""
    run: list[Token] = []
    if end + 1 < len(doc) and doc[end].text in ("-", "–") and doc[end + 1].lower_ in _MEASURES:
        end += 1  # "a 40-mile convoy"
    for token in doc[end : min(end + 6, len(doc))]:
        if _opens_sentence(doc, token.i) or token.ent_type_ in ("DATE", "TIME"):
            break
        if token.text in ("-", "–") and not token.whitespace_ and run:
            run.append(token)
            continue
        if not _is_np_token(token):
            break
        run.append(token)
    nouns = [t for t in run if t.pos_ in ("NOUN", "PROPN")]
    if not nouns:
        return None
    head_of_number = number_token.head
    head = head_of_number if head_of_number in nouns else nouns[-1]
    # "10 battalion tactical groups": the number hangs on a modifier of the real head.
    while head.dep_ in ("compound", "nmod", "amod") and head.head.i > head.i and head.head in run:
        head = head.head
    if nouns[0].lower_ in _MEASURES:
        head = nouns[0]  # "40 km convoy" measures the convoy: the unit is km
    if head.lower_ in _NOT_COUNTED or head.lower_ in _MONTHS or head.lower_ in _WEEKDAYS:
        return None
    if head.lower_ in ("others", "ones", "more", "each", "apiece"):  # counts nothing named
        return None
    if head.ent_type_ in _SKIP_ENTITIES - {"NORP", "GPE", "ORG", "PRODUCT"}:
        return None
    kept = [t for t in run if t.i < head.i and t.lower_ not in _DROPPED_MODIFIERS]
    kept = [t for t in kept if t.text not in ("-", "–") or (t.i - 1 in {k.i for k in kept})]
    modifiers = "".join(_surface(t) + t.whitespace_ for t in kept).strip(" -–")
    head_text = _HEAD_CANON.get(head.lower_, _surface(head))
    return _Counted(f"{modifiers} {head_text}".strip(), head.i + 1)


def _approximation_before(doc: Doc, start: int) -> tuple[str | None, int]:
    """Return the normalised approximation ending right before token `start`, and its start."""
    for size in range(_LONGEST_APPROX, 0, -1):
        if start - size < 0:
            continue
        words = tuple(t.lower_ for t in doc[start - size : start])
        # "spoke about two cases": a preposition heading the phrase is no approximation.
        if words in _APPROX_BEFORE and not (size == 1 and doc[start - 1].dep_ == "prep"):
            return _APPROX_BEFORE[words], start - size
    return None, start


def _approximation_after(doc: Doc, end: int) -> tuple[str | None, int]:
    """Return the normalised approximation starting at token `end` ("or so"), and its end."""
    for words, approximation in _APPROX_AFTER.items():
        stop = end + len(words)
        if stop <= len(doc) and tuple(t.lower_ for t in doc[end:stop]) == words:
            return approximation, stop
    return None, end


def _is_partitive(doc: Doc, number: _Number) -> bool:
    """Return True for "two of them", "one of the ...": a share of something named elsewhere."""
    if number.approximation is not None or number.end + 1 >= len(doc):
        return False
    nxt, after = doc[number.end], doc[number.end + 1]
    return nxt.lower_ == "of" and (after.pos_ in ("DET", "PRON") or after.tag_ == "PRP$")


def _unit_at(doc: Doc, number: _Number, end: int, currency: str | None) -> _Counted | None:
    """Return what the number counts when its wording goes on at token `end`, or None."""
    if currency:
        return _Counted(currency, end)
    if number.glued_unit:
        return _Counted(_HEAD_CANON.get(number.glued_unit, number.glued_unit), end)
    nxt = doc[end].lower_ if end < len(doc) else ""
    if nxt in _PERCENT_WORDS:
        return _Counted("percent", end + 1)
    if nxt == "per" and end + 1 < len(doc) and doc[end + 1].lower_ == "cent":
        return _Counted("percent", end + 2)
    return _counted(doc, end, doc[number.end - 1])


def _quantity_at(doc: Doc, i: int) -> tuple[Quantity | None, int]:
    """Return the quantity whose number starts at token i (or None) and the index to go on from."""
    currency = _CURRENCY_SIGNS.get(doc[i - 1].lower_) if i > 0 else None
    number = _read_number(doc, i, after_currency=currency is not None)
    if number is None:
        return None, i + 1
    if _is_excluded(doc, number) or _is_partitive(doc, number):
        return None, number.end
    # "100,000 or so soldiers": the approximation may stand between number and noun.
    trailing, end = _approximation_after(doc, number.end)
    counted = _unit_at(doc, number, end, currency)
    if counted is None:
        return None, number.end
    end = counted.end
    if trailing is None:
        trailing, end = _approximation_after(doc, end)  # "8,500 troops or more"
    first = number.start - 1 if currency else number.start
    before, first_before = _approximation_before(doc, first)
    magnitude = number.approximation if number.approximation != "about" else None
    approximation = magnitude or before or trailing or number.approximation
    if approximation == before and before is not None:
        first = first_before
    unit = counted.unit
    counts_things = not currency and unit != "percent"
    if counts_things and first > 0 and doc[first - 1].lower_ in _INCREMENT_MODIFIERS:
        unit = f"additional {unit}"  # "an additional 30,000 troops" is an increment
    start_char, end_char = doc[first].idx, doc[end - 1].idx + len(doc[end - 1])
    quantity = Quantity(
        text=doc[first:end].text,
        start=start_char,
        end=end_char,
        value=number.value,
        unit=unit,
        approximation=approximation,
    )
    return quantity, end


def find_quantities(doc: Doc) -> list[Quantity]:
    """Return the counts, sums of money and percentages in `doc`, in reading order.

    Offsets index `doc.text`; each span covers approximation, number and counted noun phrase.
    Needs the tagger, parser and NER of an English pipeline; not the lemmatizer.
    """
    found: list[Quantity] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        word = token.lower_
        if token.text[:1].isdigit() or word in _NUMBER_STARTS:
            quantity, i = _quantity_at(doc, i)
            if quantity is not None:
                found.append(quantity)
        else:
            i += 1
    return found


_NUMBER_STARTS = frozenset(
    set(_UNITS_WORDS) | set(_PLURAL_MAGNITUDES) | {"a", "an", "half", "several", "few"}
)

# ---------------------------------------------------------------------------------------------
# Comparing figures

_HEAD_SYNONYMS = {
    "troop": "troop", "soldier": "troop", "serviceman": "troop", "servicemember": "troop",
    "servicewoman": "troop", "personnel": "troop", "service member": "troop",
    "people": "person", "person": "person", "individual": "person",
    "fighter": "aircraft", "fighter jet": "aircraft", "jet": "aircraft", "warplane": "aircraft",
    "plane": "aircraft", "aircraft": "aircraft", "fighter aircraft": "aircraft",
    "uav": "drone", "drone": "drone", "percent": "percent", "per cent": "percent",
}  # fmt: skip
_IRREGULAR_PLURALS = {"people": "people", "men": "man", "women": "woman", "children": "child",
                      "servicemen": "serviceman", "servicewomen": "servicewoman",
                      "personnel": "personnel", "aircraft": "aircraft"}  # fmt: skip
# Nationality words and their countries, where the first five letters differ.
_PLACE_NAMES = {
    "us": "us", "u.s.": "us", "usa": "us", "american": "us", "america": "us", "uk": "uk",
    "british": "uk", "britain": "uk", "polish": "poland", "french": "france", "dutch":
    "netherlands", "chinese": "china", "danish": "denmark", "swedish": "sweden", "finnish":
    "finland", "turkish": "turkey", "belarusian": "belarus", "belarussian": "belarus",
}  # fmt: skip


def _singular(word: str) -> str:
    """Return an English plural noun in its singular form (rules good enough for count nouns)."""
    word = word.lower()
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if re.search(r"[^aeiou]ies$", word):
        return word[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


@dataclass(frozen=True)
class _UnitKey:
    """A unit broken into what can be compared: head noun class and modifier sets by kind."""

    head: str
    places: frozenset[str]
    models: frozenset[str]
    descriptive: frozenset[str]
    increment: bool


def _unit_key(unit: str) -> _UnitKey:
    """Return the comparable parts of a unit string ("US troops", "F-16 fighters")."""
    words = unit.replace("'s", "").split()
    if not words:
        return _UnitKey("", frozenset(), frozenset(), frozenset(), False)
    head_phrase = " ".join(_singular(w) for w in words[-2:]) if len(words) > 1 else ""
    if head_phrase in _HEAD_SYNONYMS:
        head, modifiers = _HEAD_SYNONYMS[head_phrase], words[:-2]
    else:
        singular = _singular(words[-1])
        head, modifiers = _HEAD_SYNONYMS.get(singular, singular), words[:-1]
    places, models, descriptive = set(), set(), set()
    increment = False
    for word in modifiers:
        lower = word.lower().strip("-")
        if lower in _INCREMENT_MODIFIERS:
            increment = True
        elif any(c.isdigit() for c in word):
            models.add(lower.removesuffix("s"))
        elif word[:1].isupper() or lower in _PLACE_NAMES:
            places.add(_PLACE_NAMES.get(lower, lower[:5]))
        else:
            descriptive.add(_singular(lower))
    return _UnitKey(head, frozenset(places), frozenset(models), frozenset(descriptive), increment)


def units_comparable(a: str, b: str) -> bool:
    """Return True when two units count the same kind of thing.

    Same head noun after singularising and merging synonyms (troops = soldiers = personnel), the
    same increment status ("additional troops" is not a total), and for each kind of modifier
    (places, model names, other words) either side unspecified or the two sharing one: "US troops"
    vs "troops" compare, "US troops" vs "Russian troops" and "F-16 fighters" vs "F-35 fighters" do not.
    """
    ka, kb = _unit_key(a), _unit_key(b)
    if not ka.head or ka.head != kb.head or ka.increment != kb.increment:
        return False
    pairs = ((ka.places, kb.places), (ka.models, kb.models), (ka.descriptive, kb.descriptive))
    return all(not x or not y or x & y for x, y in pairs)


def value_range(quantity: Quantity) -> tuple[float, float]:
    """Return the (low, high) range of true values that the quantity's wording allows.

    Exact figures ±0.5%; about/around/roughly/some/estimated ±10%; nearly/almost up to 10% below;
    more than/over/at least: the value or more; less than/under/up to/at most: the value or less;
    "hundreds of" (value 100): 100 to 1,000; several/a few thousand (value 1,000): 2,000 to 10,000.
    Unknown approximation words are read as ±10%.
    """
    low, high = _BOUNDS.get(quantity.approximation, (0.9, 1.1))
    return quantity.value * low, quantity.value * high


def quantities_compatible(a: Quantity, b: Quantity) -> bool | None:
    """Return None when the figures count different things, else whether their values agree.

    Values agree when the ranges their approximations allow overlap (see `value_range`): "about
    100,000" agrees with "100,000", "more than 100,000" and "nearly 100,000", not with "130,000".
    Percentages compare with percentages whatever they are a share of: the caller decides that
    two figures describe the same fact.
    """
    if not units_comparable(a.unit, b.unit):
        return None
    low_a, high_a = value_range(a)
    low_b, high_b = value_range(b)
    return low_a <= high_b and low_b <= high_a
