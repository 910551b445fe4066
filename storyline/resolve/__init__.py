"""Resolve: one entity per person or organisation, within an article and across articles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from storyline.model import Article, EntityMention, Statement
from storyline.resolve.entities import LocalEntity, link_within_article
from storyline.resolve.resolver import EntityResolver


def resolve_entities(article: Article, resolver: EntityResolver) -> tuple[Article, set[str]]:
    """Return the article with its names and speakers resolved, and the canonical ids it touched.

    Linked names replace spaCy's raw mentions of them (titles stripped, each with its entity
    id); other entity mentions (dates, numbers) stay as spaCy found them. A statement's speaker
    takes the canonical name of the entity its speaker span (or within-article name) belongs to.
    """
    local_entities = link_within_article(article)
    resolutions = resolver.resolve_article(article.id, local_entities, article.story_id)
    linked = [
        replace(mention, label=res.local.type, entity_id=res.entity_id)
        for res in resolutions
        for mention in res.local.mentions
    ]
    unlinked = [m for m in article.entities if not _overlaps_any(m.start, m.end, linked)]
    entities = sorted(linked + unlinked, key=lambda mention: (mention.start, mention.end))
    statements = [_resolve_speaker(s, resolutions, resolver) for s in article.statements]
    touched = {res.entity_id for res in resolutions}
    return replace(article, entities=entities, statements=statements), touched


def _resolve_speaker(statement: Statement, resolutions, resolver: EntityResolver) -> Statement:
    """Return the statement with its speaker's canonical name and entity id, when known.

    The within-article name the quote extractor resolved ("Jen Psaki" for "she") decides first;
    otherwise the entity that ends the speaker span, its head ("Pentagon spokesman John Kirby"
    is Kirby, not the Pentagon; "a number of NATO members" is not NATO).
    """
    entity_id = None
    if statement.speaker:
        entity_id = next(
            (res.entity_id for res in resolutions if _names(res.local, statement.speaker)), None
        )
    if entity_id is None and statement.speaker_start is not None:
        entity_id = next(
            (
                res.entity_id
                for res in resolutions
                for mention in res.local.mentions
                if statement.speaker_start <= mention.start
                and mention.end == statement.speaker_end
            ),
            None,
        )
    if entity_id is None:
        return statement
    return replace(statement, speaker=resolver.entity(entity_id).name, entity_id=entity_id)


def _names(entity: LocalEntity, name: str) -> bool:
    return name == entity.name or name in entity.aliases


def _overlaps_any(start: int, end: int, mentions: Iterable[EntityMention]) -> bool:
    return any(m.start < end and start < m.end for m in mentions)


__all__ = ["EntityResolver", "resolve_entities"]
