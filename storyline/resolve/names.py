"""Name normalisation: clean a surface form, split off titles and roles, compare two names.

Everything here works on plain strings so that the within-article linker, the cross-article
resolver and the evaluation share one definition of "the same name".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from anyascii import anyascii


def word_set(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of `text` as a set (for word lists kept as prose)."""
    return frozenset(text.split())


# Honorifics say nothing about what a person does, so they are dropped rather than kept as roles.
HONORIFICS = word_set(
    """
    mr mrs ms miss mx dr sir dame lord lady prof professor rev reverend hon mister madam
    m mme mlle monsieur madame herr frau sr sra srta señor señora
    """
)

# Words that name a job or office. A run of them next to a name is the person's role.
ROLE_NOUNS = word_set(
    """
    spokesman spokeswoman spokesperson spokespeople secretary president vice-president
    premier minister chancellor senator sen governor gov mayor ambassador envoy general gen
    commander colonel col lieutenant lt captain capt sergeant sgt admiral marshal chief
    director chairman chairwoman chair ceo cfo coo founder co-founder coroner sheriff judge
    justice attorney lawyer prosecutor counsel official leader king queen prince princess
    emperor pope cardinal bishop archbishop actor actress singer rapper coach manager
    reporter correspondent analyst economist head deputy commissioner adviser advisor aide
    representative rep congressman congresswoman lawmaker legislator diplomat superintendent
    inspector detective officer constable spokesmen owner publisher editor anchor host
    producer player striker goalkeeper midfielder defender quarterback pitcher agent
    publicist investigator researcher scientist astronaut pilot surgeon doctor physician
    nurse chancellor-elect president-elect secretary-general
    """
)

# Words that may sit inside a role phrase without being its head ("press", "deputy", "foreign").
ROLE_MODIFIERS = word_set(
    """
    press deputy vice foreign defence defense interior state national senior former acting
    assistant associate executive general chief prime supreme military white house first
    finance health justice security public communications media police fire county district
    federal regional local top interim us u.s. un eu nato european russian ukrainian
    american british french german chinese polish and of the
    """
)

# Spokes-words vary by gender only; treat them as one role when comparing.
_ROLE_SYNONYMS = {
    "spokesman": "spokesperson",
    "spokeswoman": "spokesperson",
    "spokespeople": "spokesperson",
    "spokesmen": "spokesperson",
    "sen": "senator",
    "gov": "governor",
    "rep": "representative",
    "gen": "general",
    "advisor": "adviser",
    "secretary-general": "secretary general",
    "chairwoman": "chairman",
    "chair": "chairman",
}

# Words that make a different office of the role noun they precede ("press secretary").
_HEAD_MODIFIERS = word_set(
    """
    press prime vice deputy foreign defence defense interior secretary attorney chief police
    general finance health justice state home army
    """
)

# Roles too generic to say that two mentions are one person.
GENERIC_ROLES = frozenset({"official", "leader", "head", "officer", "representative", "member"})

NAME_PARTICLES = word_set("van von de der den da di du del la le bin al ibn st")
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

_QUOTES = "\"'“”‘’«»„`"
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*|\d[\w.\-]*", re.UNICODE)
_SPACES = re.compile(r"\s+")


_HONORIFIC_GENDER = {
    "mr": "male",
    "m": "male",  # French "M. Stoltenberg"
    "monsieur": "male",
    "herr": "male",
    "sr": "male",
    "señor": "male",
    "mme": "female",
    "mlle": "female",
    "madame": "female",
    "frau": "female",
    "sra": "female",
    "srta": "female",
    "señora": "female",
    "mister": "male",
    "sir": "male",
    "lord": "male",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "madam": "female",
    "dame": "female",
    "lady": "female",
}


@dataclass(frozen=True)
class CleanName:
    """A surface form with its junk and leading titles removed; offsets are relative to the input."""

    name: str
    start: int
    end: int
    titles: tuple[str, ...]  # role words taken off the front ("Secretary General")
    gender: str | None = None  # "male" or "female" when an honorific says so ("Mrs.")


def clean_surface(text: str) -> tuple[str, int, int]:
    """Return the text without quotes, brackets, trailing punctuation or possessive, and its span."""
    start, end = 0, len(text)
    while True:
        before = (start, end)
        piece = text[start:end]
        lead = re.match(rf"^[\s{_QUOTES}(\[\-–—,;:.]+", piece)
        if lead:
            start += lead.end()
        piece = text[start:end]
        trail = re.search(rf"[\s{_QUOTES})\]\-–—,;:!?]+$", piece)
        if trail:
            end = start + trail.start()
        piece = text[start:end]
        possessive = _POSSESSIVE.search(piece)
        if possessive and possessive.start() > 0:
            end = start + possessive.start()
        # A full stop ends a sentence more often than an initial ("Kirby." vs "Robert F.").
        if end - start > 2 and text[end - 1] == "." and not re.search(r"\b\w\.$", text[start:end]):
            end -= 1
        if (start, end) == before:
            return text[start:end], start, end


def split_titles(text: str, person: bool = True) -> CleanName:
    """Return the name with leading honorifics and, for people, role words removed.

    "Mr. Stoltenberg" -> "Stoltenberg"; "NATO Secretary General Jens Stoltenberg" -> "Jens
    Stoltenberg" with title "NATO Secretary General". Role words stay in organisation names
    ("General Motors"), so pass `person=False` for them.
    """
    name, start, end = clean_surface(text)
    offset, cut, title_words, pending = 0, 0, [], []
    gender: str | None = None
    for match in re.finditer(r"([^\W\d_][\w\-]*)(?:\.\s*|\s+)", name):
        if match.start() != offset:
            break
        word, lowered = match.group(1), match.group(1).casefold()
        offset = match.end()
        # Cut only where a capitalised name follows ("press secretary Jen Psaki").
        name_follows = name[offset:][:1].isupper()
        if lowered == "the" and match.start() == 0:
            cut = offset if name_follows else cut
        elif lowered in HONORIFICS and name_follows:
            cut = offset
            gender = _HONORIFIC_GENDER.get(lowered, gender)
        elif person and lowered in ROLE_NOUNS:
            # A capitalised word before a title may be a first name ("John King Smith"), unless
            # the title is lowercase ("Pentagon spokesman") or the word an acronym ("NATO").
            if not word.islower() and any(
                p.casefold() not in ROLE_MODIFIERS
                and not p.isupper()
                and p.casefold() not in ROLE_NOUNS
                for p in pending
            ):
                break
            pending.append(word)
            if name_follows:
                title_words += pending
                pending, cut = [], offset
        elif person and (lowered in ROLE_MODIFIERS or word.isupper() or word[0].isupper()):
            pending.append(word)  # a title only if a role noun follows ("NATO Secretary")
        else:
            break
    titles = (" ".join(title_words),) if title_words else ()
    return CleanName(name=name[cut:], start=start + cut, end=end, titles=titles, gender=gender)


def is_well_formed(name: str) -> bool:
    """Return whether a cleaned name looks like a proper name rather than junk from the tagger."""
    if len(name) < 2 or len(name) > 80 or "\n" in name:
        return False
    words = name.split()
    if len(words) > 7 or not any(ch.isalpha() for ch in name):
        return False
    # Proper names start with a capital or a digit ("3M"); a lowercase start is a tagging slip.
    return name[0].isupper() or name[0].isdigit()


# Resolution compares the same names over and over: their keys and words are computed once.
_CACHED_NAMES = 1 << 16


@lru_cache(maxsize=_CACHED_NAMES)
def name_key(name: str) -> str:
    """Return the form two spellings of one name share: casefolded, no accents, no dots or hyphens.

    Names in other scripts are transliterated to Latin letters first (anyascii), so
    "Столтенберг" is "stoltenberg" and "Зеленський" is "zelenskiy", one letter from "zelensky".
    Cached.
    """
    name = latin(name)
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.casefold().replace("’", "'").replace("‘", "'")
    # Quotes around nicknames, brackets and commas ("Comeaux, Jr") are not part of the name;
    # an apostrophe inside a word is ("O'Brien").
    plain = re.sub(r"(?<!\w)'|'(?!\w)|[^\w\s']", " ", plain)
    plain = re.sub(r"^the\s+", "", plain)
    plain = re.sub(r"\s+(?:com|org|net)\s*$", "", plain)  # "TMZ.com" is TMZ
    return _SPACES.sub(" ", plain).strip()


def latin(text: str) -> str:
    """Return the text with every letter outside the Latin script transliterated (anyascii).

    Latin letters stay as they are (accents are for the caller to fold); the soft and hard
    signs of Cyrillic, which anyascii writes as apostrophes, are dropped.
    """
    if all(ord(ch) <= _LAST_LATIN for ch in text):
        return text
    return "".join(
        ch if ord(ch) <= _LAST_LATIN else anyascii(ch).replace("'", "") for ch in text
    )


_LAST_LATIN = 0x24F  # end of Latin Extended-B


def name_tokens(name: str) -> list[str]:
    """Return the words of a name's key, without generational suffixes ("Jr."). Cached."""
    return list(_name_words(name))


@lru_cache(maxsize=_CACHED_NAMES)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(word for word in name_key(name).split() if word not in NAME_SUFFIXES)


def surname(name: str) -> str:
    """Return the last word of a person's name key ("" for an empty name)."""
    tokens = name_tokens(name)
    return tokens[-1] if tokens else ""


def given_names(name: str) -> list[str]:
    """Return the words before the surname, without particles ("de", "van")."""
    tokens = name_tokens(name)
    return [word for word in tokens[:-1] if word not in NAME_PARTICLES]


# Heads of organisation names too common to stand for one organisation on their own.
GENERIC_ORG_WORDS = word_set(
    """
    department ministry court police university college school company corporation corp inc ltd
    agency council committee commission service services party association union bank group office
    house hospital church army navy force forces government administration team club league board
    institute center centre foundation society authority parliament assembly senate congress
    times post news network press media international national federation organization
    organisation unit bureau station airport airlines airline fund trust partners industries
    """
)


LEGAL_FORMS = word_set("corp corporation inc incorporated ltd llc plc co company ag sa gmbh")


@lru_cache(maxsize=_CACHED_NAMES)
def short_form_of(short: str, long: str) -> bool:
    """Return whether an organisation's short name can stand for its long name (cached).

    "NATO" for "North Atlantic Treaty Organization", "Colts" for "Indianapolis Colts" and
    "Fish and Wildlife Service" for "U.S. Fish and Wildlife Service"; not "Department" for
    "Interior Department".
    """
    short_words, long_words = name_tokens(short), _without_legal_form(name_tokens(long))
    if short_words and short_words == long_words:
        return True  # "Microsoft" for "Microsoft Corp."
    if not short_words or len(short_words) >= len(long_words):
        return False
    if len(short_words) == 1 and short_words[0] == acronym(long):
        return True
    if long_words[-len(short_words) :] != short_words:
        return False
    return len(short_words) > 1 or short_words[0] not in GENERIC_ORG_WORDS


def _without_legal_form(words: list[str]) -> list[str]:
    """Return an organisation's name words without a trailing legal form ("corp", "inc")."""
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words = words[:-1]
    return words


@lru_cache(maxsize=_CACHED_NAMES)
def acronym(name: str) -> str:
    """Return the initials of the capitalised words ("North Atlantic Treaty Organization" -> "nato"). Cached."""
    words = [word for word in re.split(r"[\s\-]+", name) if word and word[0].isupper()]
    return "".join(word[0] for word in words).casefold() if len(words) > 1 else ""


def word_similarity(a: str, b: str) -> float:
    """Return how alike two name words are, from 0 to 1: Jaro-Winkler, raised when they sound alike.

    Spelling variants of transliterated names ("Zelensky"/"Zelanski", "Psaki"/"Puski") share their
    Metaphone or NYSIIS code even when their letters differ, so a phonetic match lifts the score.
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    score = jellyfish.jaro_winkler_similarity(a, b)
    if len(a) > 2 and len(b) > 2:
        (metaphone_a, nysiis_a), (metaphone_b, nysiis_b) = _sound(a), _sound(b)
        if metaphone_a == metaphone_b or nysiis_a == nysiis_b:
            score = max(score, 0.5 + score / 2)
    return score


@lru_cache(maxsize=_CACHED_NAMES)
def _sound(word: str) -> tuple[str, str]:
    """Return the word's Metaphone and NYSIIS codes."""
    return jellyfish.metaphone(word), jellyfish.nysiis(word)



def given_names_compatible(a: list[str], b: list[str], threshold: float) -> bool:
    """Return whether two lists of given names can belong to one person.

    Missing names, initials ("J." for "Jen") and near spellings ("Jen"/"Jin") are compatible;
    different names ("Hunter"/"Joe") are not.
    """
    if not a or not b:
        return True
    if _given_name_matches(a[0], b[0], threshold):
        return True
    # People go by a middle name or a nickname ("Luis Gerardo (Jerry) Ortiz" is "Jerry Ortiz").
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return any(
        _given_name_matches(shorter[0], other, threshold) for other in longer[1:] if len(other) > 1
    )


def _given_name_matches(a: str, b: str, threshold: float) -> bool:
    """Return whether two given names can be one: equal, initial of the other, or near spellings."""
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return word_similarity(a, b) >= threshold


def person_similarity(a: str, b: str, given_threshold: float) -> float:
    """Return how alike two person names are, 0 to 1: the surname score if given names agree, else 0."""
    surname_a, surname_b = surname(a), surname(b)
    if not surname_a or not surname_b:
        return 0.0
    if not given_names_compatible(given_names(a), given_names(b), given_threshold):
        return 0.0
    return word_similarity(surname_a, surname_b)


@lru_cache(maxsize=_CACHED_NAMES)
def organisation_similarity(a: str, b: str) -> float:
    """Return how alike two organisation (or place) names are, 0 to 1; acronyms match their expansion.

    Cached: the same pairs of names meet in article after article.
    """
    key_a, key_b = name_key(a), name_key(b)
    if key_a == key_b:
        return 1.0
    if key_a.replace(" ", "") == acronym(b) or key_b.replace(" ", "") == acronym(a):
        return 1.0
    words_a, words_b = key_a.split(), key_b.split()
    if len(words_a) != len(words_b):
        return 0.0
    # Every word must find a near twin: "Police Department" and "Fire Department" stay apart.
    return min(
        min(max(word_similarity(word, other) for other in words_b) for word in words_a),
        min(max(word_similarity(word, other) for other in words_a) for word in words_b),
    )


def role_key(role: str) -> str:
    """Return a role in comparable form: casefolded, no articles, synonyms merged ("spokeswoman")."""
    words = [word for word in name_key(role).split() if word not in {"a", "an", "the"}]
    return " ".join(_ROLE_SYNONYMS.get(word, word) for word in words)


def role_head(role: str) -> str:
    """Return the role's head noun phrase ("white house press secretary" -> "press secretary")."""
    words = role_key(role).split()
    if not words:
        return ""
    head = words[-1]
    if len(words) > 1 and words[-2] in _HEAD_MODIFIERS:
        return f"{words[-2]} {head}"
    return head


def roles_agree(a: list[str] | tuple[str, ...], b: list[str] | tuple[str, ...]) -> bool:
    """Return whether two role lists share a specific role head ("press secretary")."""
    heads_a = {role_head(role) for role in a} - GENERIC_ROLES - {""}
    heads_b = {role_head(role) for role in b} - GENERIC_ROLES - {""}
    return bool(heads_a & heads_b)


def is_title_case(line: str) -> bool:
    """Return whether most words of a line are capitalised, as in a headline."""
    words = [word for word, _, _ in words_of(line) if not word[0].isdigit()]
    # Headlines capitalise every word but short function words ("Checks Into Rehab").
    content = [word for word in words if len(word) > 3]
    return len(words) > 2 and bool(content) and all(word[0].isupper() for word in content)


def words_of(text: str) -> list[tuple[str, int, int]]:
    """Return the words of `text` with their offsets (punctuation is not a word)."""
    return [(match.group(), match.start(), match.end()) for match in _WORD.finditer(text)]
