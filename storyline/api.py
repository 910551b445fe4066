"""The Python API: a store's stories, statements, claims and people as typed results and DataFrames.

`Storyline(db_url)` opens a store (the CLI's default one when no URL is given); every reader
returns `Results`, an immutable list of the desk's response models with `to_pandas()`. The reads
are the desk's queries (`storyline.desk.queries`), so a notebook, the CLI and the desk answer
alike. Opening a store loads SQLAlchemy and no model; spaCy and the embedder load on the first
`ingest`, and pandas on the first `to_pandas()`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union, get_args, get_origin, overload

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from storyline.desk import queries
from storyline.desk.models import (
    ArticleItem,
    ClaimItem,
    EntityDetail,
    EntityRef,
    SearchHit,
    StatementItem,
    StoryDetail,
    StoryItem,
)
from storyline.settings import Settings
from storyline.store import Store
from storyline.store.schema import StoryRow
from storyline.store.search import ensure_search_index

if TYPE_CHECKING:
    import pandas

    from storyline.pipeline import IngestSummary

M = TypeVar("M", bound=BaseModel)
Day = dt.date | str | None  # a day as a date or as "YYYY-MM-DD"

NOTEBOOK_EXTRA = "pip install storyline[notebook]"
_DTYPES = {str: "string", int: "int64", float: "float64", bool: "bool", dt.datetime: "datetime64[ns]"}


class NotFound(LookupError):
    """Nothing in the store has the id or name asked for."""


class StoryNotFound(NotFound):
    """No story with this id has articles (it never existed, or was merged into another)."""


class ArticleNotFound(NotFound):
    """No article with this id is stored."""


class EntityNotFound(NotFound):
    """No person or organisation has this id, or is called by this name."""


class Problem(BaseModel):
    """Input that could not be read (the quarantine list): when, where, why."""

    model_config = ConfigDict(frozen=True)

    at: dt.datetime
    origin: str
    reason: str


class StoryEvent(BaseModel):
    """One step of a story's history: created, merged, absorbed, split, moved in or out, kept apart."""

    model_config = ConfigDict(frozen=True)

    story_id: str
    at: dt.datetime
    action: str
    detail: str


class Assignment(BaseModel):
    """Why an article is in its story: the clusterer's score and the signals that decided it."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    title: str | None
    story_id: str | None
    story_headline: str | None  # None when the article's story has no articles left
    score: float | None
    signals: dict[str, list]  # signal -> its values ("words": [...], "entities": [...]); may be empty


class Results(Sequence[M], Generic[M]):
    """An immutable list of typed results, with how many matched in all, and a DataFrame view."""

    def __init__(self, model: type[M], items: Iterable[M], total: int | None = None) -> None:
        self.model = model
        self._items = tuple(items)
        self.total = len(self._items) if total is None else total  # beyond this page, if paged

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> Results[M]: ...
    def __getitem__(self, index: int | slice) -> M | Results[M]:
        if isinstance(index, slice):
            return Results(self.model, self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[M]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Results):
            return self._items == other._items
        return isinstance(other, list | tuple) and list(self._items) == list(other)

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __repr__(self) -> str:
        shown = ", ".join(repr(item) for item in self._items[:3])
        more = f", … {len(self) - 3} more" if len(self) > 3 else ""
        return f"Results[{self.model.__name__}]({len(self)} of {self.total}: [{shown}{more}])"

    def to_pandas(self) -> pandas.DataFrame:
        """Return the results as a DataFrame: one row per result, one column per field.

        Fields holding one model are spread over `field_subfield` columns; lists (of names, or
        of models as dicts) and dicts stay in one object column. Text is `string` (missing:
        `pd.NA`), dates included (some are partial, like "2022-03": `pd.to_datetime` them where
        you need to); integers and booleans are `int64` and `bool` (`object` where they may be
        missing), floats `float64`, times `datetime64[ns]`. An empty result has the same
        columns and dtypes. Needs pandas
        (`pip install storyline[notebook]`); costs one pass over the results.
        """
        try:
            import pandas
        except ImportError as error:
            raise ImportError(f"to_pandas() needs pandas: {NOTEBOOK_EXTRA}") from error
        columns = _columns(self.model)
        records = [_row(item.model_dump(), columns) for item in self._items]
        frame = pandas.DataFrame.from_records(records, columns=[name for name, *_ in columns])
        return frame.astype({name: dtype for name, _, dtype in columns if dtype != "object"})


def _columns(model: type[BaseModel], prefix: str = "") -> list[tuple[str, tuple[str, ...], str]]:
    """Return (column, path into model_dump(), dtype) for each column of `model`'s DataFrame."""
    columns = []
    for name, field in model.model_fields.items():
        kind, optional = _unwrap(field.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            columns += [
                (f"{prefix}{name}_{column}", (name, *path), dtype)
                for column, path, dtype in _columns(kind)
            ]
            continue
        dtype = _DTYPES.get(kind, "object")
        if optional and dtype in ("int64", "bool"):  # numpy's have no missing value
            dtype = "object"
        columns.append((prefix + name, (name,), dtype))
    return columns


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Return the type an annotation stands for, and whether it is optional (`X | None`)."""
    if get_origin(annotation) in (Union, UnionType):
        args = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _row(record: dict, columns: list[tuple[str, tuple[str, ...], str]]) -> list:
    row = []
    for _, path, _ in columns:
        value: Any = record
        for key in path:
            value = value[key] if value is not None else None
        row.append(value)
    return row


class Storyline:
    """A store of articles and stories, read and written from Python (a notebook, a script).

    `Storyline()` opens the CLI's default store ($STORYLINE_DB, else ./storyline.db);
    `Storyline(db_url)` any SQLAlchemy URL; `settings` sets every stage's options (its `db_url`
    gives way to `db_url`). Opening creates the tables of an empty store. Use it as a context
    manager, or call `close()`, to release the connections.
    """

    def __init__(self, db_url: str | None = None, *, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self.settings = replace(settings, db_url=db_url) if db_url else settings
        self.store = Store(self.settings.db_url)
        self._search_ready = False

    @property
    def db_url(self) -> str:
        """The store's SQLAlchemy URL."""
        return self.settings.db_url

    def close(self) -> None:
        """Release the store's connections; the object is not used after this."""
        self.store.close()

    def __enter__(self) -> Storyline:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Storyline({self.db_url!r})"

    # --- writing --------------------------------------------------------------------------------

    def ingest(
        self,
        paths: str | Path | Iterable[str | Path],
        *,
        source: str | None = None,
        date: str | None = None,
        batch_size: int | None = None,
        workers: int | None = None,
        scheduler: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> IngestSummary:
        """Read files and folders (text, Markdown, JSON lines, HTML, RSS/Atom, WARC) and ingest them.

        `source` names the outlet of articles that name none; `date` (YYYY-MM-DD) dates the
        undated ones and gives datelines their year; `batch_size` articles are written per
        transaction; `workers` runs parsing and embedding on a new local Dask cluster of that many
        processes, `scheduler` on a running one at tcp://HOST:PORT (same results as one process;
        `storyline.execute.EngineError` if neither can be had); `progress` is called with the
        number of items read since its last call.
        Returns what was added, skipped and why, as `storyline ingest` prints it. Loads spaCy and
        the embedder on first use; an article already stored is not read again.
        """
        from storyline.execute import open_engine
        from storyline.pipeline import ingest_paths  # loads the models: only when ingesting

        options = {"default_source": source, "default_date": date, "batch_size": batch_size}
        settings = replace(self.settings, **{k: v for k, v in options.items() if v is not None})
        paths = [paths] if isinstance(paths, str | Path) else paths
        with closing(open_engine(workers, scheduler)) as engine:
            return ingest_paths([Path(p) for p in paths], self.store, settings, progress, engine)

    def merge_stories(self, into: str, merged: str) -> None:
        """Merge story `merged` into story `into`; later clustering treats them as one.

        Raises `storyline.corrections.CorrectionError` (a ValueError) for an unknown story.
        """
        from storyline.corrections import merge_stories

        merge_stories(self.store, into, merged)

    def move_article(self, article_id: str, to: str | None = None) -> str:
        """Move an article to story `to` (a new story when None); return the story it is in now.

        Later clustering keeps the two stories apart. Raises `CorrectionError` (a ValueError) for
        an unknown article or story, or an article already there.
        """
        from storyline.corrections import move_article

        return move_article(self.store, article_id, to, self.settings)

    def recluster(self, at: float | None = None) -> tuple[int, int]:
        """Revise the stories of the active window now: split a story whose articles form two
        groups, merge two that are one (ingest does this for the stories each batch touches).

        `at`: the mean link to revise at (default: `Settings.story_revise_probability`, else the
        fitted threshold; the shipped models' is never). Corrections are respected; every split
        and merge is in the stories' history. Returns (splits, merges) made.
        """
        from storyline.pipeline import Ingestor

        settings = self.settings if at is None else replace(self.settings, story_revise_probability=at)
        batch = Ingestor(self.store, settings).recluster()
        return len(batch.splits), len(batch.merges)

    # --- stories --------------------------------------------------------------------------------

    def stories(
        self,
        *,
        q: str = "",
        since: Day = None,
        until: Day = None,
        source: str = "",
        person: str = "",
        lang: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> Results[StoryItem]:
        """Return the stories, the most recently active first (all of them unless `limit`).

        `q` keeps stories with an article matching the full-text query; `since`/`until` those
        active on some day between them; `source` and `lang` those with an article from that
        outlet or in that language (one article must meet `q`, `source` and `lang` together);
        `person` those mentioning a person or organisation by (part of) a name or alias.
        `total` counts every matching story whatever `limit` and `offset`.
        """
        filters = queries.StoryFilters(
            q=q, date_from=_day(since), date_to=_day(until), source=source, who=person, lang=lang
        )
        if q:
            self._ensure_search()
        with self.store.session() as session:
            page = queries.list_stories(session, filters, limit, offset)
        return Results(StoryItem, page.items, page.total)

    def story(self, story_id: str) -> StoryDetail:
        """Return one story: its articles (copies folded under originals), people, statements, claims.

        At most 500 statements and the 50 most notable claims; `statements(story=...)` and
        `claims(story=...)` give them all. Raises `StoryNotFound`.
        """
        with self.store.session() as session:
            story = queries.story_detail(session, story_id)
        if story is None:
            raise StoryNotFound(f"no story {story_id!r}")
        return story

    def history(self, story_id: str) -> Results[StoryEvent]:
        """Return a story's history (created, merges, moves), oldest first; empty for no such story.

        Merged stories, which `story()` no longer finds, keep their history.
        """
        return Results(
            StoryEvent,
            (
                StoryEvent(story_id=e.story_id, at=e.at, action=e.action, detail=e.detail)
                for e in self.store.story_history(story_id)
            ),
        )

    def why(self, article_id: str) -> Assignment:
        """Return why an article is in its story: score and signals. Raises `ArticleNotFound`."""
        article = self.store.article(article_id)
        if article is None:
            raise ArticleNotFound(f"no article {article_id!r}")
        story = self.store.story(article.story_id) if article.story_id else None
        return Assignment(
            article_id=article.id,
            title=article.title,
            story_id=article.story_id,
            story_headline=story.headline if story else None,
            score=article.story_score,
            signals=json.loads(article.story_reason or "{}"),
        )

    def article_count(self) -> int:
        """Return how many articles are stored (copies linked to an original included)."""
        with self.store.session() as session:
            return queries.article_count(session)

    def articles(
        self,
        *,
        story: str | None = None,
        q: str = "",
        since: Day = None,
        until: Day = None,
        source: str = "",
        lang: str = "",
        limit: int | None = None,
        offset: int = 0,
    ) -> Results[ArticleItem]:
        """Return the articles (metadata, not text), the newest first, narrowed as `stories()` is.

        `story` keeps one story's articles, its near-copies included (raises `StoryNotFound`).
        """
        filters = queries.StoryFilters(
            q=q, date_from=_day(since), date_to=_day(until), source=source, lang=lang
        )
        if q:
            self._ensure_search()
        with self.store.session() as session:
            if story is not None:
                _require_story(session, story)
            page = queries.list_articles(session, filters, limit, offset, story_id=story)
        return Results(ArticleItem, page.items, page.total)

    # --- who said what --------------------------------------------------------------------------

    def statements(
        self,
        *,
        story: str | None = None,
        person: str | None = None,
        since: Day = None,
        until: Day = None,
        limit: int | None = None,
    ) -> Results[StatementItem]:
        """Return who said what and when, in the order said (undated last); all of them by default.

        `story` keeps one story's (raises `StoryNotFound`); `person` those of the person or
        organisation the name resolves to, as `storyline who` resolves it (`match_entities`,
        best match; raises `EntityNotFound`); `since`/`until` those said between the two days,
        both included. The conditions given are joined.
        """
        entity_id = None
        if person is not None:
            matches = self.match_entities(person, limit=1)
            if not matches:
                raise EntityNotFound(f"nobody called {person!r}")
            entity_id = matches[0].id
        with self.store.session() as session:
            if story is not None:
                _require_story(session, story)
            items = queries.list_statements(
                session, story_id=story, entity_id=entity_id,
                date_from=_day(since), date_to=_day(until), limit=limit,
            )
        return Results(StatementItem, items)

    def claims(self, *, story: str | None = None, verdict: str = "") -> Results[ClaimItem]:
        """Return the claims (propositions statements make), oldest first statement first.

        Every claim, stated once or more; `ClaimItem.notable()` tells those stated more than
        once or with a verdict. `story` keeps those with a statement of that story (raises
        `StoryNotFound`); a claim holds its thread's statements, those made at the storyline's other
        events included (`ClaimStatement.story_id`). `verdict`
        ("repeated", "confirmed", "changed", "disputed") those with a verdict of that kind.
        """
        with self.store.session() as session:
            if story is not None:
                _require_story(session, story)
            items = queries.list_claims(session, None if story is None else [story], verdict)
        return Results(ClaimItem, items)

    def entities(
        self, name: str = "", *, type: str = "", limit: int | None = None, offset: int = 0
    ) -> Results[EntityRef]:
        """Return people, organisations and places, the most mentioned first (`mentions`: articles).

        `name` keeps those with it in a name or alias (ignoring case); `type` one kind
        ("PERSON", "ORG", "GPE", "NORP", "LOC"). `total` counts every match.
        """
        with self.store.session() as session:
            page = queries.list_entities(session, type, name, limit, offset)
        return Results(EntityRef, page.items, page.total)

    def match_entities(self, name: str, limit: int = 5) -> Results[EntityRef]:
        """Return the people and organisations `name` resolves to, best first, as `storyline who`.

        Exact names and aliases (ignoring case) first, the most mentioned first; failing those,
        names within a fuzzy score of 85 (rapidfuzz WRatio). Empty when nobody matches. Reads
        every resolved entity's names: linear in the number of entities.
        """
        return Results(
            EntityRef,
            (
                EntityRef(id=row.id, name=row.name, type=row.type, mentions=row.article_count)
                for row in self.store.find_entities(name, limit=limit)
            ),
        )

    def entity(self, entity_id: str) -> EntityDetail:
        """Return a person or organisation: its other names, roles, stories and every statement.

        `entity_id` as `entities()` and `match_entities()` give it. Raises `EntityNotFound`.
        """
        with self.store.session() as session:
            entity = queries.entity_detail(session, entity_id, max_stories=None, max_statements=None)
        if entity is None:
            raise EntityNotFound(f"no person or organisation {entity_id!r}")
        return entity

    def who(self, name: str) -> EntityDetail:
        """Return the person or organisation `name` resolves to (see `match_entities`), as `entity()`.

        Raises `EntityNotFound` when nobody matches.
        """
        matches = self.match_entities(name, limit=1)
        if not matches:
            raise EntityNotFound(f"nobody called {name!r}")
        return self.entity(matches[0].id)

    # --- search and problems --------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 20, offset: int = 0) -> Results[SearchHit]:
        """Return the articles matching a full-text query, best first, with marked snippets.

        The words of `q` must all occur; `total` counts every match. The first search of a store
        without the index builds it (one pass over the articles).
        """
        self._ensure_search()
        with self.store.session() as session:
            page = queries.search(session, q, limit, offset)
        return Results(SearchHit, page.items, page.total)

    def problems(self) -> Results[Problem]:
        """Return the input that could not be read (the quarantine list), oldest first."""
        return Results(
            Problem,
            (Problem(at=r.at, origin=r.origin, reason=r.reason) for r in self.store.problems()),
        )

    def _ensure_search(self) -> None:
        if not self._search_ready:
            ensure_search_index(self.store.engine)
            self._search_ready = True


def _day(value: Day) -> dt.date | None:
    """Return a day given as a date or as "YYYY-MM-DD" (ValueError for another string)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _require_story(session: Session, story_id: str) -> None:
    """Raise `StoryNotFound` unless a story with articles has this id."""
    count = session.scalar(select(StoryRow.article_count).where(StoryRow.id == story_id))
    if not count:
        raise StoryNotFound(f"no story {story_id!r}")


__all__ = [
    "ArticleNotFound",
    "Assignment",
    "EntityNotFound",
    "NotFound",
    "Problem",
    "Results",
    "Storyline",
    "StoryEvent",
    "StoryNotFound",
]
