"""Across articles: map each article's local entities to canonical entities, creating them as needed.

The resolver is online (one article at a time, no second pass) and its whole state is a list of
`CanonicalEntity` records, so the store can save it with `to_records()` and rebuild it with
`EntityResolver.from_records()`.

A local entity joins a canonical entity when their names are alike enough:

* at or above `strong_similarity` on names alone, or
* at or above `weak_similarity` with supporting evidence: the same story, a shared specific role
  ("press secretary"), or at least `min_shared_context` co-occurring entity names in common.

Person names compare surname to surname (Jaro-Winkler, lifted when Metaphone or NYSIIS agree) and
only when the given names agree ("Hunter Biden" never joins "Joe Biden"). A lone surname joins a
full name only if it is the only fitting person, or the only one with supporting evidence.
Thresholds were chosen on the ECB+ train split (see `storyline.evaluate.entities`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import jellyfish

from storyline.resolve.entities import LinkParams, LocalEntity
from storyline.resolve.names import (
    acronym,
    given_names,
    given_names_compatible,
    is_well_formed,
    name_key,
    name_tokens,
    organisation_similarity,
    roles_agree,
    short_form_of,
    surname,
    word_similarity,
)

# Organisations, places and groups are confused with each other by the tagger, not with people.
_NON_PERSON = frozenset(
    {"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)


@dataclass(frozen=True)
class ResolverParams:
    """Thresholds of the cross-article resolver (chosen on the ECB+ train split)."""

    strong_similarity: float = 0.95
    weak_similarity: float = 0.85
    min_shared_context: int = 2
    given_name_similarity: float = LinkParams.given_name_similarity
    use_story: bool = True  # count "same story" as evidence when a story id is given
    # A word or sound more canonical entities share than this ("of", "russian") is not looked
    # up: a look-up then costs at most this many candidates a key, however large the store.
    max_key_entities: int = 200


@dataclass
class CanonicalEntity:
    """One real-world entity across articles: its chosen name, type and everything merged into it."""

    id: str
    name: str
    type: str
    aliases: dict[str, int] = field(default_factory=dict)  # surface form -> mentions
    types: dict[str, int] = field(default_factory=dict)  # label -> local entities
    roles: dict[str, int] = field(default_factory=dict)
    article_ids: list[str] = field(default_factory=list)
    story_ids: list[str] = field(default_factory=list)
    context: dict[str, int] = field(default_factory=dict)  # name keys seen in the same articles
    genders: dict[str, int] = field(default_factory=dict)  # from honorifics

    def is_person(self) -> bool:
        """Return whether most of the local entities merged here were people."""
        return self.type == "PERSON"

    def full_names(self) -> list[str]:
        """Return the aliases with a given name and a surname."""
        return [alias for alias in self.aliases if len(name_tokens(alias)) > 1]


@dataclass(frozen=True)
class _Scored:
    similarity: float
    evidence: bool
    short: bool  # the local entity is a short form (lone surname, "Colts") of this candidate
    candidate: CanonicalEntity


@dataclass(frozen=True)
class Resolution:
    """Which canonical entity a local entity was mapped to."""

    local: LocalEntity
    entity_id: str
    created: bool


class EntityResolver:
    """Online cross-article entity resolver whose state is plain records."""

    def __init__(self, params: ResolverParams | None = None) -> None:
        self.params = params or ResolverParams()
        self.entities_: dict[str, CanonicalEntity] = {}
        self._index: dict[str, set[str]] = {}  # blocking key -> ids of the entities it names

    def resolve_article(
        self, article_id: str, local_entities: list[LocalEntity], story_id: str | None = None
    ) -> list[Resolution]:
        """Return the canonical entity of each local entity, updating the state as it goes."""
        keys = [entity.key for entity in local_entities]
        resolutions = []
        for position, entity in enumerate(local_entities):
            context = {key for index, key in enumerate(keys) if index != position}
            match = self._best_match(entity, context, story_id)
            created = match is None
            canonical = match or self._create(entity)
            self._absorb(canonical, entity, article_id, story_id, context)
            resolutions.append(Resolution(entity, canonical.id, created))
        return resolutions

    def entity(self, entity_id: str) -> CanonicalEntity:
        """Return the canonical entity with this id."""
        return self.entities_[entity_id]

    def to_records(self) -> list[dict[str, Any]]:
        """Return the state as JSON-ready records, one per canonical entity."""
        return [asdict(entity) for entity in self.entities_.values()]

    @classmethod
    def from_records(
        cls, records: list[dict[str, Any]], params: ResolverParams | None = None
    ) -> EntityResolver:
        """Return a resolver rebuilt from `to_records()` output."""
        resolver = cls(params)
        for record in records:
            entity = CanonicalEntity(**record)
            resolver.entities_[entity.id] = entity
            resolver._index_names(entity.id, list(entity.aliases))
        return resolver

    # -- matching ---------------------------------------------------------------------------

    def _best_match(
        self, entity: LocalEntity, context: set[str], story_id: str | None
    ) -> CanonicalEntity | None:
        """Return the canonical entity this local entity belongs to, or None for a new one."""
        scored = []
        for candidate in self._candidates(entity):
            similarity, short = self._similarity(entity, candidate)
            if similarity < self.params.weak_similarity:
                continue
            evidence = self._has_evidence(entity, candidate, context, story_id)
            if similarity >= self.params.strong_similarity or evidence:
                scored.append(_Scored(similarity, evidence, short, candidate))
        if not scored:
            return None
        best = max(item.similarity for item in scored)
        top = [item for item in scored if item.similarity >= best - 1e-9]
        top.sort(key=lambda item: (item.evidence, len(item.candidate.article_ids)), reverse=True)
        short_forms = [item for item in top if item.short]
        if len(short_forms) > 1:
            return self._disambiguate(entity, short_forms, top)
        return top[0].candidate

    def _disambiguate(
        self, entity: LocalEntity, short_forms: list[_Scored], top: list[_Scored]
    ) -> CanonicalEntity | None:
        """Return the one entity a short name ("Biden", "Post") can mean, or None if it is unclear.

        Only supporting evidence can pick between two full names; failing that the short name
        joins an entity known only by that short name, or starts one.
        """
        supported = [item for item in short_forms if item.evidence]
        if len(supported) == 1:
            return supported[0].candidate
        keys = {name_key(alias) for alias in entity.aliases}
        bare = [
            item.candidate
            for item in top
            if not item.short and keys & {name_key(alias) for alias in item.candidate.aliases}
        ]
        return bare[0] if bare else None

    def _similarity(self, entity: LocalEntity, candidate: CanonicalEntity) -> tuple[float, bool]:
        """Return the best name similarity (0 to 1) and whether the entity is a short form of it."""
        keys = {name_key(alias) for alias in candidate.aliases}
        if entity.type == "PERSON" and candidate.is_person():
            return self._person_similarity(entity, candidate)
        if entity.type in _NON_PERSON and candidate.type in _NON_PERSON:
            if any(name_key(alias) in keys for alias in entity.aliases):
                return 1.0, False
            if any(
                short_form_of(alias, other)
                for alias in entity.aliases
                for other in candidate.aliases
            ):
                return 1.0, True
            if any(
                short_form_of(other, alias)
                for alias in entity.aliases
                for other in candidate.aliases
            ):
                return 1.0, False
            return max(
                organisation_similarity(alias, other)
                for alias in entity.aliases
                for other in candidate.aliases
            ), False
        # A person and a non-person only meet on the very same name (tagger confusion).
        return (1.0 if any(name_key(alias) in keys for alias in entity.aliases) else 0.0), False

    def _person_similarity(
        self, entity: LocalEntity, candidate: CanonicalEntity
    ) -> tuple[float, bool]:
        """Return surname similarity if given names and gender agree, and whether it is a lone surname."""
        if entity.gender and candidate.genders and entity.gender not in candidate.genders:
            return 0.0, False
        threshold = self.params.given_name_similarity
        given = given_names(entity.name)
        full = candidate.full_names()
        if given and full:
            # Compare against the full names whose given names agree, not a bare surname.
            others = [
                other
                for other in full
                if given_names_compatible(given, given_names(other), threshold)
            ]
            if not others:
                return 0.0, False
        else:
            others = list(candidate.aliases)
        mine = surname(entity.name)
        similarity = max(word_similarity(mine, surname(other)) for other in others)
        return similarity, not given and bool(full)

    def _has_evidence(
        self,
        entity: LocalEntity,
        candidate: CanonicalEntity,
        context: set[str],
        story_id: str | None,
    ) -> bool:
        """Return whether story, role or co-occurring entities support the match."""
        if self.params.use_story and story_id is not None and story_id in candidate.story_ids:
            return True
        if roles_agree(entity.roles, list(candidate.roles)):
            return True
        shared = len(context & set(candidate.context))
        return shared >= self.params.min_shared_context

    def _candidates(self, entity: LocalEntity) -> list[CanonicalEntity]:
        """Return the canonical entities that share a name, a word, a sound or an acronym with the entity.

        A key shared by more than `max_key_entities` entities is skipped, an exact name never:
        the cost is bounded by the entity's keys, not by the size of the store.
        """
        ids: set[str] = set()
        for block in _blocking_keys(entity.aliases):
            posting = self._index.get(block, set())
            if len(posting) <= self.params.max_key_entities or block.startswith("n:"):
                ids |= posting
        return [self.entities_[entity_id] for entity_id in sorted(ids)]

    # -- updating ---------------------------------------------------------------------------

    def _create(self, entity: LocalEntity) -> CanonicalEntity:
        """Return a new canonical entity for a local entity no existing one matched."""
        canonical = CanonicalEntity(
            id=f"E{len(self.entities_) + 1:06d}", name=entity.name, type=entity.type
        )
        self.entities_[canonical.id] = canonical
        return canonical

    def _absorb(
        self,
        canonical: CanonicalEntity,
        entity: LocalEntity,
        article_id: str,
        story_id: str | None,
        context: set[str],
    ) -> None:
        """Merge a local entity's names, type, roles and context into the canonical entity."""
        forms = Counter(mention.text for mention in entity.mentions)
        self._index_names(canonical.id, [a for a in entity.aliases if a not in canonical.aliases])
        for alias in entity.aliases:
            canonical.aliases[alias] = canonical.aliases.get(alias, 0) + max(forms[alias], 1)
        canonical.types[entity.type] = canonical.types.get(entity.type, 0) + 1
        for role in entity.roles:
            canonical.roles[role] = canonical.roles.get(role, 0) + 1
        if article_id not in canonical.article_ids:
            canonical.article_ids.append(article_id)
        if story_id is not None and story_id not in canonical.story_ids:
            canonical.story_ids.append(story_id)
        for key in context:
            canonical.context[key] = canonical.context.get(key, 0) + 1
        if entity.gender:
            canonical.genders[entity.gender] = canonical.genders.get(entity.gender, 0) + 1
        canonical.type = max(
            canonical.types, key=lambda label: (canonical.types[label], label == "PERSON")
        )
        canonical.name = canonical_name(canonical.aliases, canonical.type)

    def _index_names(self, entity_id: str, aliases: list[str]) -> None:
        """Add the canonical entity under every blocking key of these (new) aliases."""
        for block in _blocking_keys(aliases):
            self._index.setdefault(block, set()).add(entity_id)


def canonical_name(aliases: dict[str, int], entity_type: str) -> str:
    """Return the best name among the aliases: well-formed, complete for people, then most frequent.

    A person's name is complete with a given name and a surname ("Jen Psaki" over "Psaki");
    among complete forms the most frequent wins, then the longer one.
    """

    def rank(alias: str) -> tuple[bool, bool, int, int]:
        words = len(name_tokens(alias))
        complete = words > 1 if entity_type == "PERSON" else True
        return is_well_formed(alias), complete and words <= 4, aliases[alias], len(alias)

    return max(aliases, key=rank)


def _blocking_keys(aliases: list[str]) -> set[str]:
    """Return the keys under which a name is indexed: itself, its words, their Metaphone codes, acronyms."""
    keys: set[str] = set()
    for alias in aliases:
        key = name_key(alias)
        if key:
            keys.add(f"n:{key}")
        for word in name_tokens(alias):
            keys.add(f"w:{word}")
            if len(word) > 2:
                keys.add(f"m:{jellyfish.metaphone(word)}")
        initials = acronym(alias)
        if initials:
            keys.add(f"w:{initials}")
    return keys
