"""Within one article: group the mentions of each entity and give the group one name and one type.

"NATO Secretary General Jens Stoltenberg" ... "Stoltenberg" ... "Mr. Stoltenberg" become one
`LocalEntity` named "Jens Stoltenberg", typed PERSON by the article's majority, with the role
"NATO Secretary General". Cross-article resolution is in `storyline.resolve.resolver`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storyline.model import Article, EntityMention
from storyline.resolve.names import (
    ROLE_MODIFIERS,
    ROLE_NOUNS,
    given_names,
    given_names_compatible,
    is_title_case,
    is_well_formed,
    name_key,
    name_tokens,
    short_form_of,
    split_titles,
    surname,
    word_similarity,
    words_of,
)

# spaCy labels that name something; dates, numbers and money are not entities to resolve.
NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)

_MAX_ROLE_WORDS = 6


@dataclass(frozen=True)
class LinkParams:
    """Thresholds for deciding that two name forms in one article are one entity."""

    given_name_similarity: float = 0.8  # "Jen"/"Jin" (0.80) agree; "Joe"/"Jen" (0.60) do not
    surname_similarity: float = 0.95  # surnames this alike, with equal given names, are one person


@dataclass
class LocalEntity:
    """One entity as one article names it: its best name, type, roles, mentions and name forms."""

    name: str
    type: str
    roles: list[str] = field(default_factory=list)
    mentions: list[EntityMention] = field(default_factory=list)  # cleaned text and offsets
    aliases: list[str] = field(default_factory=list)  # distinct cleaned forms, first seen first
    gender: str | None = None  # from honorifics ("Mrs. Jenkin"), when they agree

    @property
    def key(self) -> str:
        """Return the comparable form of the entity's name."""
        return name_key(self.name)


def link_within_article(
    article: Article, doc: Any = None, params: LinkParams | None = None
) -> list[LocalEntity]:
    """Return the article's entities, each grouping the mentions that name it, in order of first mention.

    Besides `article.entities` (cleaned, junk dropped), a name the tagger found once is also
    taken wherever else it appears verbatim in the text: one name, one entity per article.
    `doc` (the spaCy Doc) is accepted for callers that have it; the linker only needs
    `article.entities` and `article.text`. Costs O(m^2) in the number of distinct name forms m.
    """
    del doc  # the character-level rules below need no parse
    params = params or LinkParams()
    cleaned = [_clean_mention(article.text, mention) for mention in article.entities]
    mentions = _split_headline_runs(article.text, [item for item in cleaned if item is not None])
    mentions = _trim_run_ons(mentions, params)
    mentions = _propagate(article.text, mentions)
    groups = _group_by_key(mentions)
    clusters = _merge_groups(groups, params)
    entities = [_to_entity(members) for members in clusters]
    return sorted(entities, key=lambda entity: entity.mentions[0].start)


@dataclass
class _Mention:
    mention: EntityMention  # cleaned
    roles: list[str]
    gender: str | None


def _clean_mention(text: str, mention: EntityMention) -> _Mention | None:
    """Return the mention without titles, possessive or punctuation, with its roles; None for junk."""
    if mention.label not in NAME_LABELS:
        return None
    surface = mention.text.split("\n")[0]  # a span across lines is two things glued together
    parts = split_titles(surface, person=mention.label == "PERSON")
    if not is_well_formed(parts.name):
        return None
    start, end = mention.start + parts.start, mention.start + parts.end
    # With titles inside the span, what precedes the span may qualify them ("NATO").
    anchor = mention.start if parts.titles else start
    roles = [
        role for role in (_role_before(text, anchor, parts.titles), _role_after(text, end)) if role
    ]
    cleaned = EntityMention(text=parts.name, label=mention.label, start=start, end=end)
    return _Mention(cleaned, roles, parts.gender)


def _line_of(text: str, start: int) -> str:
    """Return the line of `text` holding offset `start`."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return text[line_start : line_end if line_end >= 0 else len(text)]


def _split_headline_runs(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Return the mentions with headline run-ons cut into the names the body confirms.

    In a title-case headline the tagger glues names and words together ("Colts Beat Chiefs",
    "Lindsay Lohan Checks Into Rehab"). Such a span, unless the body uses it as it is, becomes the
    longest names inside it that the body's mentions use; with none, it is kept.
    """
    headline: dict[int, bool] = {}  # line start -> title case; a line is read once, not per name

    def in_headline(start: int) -> bool:
        line_start = text.rfind("\n", 0, start) + 1
        if line_start not in headline:
            headline[line_start] = is_title_case(_line_of(text, start))
        return headline[line_start]

    body = {name_key(item.mention.text) for item in mentions if not in_headline(item.mention.start)}
    result = []
    for item in mentions:
        key = name_key(item.mention.text)
        if key in body or len(key.split()) < 2 or not in_headline(item.mention.start):
            result.append(item)
            continue
        pieces = _known_pieces(item.mention, body)
        if pieces:
            result.extend(_Mention(piece, [], item.gender) for piece in pieces)
        else:
            result.append(item)
    return result


def _trim_run_ons(mentions: list[_Mention], params: LinkParams) -> list[_Mention]:
    """Return the mentions with a word glued after a person's name cut off.

    Machine translation and the tagger glue a following word onto a name ("spokeswoman Jin
    Psaki Briefly on January 25th"). A person name of three or more words is cut back when,
    without its last word, it names a person the article names elsewhere ("Jen Psaki") and
    that last word is nobody's surname there.
    """
    people = [item.mention.text for item in mentions if item.mention.label == "PERSON"]
    surnames = {surname(name) for name in people if len(name_tokens(name)) >= 2}
    result = []
    for item in mentions:
        words = words_of(item.mention.text)
        if item.mention.label == "PERSON" and len(words) >= 3 and words[-1][0] not in surnames:
            shorter = item.mention.text[: words[-2][2]]
            if any(
                other != item.mention.text
                and len(name_tokens(other)) == len(words) - 1
                and _same_full_name(shorter, other, "PERSON", "PERSON", params)
                for other in people
            ):
                trimmed = EntityMention(
                    shorter, "PERSON", item.mention.start, item.mention.start + len(shorter)
                )
                item = _Mention(trimmed, item.roles, item.gender)
        result.append(item)
    return result


def _known_pieces(mention: EntityMention, known: set[str]) -> list[EntityMention]:
    """Return the longest known names inside a mention, left to right, as mentions."""
    words = words_of(mention.text)
    pieces, index = [], 0
    while index < len(words):
        for stop in range(len(words), index, -1):
            first, last = words[index], words[stop - 1]
            surface = mention.text[first[1] : last[2]]
            if name_key(surface) in known:
                pieces.append(
                    EntityMention(
                        surface, mention.label, mention.start + first[1], mention.start + last[2]
                    )
                )
                index = stop
                break
        else:
            index += 1
    return pieces


def _propagate(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """Return the mentions plus every other verbatim occurrence of their names in the text.

    The tagger finds "Colts" in one sentence and misses it in the next; a name is a name
    throughout one article. Longer names go first so "Indianapolis Colts" is not cut to "Colts".
    """
    taken = [(item.mention.start, item.mention.end) for item in mentions]
    labels: dict[str, str] = {}
    for item in mentions:
        labels.setdefault(item.mention.text, item.mention.label)
    added = []
    for form in sorted(labels, key=len, reverse=True):
        if len(form) < 3 or not form[0].isupper():
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            added.append(_Mention(EntityMention(form, labels[form], start, end), [], None))
    return sorted(mentions + added, key=lambda item: item.mention.start)


def _role_before(text: str, start: int, titles: tuple[str, ...]) -> str:
    """Return the role phrase just before a name ("White House press secretary"), or ""."""
    line_start = text.rfind("\n", 0, start) + 1
    left = text[max(line_start, start - 120) : start]
    picked: list[str] = list(titles[0].split()) if titles else []
    position = len(left)
    for word, word_start, word_end in reversed(words_of(left)):
        if left[word_end:position].strip():
            break  # punctuation between the words ends the phrase
        lowered = word.casefold().rstrip(".")
        if lowered in {"the", "a", "an"}:
            break  # an article opens the noun phrase the role belongs to
        if not picked:
            if lowered not in ROLE_NOUNS:
                break
        elif not (lowered in ROLE_NOUNS or lowered in ROLE_MODIFIERS or word[0].isupper()):
            break
        picked.insert(0, word)
        position = word_start
        if len(picked) >= _MAX_ROLE_WORDS:
            break
    while picked and picked[0].casefold() in {"of", "and", "the"}:
        picked.pop(0)
    return " ".join(picked)


_APPOSITION = re.compile(r"\s*,\s*(?:(?:the|a|an)\s+)?([^,.;:!?\n\"“”]{2,70}?)\s*[,.;]")


def _role_after(text: str, end: int) -> str:
    """Return the role in an apposition after a name ("..., the White House press secretary,")."""
    match = _APPOSITION.match(text, end)
    if not match:
        return ""
    words = match.group(1).split()
    if not words or len(words) > _MAX_ROLE_WORDS or words[-1].casefold() not in ROLE_NOUNS:
        return ""
    for word in words:
        lowered = word.casefold()
        if not (
            lowered in ROLE_NOUNS
            or lowered in ROLE_MODIFIERS
            or word[0].isupper()
            or lowered.endswith(("'s", "’s"))
        ):
            return ""
    return match.group(1)


def _group_by_key(mentions: list[_Mention]) -> list[list[_Mention]]:
    """Return the mentions grouped by name key, groups in order of first mention."""
    groups: dict[str, list[_Mention]] = {}
    for item in mentions:
        key = name_key(item.mention.text)
        if key:
            groups.setdefault(key, []).append(item)
    return list(groups.values())


def _majority_type(members: list[_Mention]) -> str:
    """Return the most frequent label; a role ("spokesman") votes PERSON; ties go to the longest form."""
    votes = Counter(item.mention.label for item in members)
    votes["PERSON"] += sum(1 for item in members if item.roles)
    best = max(votes.values())
    tied = {label for label, count in votes.items() if count == best}
    longest = max(members, key=lambda item: len(item.mention.text))
    if longest.mention.label in tied:
        return longest.mention.label
    return sorted(tied)[0]


def _merge_groups(groups: list[list[_Mention]], params: LinkParams) -> list[list[_Mention]]:
    """Return the groups merged into entities: full names first, then shorter forms if unambiguous."""
    parent = list(range(len(groups)))

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    names = [groups[index][0].mention.text for index in range(len(groups))]
    tokens = [name_tokens(name) for name in names]
    types = [_majority_type(group) for group in groups]
    order = sorted(range(len(groups)), key=lambda index: -len(tokens[index]))
    # 1. Full person names that differ by a spelling slip ("Jen Psaki"/"Jin Psaki") are one person.
    for position, first in enumerate(order):
        for second in order[position + 1 :]:
            if _same_full_name(names[first], names[second], types[first], types[second], params):
                parent[find(second)] = find(first)
    # 2. A shorter form joins the one longer entity that contains it ("Stoltenberg", "NATO").
    for index in sorted(range(len(groups)), key=lambda index: len(tokens[index])):
        containers = {
            find(other)
            for other in range(len(groups))
            if len(tokens[other]) > len(tokens[index])
            and _contains(names[other], types[other], names[index], params)
        }
        if len(containers) == 1:
            parent[find(index)] = containers.pop()
    clusters: dict[int, list[_Mention]] = {}
    for index, group in enumerate(groups):
        clusters.setdefault(find(index), []).extend(group)
    return list(clusters.values())


def _same_full_name(a: str, b: str, type_a: str, type_b: str, params: LinkParams) -> bool:
    """Return whether two multi-word person names in one article name one person."""
    if type_a != "PERSON" or type_b != "PERSON":
        return False
    if not given_names(a) or not given_names(b):
        return False
    if word_similarity(surname(a), surname(b)) < params.surname_similarity:
        return False
    return given_names_compatible(given_names(a), given_names(b), params.given_name_similarity)


def _contains(long_name: str, long_type: str, short_name: str, params: LinkParams) -> bool:
    """Return whether the short form can stand for the long name in the same article."""
    long_tokens, short_tokens = name_tokens(long_name), name_tokens(short_name)
    if not short_tokens:
        return False
    if long_type != "PERSON":
        return short_form_of(short_name, long_name)
    if len(short_tokens) == 1:
        # "Stoltenberg" or "Lindsay" for the full name; a misspelt surname too ("Klistchko").
        word = short_tokens[0]
        return word == long_tokens[0] or (
            word_similarity(word, long_tokens[-1]) >= params.surname_similarity
        )
    # "Mark Heller" in "Mark Jay Heller".
    if short_tokens[-1] != long_tokens[-1]:
        return False
    remaining = iter(long_tokens)
    return all(word in remaining for word in short_tokens)


def _to_entity(members: list[_Mention]) -> LocalEntity:
    """Return the entity a cluster of mentions names: longest well-formed name, majority type."""
    members = sorted(members, key=lambda item: item.mention.start)
    entity_type = _majority_type(members)
    forms = Counter(item.mention.text for item in members)
    aliases = list(dict.fromkeys(item.mention.text for item in members))
    # A person's name rarely runs past four words; longer ones are usually a headline run-on.
    plausible = [form for form in aliases if entity_type != "PERSON" or len(form.split()) <= 4]
    name = max(plausible or aliases, key=lambda form: (len(name_tokens(form)), forms[form]))
    roles = list(dict.fromkeys(role for item in members for role in item.roles))
    genders = {item.gender for item in members if item.gender}
    return LocalEntity(
        name=name,
        type=entity_type,
        roles=roles,
        mentions=[item.mention for item in members],
        aliases=aliases,
        gender=genders.pop() if len(genders) == 1 else None,
    )
