"""The store: the only place with side effects. SQLAlchemy over SQLite (WAL) or PostgreSQL.

Every ingest batch is written in one transaction, so an interrupted run leaves the store as it
was after the last whole batch, and running the ingest again completes the work.

Several processes may write one store at once. Counters are added in the database
(`INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`), never read and written back, so no
writer's count is lost; the ledger and entities are upserts; articles and stories are plain
inserts, so storing one twice fails on its primary key. A batch names the store version it was
prepared on: `save_batch` takes the version row's lock first (writers commit one at a time) and
raises `StoreConflict` if another writer committed since, as it does for a unique violation,
deadlock or serialization failure. The pipeline then reads the store afresh and redoes the batch
inside `exclusive`, which holds that lock from the fresh read to the commit: a batch redone once
is stored, however busy the other writers are.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from sqlalchemy import (
    Engine,
    Integer,
    String,
    cast,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storyline.cluster.headline import representative_title
from storyline.model import Article, EntityMention, ReadProblem, TimeExpression
from storyline.resolve.resolver import CanonicalEntity
from storyline.store.migrate import SchemaError, prepare_schema
from storyline.store.schema import (
    ArticleEmbeddingRow,
    ArticleRow,
    Base,
    ClaimRow,
    EntityMentionRow,
    EntityRow,
    LedgerRow,
    MetaRow,
    ProblemRow,
    QuantityRow,
    RemovedLineRow,
    SourceLineRow,
    StatementRow,
    StoryEventRow,
    StoryRow,
    TermFrequencyRow,
    TimeExpressionRow,
    story_thread,
)

if TYPE_CHECKING:  # the clusterer (and its models) load only where a batch is made
    from storyline.cluster.revise import Split

_HELD = threading.local()  # per thread: the `exclusive` transaction of each store holding one
_CHUNK = 500  # SQLite allows a limited number of bound parameters per statement
# What another writer committing first looks like: a unique violation, a serialization failure
# or a deadlock (PostgreSQL's SQLSTATEs), a busy or locked database (SQLite's error names).
_CONFLICT_SQLSTATES = frozenset({"23505", "40001", "40P01"})
_CONFLICT_SQLITE_ERRORS = (
    "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_BUSY", "SQLITE_LOCKED",
)


class StoreConflict(RuntimeError):
    """Another writer changed the store while a batch was prepared: read afresh and redo it."""


def line_key_hash(key: str) -> str:
    """Return the stored form of a line key (fixed length, whatever the line)."""
    return hashlib.sha1(key.encode()).hexdigest()


@dataclass
class Batch:
    """Everything one ingest batch writes, applied in a single transaction."""

    articles: list[Article] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    source_lines: Counter[tuple[str, str]] = field(default_factory=Counter)
    term_counts: Counter[str] = field(default_factory=Counter)
    profiles: dict[str, bytes] = field(default_factory=dict)
    created_stories: list[str] = field(default_factory=list)
    entities: list[CanonicalEntity] = field(default_factory=list)  # created or changed
    threads: dict[str, str] = field(default_factory=dict)  # story id -> its thread, as it is now
    merged_threads: dict[str, str] = field(default_factory=dict)  # thread -> the thread it joined
    claims: dict[str, list[dict]] = field(default_factory=dict)  # thread id -> its claim records
    merges: list[tuple[str, str]] = field(default_factory=list)  # (into, merged) story ids
    merge_reasons: dict[str, str] = field(default_factory=dict)  # merged story id -> why, if not an article
    splits: list[Split] = field(default_factory=list)  # parts of stored stories split off, applied first
    # what became of each article read: (id, "stored" | "copy" | "rejected", original's id)
    decisions: list[tuple[str, str, str | None]] = field(default_factory=list)

    def writes_nothing(self) -> bool:
        """Return whether saving the batch would change nothing (every article already present)."""
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class StorySummary:
    """One line of the story list."""

    id: str
    headline: str
    first_date: str | None
    last_date: str | None
    article_count: int
    source_count: int
    thread_id: str = ""  # its storyline: the id of the thread's first story


class Store:
    """Articles, stories and everything derived from them, behind one SQLAlchemy URL."""

    def __init__(self, url: str) -> None:
        """Open the store at `url`, creating it at the schema's head revision if the database is empty.

        A store behind head (made by an older Storyline) is refused with a SchemaError naming
        `storyline db upgrade --db URL`, not upgraded on the spot: an upgrade can rewrite whole
        tables (SQLite's batch mode copies them) under an exclusive lock, for minutes on a large
        store, and cannot be undone without a backup. Opening happens everywhere (a desk starting,
        each ingest, a cron'd watch, a notebook), and any of them upgrading by surprise would
        block the others mid-work and change the schema under a desk or ingest of the older
        version still running on it. So the upgrade is one deliberate step, after a backup, with
        every other reader and writer told by the same error until it is done. A store ahead of
        this code (a revision it does not know) is refused too. See `storyline.store.migrate`.
        """
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            prepare_schema(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # --- look-ups the pipeline makes before writing -------------------------------------------

    def known_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Return which of `ids` were decided already: stored, or found to copy a stored one."""
        ids = set(ids)
        decided = self._values_in(LedgerRow.id, LedgerRow.id, ids, LedgerRow.outcome.is_not(None))
        return decided | self._values_in(ArticleRow.id, ArticleRow.id, ids - decided)

    def article_outcomes(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """Return what became of each decided article among `ids`: (outcome, original's id).

        Outcomes are "stored", "copy" (not stored: the same text as `original` once cleaned)
        and "rejected" (no text left after cleaning); see `LedgerRow`.
        """
        outcomes: dict[str, tuple[str, str | None]] = {}
        with self.session() as session:
            for chunk in _chunks(set(ids)):
                rows = session.execute(
                    select(LedgerRow.id, LedgerRow.outcome, LedgerRow.original).where(
                        LedgerRow.id.in_(chunk), LedgerRow.outcome.is_not(None)
                    )
                )
                outcomes.update({i: (outcome, original) for i, outcome, original in rows})
        return outcomes

    def counted_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Return which of `ids` have their short lines counted already (see `count_lines`)."""
        ids = set(ids)
        counted = self._values_in(LedgerRow.id, LedgerRow.id, ids)
        return counted | self._values_in(ArticleRow.id, ArticleRow.id, ids - counted)

    def ids_by_content_hash(self, hashes: Iterable[str]) -> dict[str, str]:
        """Return, for each stored content hash among `hashes`, the id of its article."""
        return self._mapping(ArticleRow.content_hash, hashes)

    def ids_by_canonical_url(self, urls: Iterable[str]) -> dict[str, str]:
        """Return, for each stored canonical URL among `urls`, the id of its article."""
        return self._mapping(ArticleRow.canonical_url, urls)

    def story_ids_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Return the story id of each stored article among `article_ids`."""
        result: dict[str, str] = {}
        with self.session() as session:
            for chunk in _chunks(set(article_ids)):
                rows = session.execute(
                    select(ArticleRow.id, ArticleRow.story_id).where(ArticleRow.id.in_(chunk))
                )
                result.update({a: s for a, s in rows if s})
        return result

    def source_line_counts(self, pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
        """Return in how many stored articles of each source each (source, line key) occurs."""
        by_hash = {(source, line_key_hash(key)): (source, key) for source, key in pairs}
        counts: Counter[tuple[str, str]] = Counter()
        with self.session() as session:
            for chunk in _chunks(sorted({h for _, h in by_hash})):
                rows = session.execute(
                    select(SourceLineRow.source, SourceLineRow.line_key, SourceLineRow.articles)
                    .where(SourceLineRow.line_key.in_(chunk))
                )
                for source, hashed, n in rows:
                    if (source, hashed) in by_hash:
                        counts[by_hash[(source, hashed)]] = n
        return counts

    def iter_minhashes(self) -> Iterator[tuple[str, bytes]]:
        """Yield (id, MinHash bytes) of every stored original article, streamed."""
        with self.session() as session:
            query = (
                select(ArticleRow.id, ArticleRow.minhash)
                .where(ArticleRow.duplicate_of.is_(None), ArticleRow.minhash.is_not(None))
                .execution_options(yield_per=1000)
            )
            yield from session.execute(query)

    def term_frequencies(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """Return the stored document frequency of each of `terms`, and the article count."""
        counts: dict[str, int] = {}
        with self.session() as session:
            for chunk in _chunks(set(terms)):
                rows = session.execute(
                    select(TermFrequencyRow.term, TermFrequencyRow.articles).where(
                        TermFrequencyRow.term.in_(chunk)
                    )
                )
                counts.update({term: n for term, n in rows})
            total = session.scalar(select(MetaRow.value).where(MetaRow.key == "articles_counted"))
        return counts, int(total or 0)

    def story_profiles(
        self, around: Sequence[date], window_days: int, exclude: set[str]
    ) -> list[tuple[str, bytes, str]]:
        """Return (id, profile, thread) of the stories active within `window_days` of any day in
        `around`.

        Stories without dates are always returned: nothing says they are stale.
        """
        query = select(StoryRow.id, StoryRow.profile, story_thread()).where(_active(around, window_days))
        with self.session() as session:
            return [(i, p, t) for i, p, t in session.execute(query) if i not in exclude]

    def newest_article_day(self) -> date | None:
        """Return the latest calendar day of a stored article, None when none has a date."""
        full_dates = ArticleRow.date.like("____-__-__%")  # not a month or year alone
        with self.session() as session:
            value = session.scalar(select(func.max(ArticleRow.date)).where(full_dates))
        return date.fromisoformat(value[:10]) if value else None

    def active_story_ids(self, around: Sequence[date], window_days: int) -> set[str]:
        """Return the ids of the stories `story_profiles` would return, without their profiles."""
        with self.session() as session:
            return set(session.scalars(select(StoryRow.id).where(_active(around, window_days))))

    # --- writing --------------------------------------------------------------------------------

    def save_batch(self, batch: Batch, prepared_on: int | None = None) -> int:
        """Write one batch in a single transaction: all of it or, on failure, none of it.

        Return the store's version after it (see `version`). With `prepared_on`, the version the
        batch was computed from, raise `StoreConflict` (and write nothing) if another writer
        committed since; a conflict with a concurrent writer raises it too. Writers commit one
        at a time: the version row's lock is taken first and held to the commit.
        """
        with self._writing() as session:
            version = _bump_meta(session, "version", 1)
            if prepared_on is not None and version != prepared_on + 1:
                raise StoreConflict(
                    f"the store went from version {prepared_on} to {version - 1} meanwhile"
                )
            _add_problems(session, batch.problems)
            _upsert(
                session, LedgerRow, [LedgerRow.id],
                [{"id": i, "outcome": outcome, "original": original} for i, outcome, original in batch.decisions],
            )
            for story_id in batch.created_stories:
                session.add(StoryRow(id=story_id))
                session.add(StoryEventRow(story_id=story_id, action="created"))
            session.flush()
            for split in batch.splits:
                _split_story(session, split)
            for merged, into in batch.merged_threads.items():  # stories not in the batch too
                _fold_thread(session, merged, into)
            for story_id, thread_id in batch.threads.items():
                session.execute(update(StoryRow).where(StoryRow.id == story_id).values(thread_id=thread_id))
            for into, merged in batch.merges:
                reason = batch.merge_reasons.get(merged, "an article showed them to be one event")
                _merge_story(session, into, merged, reason)
            for article in batch.articles:
                _add_article(session, article)
            session.flush()  # embeddings refer to their articles
            session.add_all(
                ArticleEmbeddingRow(article_id=a.id, model=a.embedding_model or "", vector=a.embedding)
                for a in batch.articles
                if a.embedding is not None
            )
            _add_source_lines(session, batch.source_lines)
            _add_counts(
                session, TermFrequencyRow, [TermFrequencyRow.term],
                [{"term": term, "articles": n} for term, n in batch.term_counts.items()],
            )
            _bump_meta(session, "articles_counted", len(batch.articles))
            session.flush()
            touched = {a.story_id for a in batch.articles if a.story_id}
            _upsert(session, EntityRow, [EntityRow.id], [_entity_row(e) for e in batch.entities])
            _replace_claims(session, batch.claims)
            for story_id, profile in batch.profiles.items():
                session.execute(
                    update(StoryRow).where(StoryRow.id == story_id).values(profile=profile)
                )
            split = {story for part in batch.splits for story in (part.story_id, part.new_story_id)}
            refresh_stories(session, touched | split | {merged for _, merged in batch.merges})
            return version

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store's write lock: no other writer commits until the block ends.

        Readers are not held up. What this thread writes meanwhile commits at the end of the
        block, all of it or (on an exception) none of it. Use it to redo work that lost a race.
        """
        with self._writing() as session:
            _bump_meta(session, "version", 0)  # takes the version row's lock, changes nothing
            held = _HELD.__dict__.setdefault("sessions", {})
            held[self] = session
            try:
                yield
            finally:
                del held[self]

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """Yield a session in one transaction; a clash with another writer is a StoreConflict.

        Inside `exclusive`, the held transaction is used: it commits when the hold ends.
        """
        held = _HELD.__dict__.get("sessions", {}).get(self)
        if held is not None:
            yield held
            held.flush()
            return
        try:
            with self.session.begin() as session:
                yield session
        except DBAPIError as error:
            if _is_conflict(error):
                raise StoreConflict(f"another writer got there first: {error.orig}") from error
            raise

    def find_entities(self, name: str, limit: int = 5) -> list[EntityRow]:
        """Return the entities called `name` or, failing that, the closest names and aliases.

        Exact matches on a name or alias (ignoring case) come first; otherwise rapidfuzz's
        WRatio over all names and aliases, best first, above 85.
        """
        wanted = name.casefold().strip()
        with self.session() as session:
            rows = list(session.scalars(select(EntityRow)))
        forms = {row.id: [row.name, *json.loads(row.aliases)] for row in rows}
        exact = [row for row in rows if wanted in (form.casefold() for form in forms[row.id])]
        if exact:
            return sorted(exact, key=lambda row: -row.article_count)[:limit]
        choices = {(row.id, form): form for row in rows for form in forms[row.id]}
        best: dict[str, float] = {}
        for _form, score, (entity_id, _) in process.extract(
            name, choices, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=85
        ):
            best[entity_id] = max(score, best.get(entity_id, 0))
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in sorted(best, key=lambda i: -best[i])][:limit]

    def story_threads(self, story_ids: Iterable[str]) -> dict[str, str]:
        """Return the thread of each of the given stories that is stored."""
        threads: dict[str, str] = {}
        with self.session() as session:
            for chunk in _chunks(set(story_ids)):
                rows = session.execute(select(StoryRow.id, story_thread()).where(StoryRow.id.in_(chunk)))
                threads.update({story_id: thread_id for story_id, thread_id in rows})
        return threads

    def claim_records(self, story_ids: Iterable[str]) -> list[dict]:
        """Return the stored claims of the given stories' threads (a claim may hold statements of
        several stories of one thread: a position restated at a later event)."""
        return self.thread_claim_records(set(self.story_threads(story_ids).values()))

    def thread_claim_records(self, thread_ids: Iterable[str]) -> list[dict]:
        """Return the stored claim records of the given threads."""
        records: list[dict] = []
        with self.session() as session:
            for chunk in _chunks(set(thread_ids)):
                rows = session.scalars(select(ClaimRow.record).where(ClaimRow.thread_id.in_(chunk)))
                records.extend(json.loads(row) for row in rows)
        return records

    def entity_records(self) -> list[dict]:
        """Return the entity resolver's stored state, one record per canonical entity."""
        with self.session() as session:
            states = session.scalars(select(EntityRow.state).where(EntityRow.state.is_not(None)))
            return [json.loads(state) for state in states]

    # --- corrections ----------------------------------------------------------------------------

    def merge_stories(self, into: str, merged: str, profile: bytes | None) -> None:
        """Move every article of story `merged` into story `into` (a person's correction)."""
        with self._writing() as session:
            _bump_meta(session, "version", 1)  # first: writers take the version row's lock in one order
            _merge_story(session, into, merged, "merged by hand")
            if profile is not None:
                _set_profile(session, into, profile)
            refresh_stories(session, {into, merged})

    def move_article(
        self,
        article_id: str,
        to_story: str,
        profiles: dict[str, bytes | None],
        claims: dict[str, list[dict]],
        created: bool,
    ) -> str:
        """Move one article to another (or a new) story; return the story it left.

        `profiles` are the rebuilt summaries of both stories, `claims` those of their threads (by
        thread id); a new story is a thread of its own. The pair is marked kept apart, so
        automatic merging never joins them again.
        """
        with self._writing() as session:
            _bump_meta(session, "version", 1)
            row = session.get(ArticleRow, article_id)
            left = row.story_id
            if created:
                session.add(StoryRow(id=to_story, thread_id=to_story))
                session.add(StoryEventRow(story_id=to_story, action="created", detail=f"by hand, for {article_id}"))
                session.flush()
            row.story_id = to_story
            row.story_reason = json.dumps({"moved by hand": [left or "", to_story]})
            session.execute(
                update(StatementRow).where(StatementRow.article_id == article_id).values(story_id=to_story)
            )
            for story_id, profile in profiles.items():
                _set_profile(session, story_id, profile)
            _replace_claims(session, claims)
            session.add(StoryEventRow(story_id=left, action="moved out", detail=f"{article_id} to {to_story}"))
            session.add(StoryEventRow(story_id=to_story, action="moved in", detail=f"{article_id} from {left}"))
            session.add(StoryEventRow(story_id=left, action="kept apart", detail=to_story))
            refresh_stories(session, {left, to_story})
        return left

    def kept_apart(self) -> set[frozenset[str]]:
        """Return the pairs of stories a person separated, which automatic merges must respect."""
        with self.session() as session:
            rows = session.execute(
                select(StoryEventRow.story_id, StoryEventRow.detail).where(
                    StoryEventRow.action == "kept apart"
                )
            )
            return {frozenset(pair) for pair in rows}

    def corrected_stories(self, story_ids: Iterable[str]) -> set[str]:
        """Return those of the stories a person corrected (merged or moved articles by hand)."""
        ids = list(story_ids)
        by_hand = or_(
            StoryEventRow.action.in_(("moved in", "moved out")),
            (StoryEventRow.action == "absorbed") & StoryEventRow.detail.like("%by hand%"),
        )
        with self.session() as session:
            query = select(StoryEventRow.story_id).where(StoryEventRow.story_id.in_(ids), by_hand)
            return set(session.scalars(query))

    def story_history(self, story_id: str) -> list[StoryEventRow]:
        """Return a story's history (created, merged, moves), oldest first."""
        query = select(StoryEventRow).where(StoryEventRow.story_id == story_id).order_by(StoryEventRow.id)
        with self.session() as session:
            return list(session.scalars(query))

    def story_profile(self, story_id: str) -> tuple[bytes | None, str] | None:
        """Return the clusterer's stored summary of a story and its thread; None: no such story."""
        with self.session() as session:
            row = session.execute(select(StoryRow.profile, story_thread()).where(StoryRow.id == story_id)).first()
            return None if row is None else (row[0], row[1])

    def load_articles(self, story_id: str) -> list[Article]:
        """Return a story's articles as the model (text, dates, entities, times) for re-clustering."""
        return self._load_articles(ArticleRow.story_id == story_id)

    def load_articles_by_id(self, article_ids: Sequence[str]) -> list[Article]:
        """Return the given articles as the model (text, dates, entities, times)."""
        return self._load_articles(ArticleRow.id.in_(list(article_ids)))

    def _load_articles(self, condition) -> list[Article]:
        with self.session() as session:
            rows = list(session.scalars(select(ArticleRow).where(condition)))
            ids = [row.id for row in rows]
            mentions: dict[str, list[EntityMention]] = {i: [] for i in ids}
            times: dict[str, list[TimeExpression]] = {i: [] for i in ids}
            vectors: dict[str, ArticleEmbeddingRow] = {}
            for chunk in _chunks(ids):
                vectors.update(
                    (v.article_id, v)
                    for v in session.scalars(
                        select(ArticleEmbeddingRow).where(ArticleEmbeddingRow.article_id.in_(chunk))
                    )
                )
                for m in session.scalars(select(EntityMentionRow).where(EntityMentionRow.article_id.in_(chunk))):
                    mentions[m.article_id].append(EntityMention(m.text, m.label, m.start, m.end, m.entity_id))
                for t in session.scalars(select(TimeExpressionRow).where(TimeExpressionRow.article_id.in_(chunk))):
                    times[t.article_id].append(TimeExpression(t.text, t.start, t.end, t.type, t.value, t.mod))
        return [
            Article(
                id=row.id, title=row.title, text=row.text, origin=row.origin, source=row.source,
                url=row.url, date=row.date, date_source=row.date_source, lang=row.lang,
                duplicate_of=row.duplicate_of, story_id=row.story_id,
                entities=mentions[row.id], times=times[row.id],
                embedding=vectors[row.id].vector if row.id in vectors else None,
                embedding_model=vectors[row.id].model if row.id in vectors else None,
            )
            for row in rows
        ]

    def version(self) -> int:
        """Return a number that changes whenever anything is written (for caches of reads)."""
        with self.engine.connect() as connection:
            value = connection.execute(
                select(MetaRow.value).where(MetaRow.key == "version")
            ).scalar()
        return int(value or 0)

    def record_problems(self, problems: Sequence[ReadProblem]) -> None:
        """Keep unreadable input in the quarantine list."""
        self.save_batch(Batch(problems=list(problems)))

    def count_lines(self, lines: dict[str, Counter[tuple[str, str]]]) -> None:
        """Add the short-line counts of articles read but not yet decided, in one transaction.

        `lines` holds each article's own counts (`count_source_lines`), by article id. The
        articles enter the ledger as counted, so neither a second count, a resumed run nor
        another process counting the same articles at once counts them again: only the
        articles whose ledger row this call inserts add their lines.
        """
        with self._writing() as session:
            inserted: set[str] = set()
            for chunk in _chunks(sorted(lines)):
                statement = (
                    _insert(session, LedgerRow)
                    .values([{"id": article_id} for article_id in chunk])
                    .on_conflict_do_nothing(index_elements=[LedgerRow.id])
                    .returning(LedgerRow.id)
                )
                inserted.update(session.scalars(statement))
            _add_source_lines(session, sum((lines[i] for i in inserted), Counter()))

    # --- reading for people ---------------------------------------------------------------------

    def stories(self, limit: int = 50, offset: int = 0) -> list[StorySummary]:
        """Return stories, the most recently active first."""
        query = (
            select(StoryRow)
            .where(StoryRow.article_count > 0)
            .order_by(StoryRow.last_date.desc().nulls_last(), StoryRow.article_count.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.session() as session:
            return [_summary(row) for row in session.scalars(query)]

    def story(self, story_id: str) -> StorySummary | None:
        """Return one story's summary, or None."""
        with self.session() as session:
            row = session.get(StoryRow, story_id)
            return _summary(row) if row and row.article_count else None

    def story_articles(self, story_id: str) -> list[ArticleRow]:
        """Return a story's articles in date order (undated last)."""
        query = (
            select(ArticleRow)
            .where(ArticleRow.story_id == story_id)
            .order_by(ArticleRow.date.is_(None), ArticleRow.date, ArticleRow.id)
        )
        with self.session() as session:
            return list(session.scalars(query))

    def iter_articles(self) -> Iterator[ArticleRow]:
        """Yield every stored article in date order (undated last), streamed."""
        return self.iter_rows(ArticleRow, (ArticleRow.date.is_(None), ArticleRow.date, ArticleRow.id))

    def iter_rows(self, table: type[Base], order_by: Sequence = ()) -> Iterator[Base]:
        """Yield every row of one table (statements, time expressions, entities...), streamed."""
        query = select(table).order_by(*order_by).execution_options(yield_per=1000)
        with self.session() as session:
            yield from session.scalars(query)

    def article(self, article_id: str) -> ArticleRow | None:
        """Return one stored article, or None."""
        with self.session() as session:
            return session.get(ArticleRow, article_id)

    def removed_lines(self, article_id: str) -> list[RemovedLineRow]:
        """Return the lines the cleaner removed from an article, in text order."""
        query = (
            select(RemovedLineRow)
            .where(RemovedLineRow.article_id == article_id)
            .order_by(RemovedLineRow.line_no, RemovedLineRow.id)
        )
        with self.session() as session:
            return list(session.scalars(query))

    def problems(self) -> list[ProblemRow]:
        """Return the quarantine list, oldest first."""
        with self.session() as session:
            return list(session.scalars(select(ProblemRow).order_by(ProblemRow.id)))

    def count_articles(self) -> int:
        """Return how many articles are stored."""
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(ArticleRow)) or 0

    # --- helpers --------------------------------------------------------------------------------

    def _values_in(self, wanted, column, values: Iterable[str], *conditions) -> set[str]:
        found: set[str] = set()
        with self.session() as session:
            for chunk in _chunks(set(values)):
                query = select(wanted).where(column.in_(chunk), *conditions)
                found.update(session.scalars(query))
        return found

    def _mapping(self, column, values: Iterable[str]) -> dict[str, str]:
        result: dict[str, str] = {}
        with self.session() as session:
            for chunk in _chunks({v for v in values if v}):
                rows = session.execute(
                    select(column, ArticleRow.id).where(column.in_(chunk)).order_by(ArticleRow.id)
                )
                for value, article_id in rows:
                    result.setdefault(value, article_id)
        return result


def _active(around: Sequence[date], window_days: int):
    """Return the condition on stories active within `window_days` of any day in `around`.

    Stories without dates are always active: nothing says they are stale.
    """
    condition = StoryRow.profile.is_not(None)
    if not around:
        return condition
    low = (min(around) - timedelta(days=window_days)).isoformat()
    high = (max(around) + timedelta(days=window_days)).isoformat()
    return condition & (
        StoryRow.last_date.is_(None) | ((StoryRow.last_date >= low) & (StoryRow.first_date <= high))
    )


def _add_problems(session: Session, problems: Iterable[ReadProblem]) -> None:
    """Quarantine each problem once: reading the same bad input again adds nothing."""
    for problem in dict.fromkeys((p.origin, p.reason) for p in problems):
        known = session.scalar(
            select(ProblemRow.id).where(ProblemRow.origin == problem[0], ProblemRow.reason == problem[1])
        )
        if known is None:
            session.add(ProblemRow(origin=problem[0], reason=problem[1]))


def refresh_stories(session: Session, story_ids: Iterable[str]) -> None:
    """Recompute the counts, date span and headline of each story from its articles."""
    for story_id in story_ids:
        rows = session.execute(
            select(ArticleRow.title, ArticleRow.source, ArticleRow.date, ArticleRow.duplicate_of)
            .where(ArticleRow.story_id == story_id)
            .order_by(ArticleRow.date.asc().nulls_first(), ArticleRow.id)  # as SQLite, on PostgreSQL too
        ).all()
        days = [d for _, _, d, _ in rows if d and d[:1].isdigit()]
        originals = [title for title, _, _, duplicate_of in rows if duplicate_of is None]
        session.execute(
            update(StoryRow)
            .where(StoryRow.id == story_id)
            .values(
                article_count=len(rows),
                source_count=len({source for _, source, _, _ in rows if source}),
                first_date=min(days)[:10] if days else None,
                last_date=max(days)[:10] if days else None,
                headline=representative_title(originals or [t for t, *_ in rows]),
            )
        )


def _add_article(session: Session, article: Article) -> None:
    session.add(
        ArticleRow(
            id=article.id,
            source=article.source,
            url=article.url,
            canonical_url=article.canonical_url,
            date=article.date,
            date_source=article.date_source,
            title=article.title,
            text=article.text,
            lang=article.lang,
            origin=article.origin,
            dateline=article.dateline,
            content_hash=article.content_hash,
            minhash=article.minhash,
            duplicate_of=article.duplicate_of,
            story_id=article.story_id,
            story_score=article.story_score,
            story_reason=json.dumps(article.story_reason) if article.story_reason else None,
        )
    )
    session.add_all(
        RemovedLineRow(article_id=article.id, line_no=r.line_no, text=r.text, reason=r.reason)
        for r in article.removed
    )
    session.add_all(
        EntityMentionRow(
            article_id=article.id, text=e.text, label=e.label, start=e.start, end=e.end,
            entity_id=e.entity_id,
        )
        for e in article.entities
    )
    session.add_all(
        StatementRow(
            article_id=article.id, story_id=article.story_id, speaker=s.speaker,
            speaker_mention=s.speaker_mention, entity_id=s.entity_id, cue=s.cue, content=s.content, start=s.start,
            end=s.end, direct=s.direct, said_on=s.said_on, said_on_source=s.said_on_source,
        )
        for s in article.statements
    )
    session.add_all(
        QuantityRow(
            article_id=article.id, text=q.text, start=q.start, end=q.end, value=q.value,
            unit=q.unit, approximation=q.approximation,
        )
        for q in article.quantities
    )
    session.add_all(
        TimeExpressionRow(
            article_id=article.id, text=t.text, start=t.start, end=t.end, type=t.type,
            value=t.value, mod=t.mod,
        )
        for t in article.times
    )


def _merge_story(session: Session, into: str, merged: str, reason: str) -> None:
    """Relabel everything of story `merged` as story `into`, keeping the history of both.

    Two stories that are one event are one storyline: when their threads differ, the merged
    story's thread (every story and claim of it) joins the other's.
    """
    session.execute(update(ArticleRow).where(ArticleRow.story_id == merged).values(story_id=into))
    session.execute(update(StatementRow).where(StatementRow.story_id == merged).values(story_id=into))
    rows = session.execute(select(StoryRow.id, story_thread()).where(StoryRow.id.in_((into, merged))))
    threads = {story_id: thread_id for story_id, thread_id in rows}
    into_thread, merged_thread = threads.get(into, into), threads.get(merged, merged)
    if merged_thread != into_thread:
        _fold_thread(session, merged_thread, into_thread)
    for claim in session.scalars(select(ClaimRow).where(ClaimRow.thread_id.in_({merged_thread, into_thread}))):
        record = json.loads(claim.record)
        record["thread_id"] = into_thread
        for statement in record["statements"]:
            if statement["story_id"] == merged:
                statement["story_id"] = into
            statement["thread_id"] = into_thread
        claim.thread_id, claim.record = into_thread, json.dumps(record, ensure_ascii=False)
    session.execute(update(StoryRow).where(StoryRow.id == merged).values(profile=None))
    session.add(StoryEventRow(story_id=merged, action="merged", detail=f"into {into}: {reason}"))
    session.add(StoryEventRow(story_id=into, action="absorbed", detail=f"{merged}: {reason}"))


def _split_story(session: Session, split: Split) -> None:
    """Move the stored articles of a split-off part (and their statements) to its new story."""
    if session.get(StoryRow, split.new_story_id) is None:  # else a story merged away comes back
        session.add(StoryRow(id=split.new_story_id))
        session.flush()
    session.add(
        StoryEventRow(
            story_id=split.new_story_id, action="created",
            detail=f"split from {split.story_id}: mean link {split.link:.3f} with the rest",
        )
    )
    ids = list(split.article_ids)
    reason = json.dumps(split.reason())
    session.execute(
        update(ArticleRow).where(ArticleRow.id.in_(ids)).values(story_id=split.new_story_id, story_reason=reason)
    )
    session.execute(
        update(StatementRow).where(StatementRow.article_id.in_(ids)).values(story_id=split.new_story_id)
    )
    session.add(
        StoryEventRow(
            story_id=split.story_id, action="split",
            detail=f"{len(ids)} articles to {split.new_story_id} (mean link {split.link:.3f}): {', '.join(ids)}",
        )
    )


def _fold_thread(session: Session, merged: str, into: str) -> None:
    """Put every story of thread `merged` in thread `into`."""
    session.execute(update(StoryRow).where(story_thread() == merged).values(thread_id=into))


def _replace_claims(session: Session, claims: dict[str, list[dict]]) -> None:
    """Replace the stored claims of each thread with the given records."""
    for thread_id in claims:
        session.execute(delete(ClaimRow).where(ClaimRow.thread_id == thread_id))
    session.flush()
    for records in claims.values():
        session.add_all(_claim_row(record) for record in records)


def _set_profile(session: Session, story_id: str, profile: bytes | None) -> None:
    session.execute(update(StoryRow).where(StoryRow.id == story_id).values(profile=profile))


def _bump_meta(session: Session, key: str, n: int) -> int:
    """Add `n` to a numeric meta value in the database (locking its row); return the new value."""
    statement = _insert(session, MetaRow).values(key=key, value=str(n))
    statement = statement.on_conflict_do_update(
        index_elements=[MetaRow.key],
        set_={"value": cast(cast(MetaRow.value, Integer) + n, String)},
    ).returning(MetaRow.value)
    return int(session.execute(statement).scalar_one())


def _add_source_lines(session: Session, counts: Counter[tuple[str, str]]) -> None:
    hashed: Counter[tuple[str, str]] = Counter()
    for (source, key), n in counts.items():
        hashed[(source, line_key_hash(key))] += n
    _add_counts(
        session, SourceLineRow, [SourceLineRow.source, SourceLineRow.line_key],
        [{"source": source, "line_key": key, "articles": n} for (source, key), n in hashed.items()],
    )


def _add_counts(session: Session, table: type[Base], keys: list, rows: list[dict]) -> None:
    """Add each row's `articles` to the stored count of its key, or insert it: atomic per row.

    Rows are written in key order, so two writers adding to the same keys cannot deadlock.
    """
    if not rows:
        return
    names = [column.key for column in keys]
    statement = _insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={"articles": table.articles + statement.excluded.articles}
    )
    session.execute(statement, sorted(rows, key=lambda row: [row[name] for name in names]))


def _upsert(session: Session, table: type[Base], keys: list, rows: list[dict]) -> None:
    """Insert the rows, or replace every other column of those whose key is stored already."""
    by_key = {tuple(row[column.key] for column in keys): row for row in rows}
    if not by_key:
        return
    statement = _insert(session, table)
    columns = set(next(iter(by_key.values()))) - {column.key for column in keys}
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in columns}
    )
    session.execute(statement, [by_key[key] for key in sorted(by_key)])


def _insert(session: Session, table: type[Base]):
    """Return an INSERT of the session's dialect, with its ON CONFLICT clauses."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    return dialects[session.get_bind().dialect.name](table)


def _is_conflict(error: DBAPIError) -> bool:
    """Return whether a database error means another writer committed first (worth a retry)."""
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state in _CONFLICT_SQLSTATES
    return getattr(error.orig, "sqlite_errorname", "").startswith(_CONFLICT_SQLITE_ERRORS)


def _claim_row(record: dict) -> ClaimRow:
    kinds = sorted({verdict["kind"] for verdict in record["verdicts"]})
    return ClaimRow(
        id=record["id"],
        thread_id=record["thread_id"],
        text=record["text"],
        first_date=record["first"]["date"],
        verdicts=",".join(kinds),
        statement_count=len(record["statements"]),
        record=json.dumps(record, ensure_ascii=False),
    )


def _entity_row(entity: CanonicalEntity) -> dict:
    aliases = sorted(entity.aliases, key=lambda alias: (-entity.aliases[alias], alias))
    roles = sorted(entity.roles, key=lambda role: (-entity.roles[role], role))
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": json.dumps(aliases, ensure_ascii=False),
        "roles": json.dumps(roles, ensure_ascii=False),
        "article_count": len(set(entity.article_ids)),
        # its fields as they are (all flat), not `asdict`'s deep copy of each
        "state": json.dumps(
            {f.name: getattr(entity, f.name) for f in fields(entity)}, ensure_ascii=False, sort_keys=True
        ),
    }


def _summary(row: StoryRow) -> StorySummary:
    return StorySummary(
        row.id, row.headline, row.first_date, row.last_date, row.article_count, row.source_count,
        row.thread_id or row.id,
    )


def _chunks(values: Iterable[str], size: int = _CHUNK) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


__all__ = ["Batch", "SchemaError", "Store", "StoreConflict", "StorySummary"]
