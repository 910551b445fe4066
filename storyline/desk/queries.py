"""Read-only queries behind the desk's pages and API: a session in, response models out.

Entities come from the `entities` table once the resolver has filled it; before that, mentions
are grouped by their text, with ids of the form `mention:LABEL:text`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from storyline.desk.models import (
    ArticleDetail,
    ArticleItem,
    ClaimItem,
    ClaimStatement,
    ClaimVerdict,
    EntityDetail,
    EntityRef,
    Facet,
    Mention,
    Page,
    RemovedLine,
    SearchHit,
    Segment,
    StatementItem,
    StoryArticle,
    StoryDetail,
    StoryItem,
    TimeItem,
)
from storyline.settings import Settings
from storyline.store.schema import (
    ArticleRow,
    ClaimRow,
    EntityMentionRow,
    EntityRow,
    RemovedLineRow,
    StatementRow,
    StoryEventRow,
    StoryRow,
    TimeExpressionRow,
    story_thread,
)
from storyline.store.search import MARK_END, MARK_START, article_match, search_articles

MENTION_PREFIX = "mention:"
PEOPLE_AND_ORGS = ("PERSON", "ORG")
LISTED_TYPES = ("PERSON", "ORG", "GPE", "NORP", "LOC")
MAX_WHO_CHARS = 100


@dataclass(frozen=True)
class StoryFilters:
    """What the story list is narrowed to; empty fields do not filter."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    source: str = ""
    who: str = ""  # a person or organisation, by any of its names
    lang: str = ""

    def active(self) -> bool:
        """Return whether any filter is set."""
        return bool(self.q or self.date_from or self.date_to or self.source or self.who or self.lang)


# --- stories ------------------------------------------------------------------------------------


def list_stories(
    session: Session, filters: StoryFilters, limit: int | None, offset: int, people: int = 3
) -> Page[StoryItem]:
    """Return one page of stories matching the filters, the most recently active first.

    `limit` None returns every story from `offset` on. Two queries for the page, plus two grouped
    ones for its stories' people and languages.
    """
    query = select(StoryRow).where(StoryRow.article_count > 0)
    for condition in _story_conditions(session, filters):
        query = query.where(condition)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(
            StoryRow.last_date.desc().nulls_last(), StoryRow.article_count.desc(), StoryRow.id
        )
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [row.id for row in rows]
    main = story_entities(session, ids, ("PERSON",), per_story=people)
    languages = story_languages(session, ids)
    items = [_story_item(row, main.get(row.id, []), languages.get(row.id, [])) for row in rows]
    return Page[StoryItem](items=items, total=total, limit=limit, offset=offset)


def _story_conditions(session: Session, filters: StoryFilters) -> list[ColumnElement[bool]]:
    """Conditions on `stories` for the active filters (a story matches if one of its articles does)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.date_from:
        conditions.append(StoryRow.last_date >= filters.date_from.isoformat())
    if filters.date_to:
        conditions.append(StoryRow.first_date <= filters.date_to.isoformat())
    article_conditions: list[ColumnElement[bool]] = []
    if filters.q and (match := article_match(session, filters.q)) is not None:
        article_conditions.append(match)
    elif filters.q:
        conditions.append(StoryRow.id.is_(None))  # a query without words matches nothing
    if filters.source:
        article_conditions.append(ArticleRow.source == filters.source)
    if filters.lang:
        article_conditions.append(ArticleRow.lang == filters.lang)
    if article_conditions:  # one article must meet them all: English articles about "harbour"
        conditions.append(StoryRow.id.in_(select(ArticleRow.story_id).where(*article_conditions)))
    if filters.who:
        mentions = _mentions_of_name(session, filters.who[:MAX_WHO_CHARS])
        conditions.append(
            StoryRow.id.in_(
                select(ArticleRow.story_id)
                .join(EntityMentionRow, EntityMentionRow.article_id == ArticleRow.id)
                .where(mentions)
            )
        )
    return conditions


def _mentions_of_name(session: Session, name: str) -> ColumnElement[bool]:
    """Condition on mentions of a person or organisation named (in part) `name`."""
    pattern = "%" + _like_escape(name.strip()) + "%"
    if entities_resolved(session):
        ids = select(EntityRow.id).where(
            or_(
                EntityRow.name.ilike(pattern, escape="\\"),
                EntityRow.aliases.ilike(pattern, escape="\\"),
            )
        )
        return EntityMentionRow.entity_id.in_(ids)
    return EntityMentionRow.label.in_(PEOPLE_AND_ORGS) & EntityMentionRow.text.ilike(
        pattern, escape="\\"
    )


def story_detail(session: Session, story_id: str) -> StoryDetail | None:
    """Return a story with its articles (copies folded), people, organisations and statements."""
    row = session.get(StoryRow, story_id)
    if row is None or not row.article_count:
        return None
    articles = session.scalars(
        select(ArticleRow)
        .where(ArticleRow.story_id == story_id)
        .order_by(ArticleRow.date.is_(None), ArticleRow.date, ArticleRow.id)
    ).all()
    entities = story_entities(session, [story_id], PEOPLE_AND_ORGS, per_story=40).get(story_id, [])
    people = [e for e in entities if e.type == "PERSON"][:3]
    statements = _statements(
        session, StatementRow.article_id.in_([a.id for a in articles]) if articles else None
    )
    languages = story_languages(session, [story_id]).get(story_id, [])
    return StoryDetail(
        **_story_item(row, people, languages).model_dump(),
        sources=sorted({a.source for a in articles if a.source}),
        articles=fold_copies([_article_item(a) for a in articles]),
        entities=entities,
        statements=statements,
        claims=story_claims(session, story_id),
        thread_id=row.thread_id or row.id,
        thread=thread_stories(session, row),
    )


def thread_stories(session: Session, row: StoryRow) -> list[StoryItem]:
    """Return the other stories of the story's thread (its storyline's other events), oldest first."""
    thread_id = row.thread_id or row.id
    others = session.scalars(
        select(StoryRow)
        .where(story_thread() == thread_id, StoryRow.id != row.id)
        .where(StoryRow.article_count > 0)
        .order_by(StoryRow.first_date.is_(None), StoryRow.first_date, StoryRow.id)
    ).all()
    return [_story_item(other, [], []) for other in others]


def merged_into(session: Session, story_id: str) -> str | None:
    """Return the story whose articles a merged story's became, following chains of merges.

    None for a story that was never merged, and for a chain that ends at no story with
    articles (or goes round in a loop). One query per merge followed, on `story_events`.
    """
    seen = {story_id}
    target = _merge_target(session, story_id)
    while target is not None and target not in seen:
        row = session.get(StoryRow, target)
        if row is not None and row.article_count:
            return target
        seen.add(target)
        target = _merge_target(session, target)
    return None


def _merge_target(session: Session, story_id: str) -> str | None:
    """Return the story that `story_id` was last merged into, from its "into X: reason" event."""
    detail = session.scalar(
        select(StoryEventRow.detail)
        .where(StoryEventRow.story_id == story_id, StoryEventRow.action == "merged")
        .order_by(StoryEventRow.id.desc())
        .limit(1)
    )
    if not detail or not detail.startswith("into "):
        return None
    return detail.removeprefix("into ").partition(":")[0].strip() or None


def story_claims(session: Session, story_id: str, max_claims: int = 50) -> list[ClaimItem]:
    """Return the story's claims made by more than one statement or with a verdict, biggest first."""
    claims = [c for c in list_claims(session, [story_id]) if c.notable()]
    claims.sort(key=lambda c: (-len(c.verdicts), -len(c.statements), c.first_date or ""))
    return claims[:max_claims]


def list_claims(
    session: Session, story_ids: Sequence[str] | None, verdict: str = ""
) -> list[ClaimItem]:
    """Return the claims with a statement of the given stories (None: all), oldest first.

    A claim holds the statements of its thread: those of the given stories, and those made at
    the thread's other events. With `verdict` ("repeated", "confirmed", "changed", "disputed"),
    only the claims that have one of that kind. One query; every claim record of the stories'
    threads is decoded.
    """
    query = select(ClaimRow.record).order_by(
        ClaimRow.first_date.is_(None), ClaimRow.first_date, ClaimRow.id
    )
    if story_ids is not None:
        threads = select(story_thread()).where(StoryRow.id.in_(list(story_ids)))
        query = query.where(ClaimRow.thread_id.in_(threads))
    if verdict:  # the comma-joined kinds narrow the rows; the record decides
        query = query.where(ClaimRow.verdicts.contains(verdict, autoescape=True))
    claims = [_claim_item(json.loads(record)) for record in session.scalars(query)]
    if story_ids is not None:
        wanted = set(story_ids)
        claims = [c for c in claims if any(s.story_id in wanted for s in c.statements)]
    return [c for c in claims if any(v.kind == verdict for v in c.verdicts)] if verdict else claims


def _claim_item(record: dict) -> ClaimItem:
    """Return a stored claim record as the response model, its statements in date order."""
    first = record["first"]
    return ClaimItem(
        id=record["id"],
        thread_id=record.get("thread_id", record.get("story_id")),
        text=record["text"],
        first_speaker=first["speaker"],
        first_date=first["date"],
        first_source=first["source"],
        outlets=record["outlets"],
        verdicts=[
            ClaimVerdict(kind=v["kind"], reason=v["reason"], statement_ids=list(v["statement_ids"]))
            for v in record["verdicts"]
        ],
        statements=[
            ClaimStatement(
                statement_id=c["statement_id"], article_id=c["article_id"], story_id=c["story_id"],
                speaker=c["speaker"],
                source=c["source"], date=c["date"], content=c["content"],
            )
            for c in sorted(record["statements"], key=lambda c: c["date"] or "9999")
        ],
    )


def fold_copies(articles: list[ArticleItem]) -> list[StoryArticle]:
    """Return the originals in their order, each with its near-duplicates (also copies of copies)."""
    ids = {a.id for a in articles}
    parent = {a.id: a.duplicate_of for a in articles if a.duplicate_of in ids}

    def root(article_id: str) -> str:
        seen = set()
        while article_id in parent and article_id not in seen:
            seen.add(article_id)
            article_id = parent[article_id]
        return article_id

    originals = {
        a.id: StoryArticle(**a.model_dump()) for a in articles if a.id not in parent
    }
    for article in articles:
        if article.id in parent:
            originals[root(article.id)].copies.append(article)
    return list(originals.values())


def story_languages(session: Session, story_ids: list[str]) -> dict[str, list[str]]:
    """Return, per story, its articles' languages, most articles first (ties: the first to report).

    One grouped query for all the stories, over the index on `articles.story_id`.
    """
    if not story_ids:
        return {}
    rows = session.execute(
        select(ArticleRow.story_id, ArticleRow.lang)
        .where(ArticleRow.story_id.in_(story_ids), ArticleRow.lang.is_not(None), ArticleRow.lang != "")
        .group_by(ArticleRow.story_id, ArticleRow.lang)
        .order_by(func.count().desc(), func.min(ArticleRow.date).nulls_last(), ArticleRow.lang)
    )
    by_story: dict[str, list[str]] = defaultdict(list)
    for story, lang in rows:
        by_story[story].append(lang)
    return dict(by_story)


def story_entities(
    session: Session, story_ids: list[str], types: tuple[str, ...], per_story: int
) -> dict[str, list[EntityRef]]:
    """Return, per story, its most mentioned entities of the given types, most mentioned first."""
    if not story_ids:
        return {}
    counts = func.count(EntityMentionRow.id)
    if entities_resolved(session):
        rows = session.execute(
            select(ArticleRow.story_id, EntityRow.id, EntityRow.name, EntityRow.type, counts)
            .join(EntityMentionRow, EntityMentionRow.article_id == ArticleRow.id)
            .join(EntityRow, EntityRow.id == EntityMentionRow.entity_id)
            # coalesce() keeps SQLite from starting at the entities' type index (every person's
            # mentions) instead of at the few stories' articles
            .where(ArticleRow.story_id.in_(story_ids), func.coalesce(EntityRow.type, "").in_(types))
            .group_by(ArticleRow.story_id, EntityRow.id, EntityRow.name, EntityRow.type)
        ).all()
    else:
        rows = [
            (story, mention_entity_id(label, text), text, label, n)
            for story, text, label, n in session.execute(
                select(ArticleRow.story_id, EntityMentionRow.text, EntityMentionRow.label, counts)
                .join(EntityMentionRow, EntityMentionRow.article_id == ArticleRow.id)
                .where(ArticleRow.story_id.in_(story_ids), EntityMentionRow.label.in_(types))
                .group_by(ArticleRow.story_id, EntityMentionRow.text, EntityMentionRow.label)
            )
        ]
    by_story: dict[str, list[EntityRef]] = defaultdict(list)
    for story, entity_id, name, kind, n in rows:
        by_story[story].append(EntityRef(id=entity_id, name=name, type=kind, mentions=n))
    return {
        story: sorted(refs, key=lambda r: (-r.mentions, r.name))[:per_story]
        for story, refs in by_story.items()
    }


# --- entities -----------------------------------------------------------------------------------


def entities_resolved(session: Session) -> bool:
    """Return whether the resolver has filled the entities table."""
    return session.execute(select(EntityRow.id).limit(1)).first() is not None


def mention_entity_id(label: str, text: str) -> str:
    """Return the id of the entity made of every mention with this label and text."""
    return f"{MENTION_PREFIX}{label}:{text}"


def list_entities(
    session: Session, kind: str, q: str, limit: int, offset: int
) -> Page[EntityRef]:
    """Return one page of people, organisations or places, the most mentioned first."""
    types = (kind,) if kind else LISTED_TYPES
    pattern = "%" + _like_escape(q.strip()[:MAX_WHO_CHARS]) + "%"
    if entities_resolved(session):
        query = select(EntityRow).where(EntityRow.type.in_(types))
        if q.strip():
            query = query.where(
                or_(EntityRow.name.ilike(pattern, escape="\\"), EntityRow.aliases.ilike(pattern, escape="\\"))
            )
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(
            query.order_by(EntityRow.article_count.desc(), EntityRow.name).limit(limit).offset(offset)
        )
        items = [
            EntityRef(id=r.id, name=r.name, type=r.type, mentions=r.article_count) for r in rows
        ]
        return Page[EntityRef](items=items, total=total, limit=limit, offset=offset)
    articles = func.count(func.distinct(EntityMentionRow.article_id))
    query = (
        select(EntityMentionRow.text, EntityMentionRow.label, articles.label("n"))
        .where(EntityMentionRow.label.in_(types))
        .group_by(EntityMentionRow.text, EntityMentionRow.label)
    )
    if q.strip():
        query = query.where(EntityMentionRow.text.ilike(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(articles.desc(), EntityMentionRow.text).limit(limit).offset(offset)
    )
    items = [
        EntityRef(id=mention_entity_id(label, text), name=text, type=label, mentions=n)
        for text, label, n in rows
    ]
    return Page[EntityRef](items=items, total=total, limit=limit, offset=offset)


def entity_detail(
    session: Session,
    entity_id: str,
    max_stories: int | None = 100,
    max_statements: int | None = 500,
) -> EntityDetail | None:
    """Return a person or organisation: its names, its stories and what it said in date order.

    None for no such entity; `max_stories` and `max_statements` None return them all.
    """
    if entity_id.startswith(MENTION_PREFIX):
        label, _, text = entity_id[len(MENTION_PREFIX) :].partition(":")
        mentions = (EntityMentionRow.label == label) & (EntityMentionRow.text == text)
        said = (StatementRow.speaker_mention == text) | (StatementRow.speaker == text)
        name, kind, aliases, roles = text, label, [text], []
    else:
        row = session.get(EntityRow, entity_id)
        if row is None:
            return None
        mentions = EntityMentionRow.entity_id == entity_id
        said = StatementRow.entity_id == entity_id
        name, kind = row.name, row.type
        aliases, roles = _json_list(row.aliases), _json_list(row.roles)
    per_story = session.execute(
        select(ArticleRow.story_id, func.count(func.distinct(ArticleRow.id)))
        .join(EntityMentionRow, EntityMentionRow.article_id == ArticleRow.id)
        .where(mentions, ArticleRow.story_id.is_not(None))
        .group_by(ArticleRow.story_id)
    ).all()
    if not per_story and entity_id.startswith(MENTION_PREFIX):
        return None
    story_rows = session.scalars(
        select(StoryRow)
        .where(StoryRow.id.in_([story for story, _ in per_story]))
        .order_by(StoryRow.last_date.desc().nulls_last(), StoryRow.id)
        .limit(max_stories)
    ).all()
    languages = story_languages(session, [row.id for row in story_rows])
    return EntityDetail(
        id=entity_id,
        name=name,
        type=kind,
        resolved=not entity_id.startswith(MENTION_PREFIX),
        aliases=[a for a in aliases if a != name] if len(aliases) > 1 else aliases,
        roles=roles,
        article_count=sum(n for _, n in per_story),
        stories=[_story_item(row, [], languages.get(row.id, [])) for row in story_rows],
        statements=_statements(session, said, limit=max_statements),
    )


# --- statements ---------------------------------------------------------------------------------


def list_statements(
    session: Session,
    *,
    story_id: str | None = None,
    entity_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int | None = None,
) -> list[StatementItem]:
    """Return the statements of a story, of an entity, said within the dates, or all of them.

    The conditions given are joined; dates bound the day said (`date_to` included), so undated
    statements drop out once either is given. In date said order, undated last.
    """
    conditions: list[ColumnElement[bool]] = []
    if story_id is not None:
        conditions.append(ArticleRow.story_id == story_id)
    if entity_id is not None:
        conditions.append(StatementRow.entity_id == entity_id)
    if date_from is not None:
        conditions.append(StatementRow.said_on >= date_from.isoformat())
    if date_to is not None:
        conditions.append(StatementRow.said_on < date_to.isoformat() + "~")
    return _statements(session, and_(true(), *conditions), limit=limit)


# --- articles -----------------------------------------------------------------------------------


def list_articles(
    session: Session,
    filters: StoryFilters,
    limit: int | None,
    offset: int,
    story_id: str | None = None,
) -> Page[ArticleItem]:
    """Return one page of articles matching the filters (not `who`), the newest first.

    `story_id` keeps one story's articles; `limit` None returns all from `offset` on.
    """
    query = select(ArticleRow)
    if story_id is not None:
        query = query.where(ArticleRow.story_id == story_id)
    if filters.q:
        match = article_match(session, filters.q)
        query = query.where(match if match is not None else ArticleRow.id.is_(None))
    if filters.source:
        query = query.where(ArticleRow.source == filters.source)
    if filters.lang:
        query = query.where(ArticleRow.lang == filters.lang)
    if filters.date_from:
        query = query.where(ArticleRow.date >= filters.date_from.isoformat())
    if filters.date_to:
        query = query.where(ArticleRow.date < (filters.date_to.isoformat() + "~"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ArticleRow.date.desc().nulls_last(), ArticleRow.id).limit(limit).offset(offset)
    )
    items = [_article_item(row) for row in rows]
    return Page[ArticleItem](items=items, total=total, limit=limit, offset=offset)


def article_detail(session: Session, article_id: str, settings: Settings) -> ArticleDetail | None:
    """Return an article with its text, mentions, statements, dates, removed lines and analyses.

    The analyses are those an article in its language gets with the pipelines `settings` names.
    """
    # imports spaCy (to see which pipelines are installed): only once an article is asked for
    from storyline.analyse import analyses_run

    row = session.get(ArticleRow, article_id)
    if row is None:
        return None
    story = session.get(StoryRow, row.story_id) if row.story_id else None
    copies = session.scalars(
        select(ArticleRow)
        .where(ArticleRow.duplicate_of == article_id)
        .order_by(ArticleRow.date.asc().nulls_first(), ArticleRow.id)
    ).all()
    mentions = session.scalars(
        select(EntityMentionRow)
        .where(EntityMentionRow.article_id == article_id)
        .order_by(EntityMentionRow.start)
    ).all()
    times = session.scalars(
        select(TimeExpressionRow)
        .where(TimeExpressionRow.article_id == article_id)
        .order_by(TimeExpressionRow.start)
    ).all()
    removed = session.scalars(
        select(RemovedLineRow)
        .where(RemovedLineRow.article_id == article_id)
        .order_by(RemovedLineRow.line_no, RemovedLineRow.id)
    ).all()
    resolved = entities_resolved(session)
    return ArticleDetail(
        **_article_item(row).model_dump(),
        text=row.text,
        dateline=row.dateline,
        date_source=row.date_source,
        origin=row.origin,
        story_headline=story.headline if story else None,
        copies=[_article_item(c) for c in copies],
        entities=[
            Mention(
                text=m.text,
                label=m.label,
                start=m.start,
                end=m.end,
                entity_id=m.entity_id if resolved else mention_entity_id(m.label, m.text),
            )
            for m in mentions
        ],
        statements=_statements(session, StatementRow.article_id == article_id, by_offset=True),
        times=[
            TimeItem(text=t.text, type=t.type, value=t.value, start=t.start, end=t.end)
            for t in times
        ],
        removed=[RemovedLine(line_no=r.line_no, text=r.text, reason=r.reason) for r in removed],
        analyses=analyses_run(row.lang, settings),
    )


def search(session: Session, q: str, limit: int, offset: int) -> Page[SearchHit]:
    """Return one page of articles matching a full-text query, best first, with snippets."""
    hits, total = search_articles(session, q, limit, offset)
    rows = {
        row.id: row
        for row in session.scalars(
            select(ArticleRow).where(ArticleRow.id.in_([h.article_id for h in hits]))
        )
    }
    headlines = dict(
        session.execute(
            select(StoryRow.id, StoryRow.headline).where(
                StoryRow.id.in_({r.story_id for r in rows.values() if r.story_id})
            )
        ).all()
    )
    items = [
        SearchHit(
            article=_article_item(rows[hit.article_id]),
            story_headline=headlines.get(rows[hit.article_id].story_id or ""),
            snippet=snippet_segments(hit.snippet),
        )
        for hit in hits
        if hit.article_id in rows
    ]
    return Page[SearchHit](items=items, total=total, limit=limit, offset=offset)


def snippet_segments(snippet: str) -> list[Segment]:
    """Return a marked snippet as plain and matching pieces."""
    segments: list[Segment] = []
    for i, part in enumerate(snippet.split(MARK_START)):
        matched, _, rest = part.partition(MARK_END) if i else ("", "", part)
        if matched:
            segments.append(Segment(text=matched, match=True))
        if rest:
            segments.append(Segment(text=rest))
    return segments


def facets(session: Session, limit: int = 300) -> tuple[list[Facet], list[Facet]]:
    """Return the `limit` biggest sources and languages of the stored articles, with their counts."""

    def counted(column) -> list[Facet]:
        n = func.count().label("n")
        rows = session.execute(
            select(column, n).where(column.is_not(None)).group_by(column).order_by(n.desc(), column).limit(limit)
        )
        # built from the database's own values: no validation needed, and there can be hundreds
        return [Facet.model_construct(value=v, count=c) for v, c in rows]

    return counted(ArticleRow.source), counted(ArticleRow.lang)


def article_count(session: Session) -> int:
    """Return how many articles are stored (cheap: a count over the primary key)."""
    return session.scalar(select(func.count()).select_from(ArticleRow)) or 0


# --- helpers ------------------------------------------------------------------------------------


def _statements(
    session: Session,
    condition: ColumnElement[bool] | None,
    limit: int | None = 500,
    by_offset: bool = False,
) -> list[StatementItem]:
    """Statements matching the condition, by date said (or by position in one article)."""
    if condition is None:
        return []
    order = (
        (StatementRow.start,)
        if by_offset
        else (
            StatementRow.said_on.is_(None), StatementRow.said_on,
            ArticleRow.date.asc().nulls_first(), ArticleRow.id, StatementRow.start,
        )
    )
    rows = session.execute(
        select(StatementRow, ArticleRow.title, ArticleRow.source, ArticleRow.story_id)
        .join(ArticleRow, ArticleRow.id == StatementRow.article_id)
        .where(condition)
        .order_by(*order)
        .limit(limit)
    ).all()
    return [
        StatementItem(
            id=s.id,
            article_id=s.article_id,
            story_id=story_id,
            article_title=title or "",
            source=source,
            speaker=s.speaker,
            speaker_mention=s.speaker_mention,
            entity_id=s.entity_id,
            cue=s.cue,
            content=s.content,
            direct=bool(s.direct),
            said_on=s.said_on,
            said_on_source=s.said_on_source,
            start=s.start,
            end=s.end,
        )
        for s, title, source, story_id in rows
    ]


def _story_item(row: StoryRow, people: Iterable[EntityRef], languages: list[str]) -> StoryItem:
    return StoryItem(
        id=row.id,
        headline=row.headline or "(no headline)",
        first_date=row.first_date,
        last_date=row.last_date,
        article_count=row.article_count,
        source_count=row.source_count,
        people=list(people),
        languages=languages,
    )


def _article_item(row: ArticleRow) -> ArticleItem:
    return ArticleItem(
        id=row.id,
        title=row.title or "",
        source=row.source,
        date=row.date,
        lang=row.lang,
        url=row.url,
        duplicate_of=row.duplicate_of,
        story_id=row.story_id,
    )


def _json_list(value: str | None) -> list[str]:
    try:
        items = json.loads(value or "[]")
    except json.JSONDecodeError:
        return []
    return [str(item) for item in items] if isinstance(items, list) else []


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
