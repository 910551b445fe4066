"""Full-text search over article titles and bodies: SQLite FTS5, PostgreSQL text search, else LIKE.

Both indexes are derived structures outside the tables of `schema`, kept current by triggers on
`articles`, so every writer (the pipeline, a script, the desk's ingest endpoint) updates them
without knowing they exist; `ensure_search_index` creates them (idempotent) and fills them from
the stored articles the first time. Both give the same interface: all words of the query
required, titles weighing more than text, ranked, with a snippet whose matches are marked.
User input is never parsed as query syntax: FTS5 gets each word quoted (so `"`, `NEAR(`, `*` or
`a OR` are searched as words), PostgreSQL gets the words through `plainto_tsquery`, which knows
no operators.

- SQLite: an external-content FTS5 table, `porter unicode61 remove_diacritics 2`, ranked by bm25.
- PostgreSQL: a table of `tsvector`s (title weight A, text weight B) with a GIN index, ranked by
  `ts_rank` (title 4x text, as bm25 here; length-normalised), snippets by `ts_headline`. The text
  search configuration `storyline_search` is what FTS5's `porter unicode61 remove_diacritics`
  is: Snowball's English stemmer with no stop words, after `unaccent` where the extension can be
  had. The corpus is multilingual, but a query's language is unknown and must meet the index's,
  so one configuration serves all: English words are stemmed, words of other languages lose no
  more than an English suffix or are kept whole (other scripts), accents are folded, and every
  word is indexed ("the", "or" too, as in FTS5). `simple` would not stem English, the largest
  part; per-language configurations would need the language of the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storyline.store.schema import ArticleRow

SEARCH_TABLE = "article_search"
MAX_QUERY_CHARS = 200  # longer queries are cut: nobody types more, and it bounds the work
MAX_TERMS = 12
MARK_START = "\ue000"  # private-use characters: cannot come from a web page's words
MARK_END = "\ue001"
SNIPPET_WORDS = 24
_WORD = re.compile(r"\w+", re.UNICODE)

@dataclass(frozen=True)
class SearchHit:
    """One matching article: its id, a rank (lower is better) and a snippet with marked matches."""

    article_id: str
    rank: float
    snippet: str  # matches between MARK_START and MARK_END


class _SearchIndex(Protocol):
    """A dialect's full-text index over `articles`: made once, then matched and ranked."""

    def serialise(self, connection: Connection) -> None:
        """Make processes that create indexes at once take turns, until the transaction ends."""

    def create(self, connection: Connection) -> None:
        """Create the index and its triggers and fill it from the stored articles."""

    def exists(self, connection: Connection) -> bool:
        """Return whether the index exists."""

    def match(self, terms: list[str]) -> ColumnElement[bool]:
        """Return a condition on `articles`: every term in its title or text."""

    def page(self, session: Session, terms: list[str], limit: int, offset: int) -> list[SearchHit]:
        """Return one page of the articles holding every term, best first, with snippets."""


class _Fts5:
    """SQLite's FTS5: an external-content table over `articles`, ranked by bm25."""

    _DDL = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
        "title, text, content='articles', content_rowid='rowid', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_ai AFTER INSERT ON articles BEGIN "
        f"INSERT INTO {SEARCH_TABLE}(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_ad AFTER DELETE ON articles BEGIN "
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, title, text) "
        f"VALUES ('delete', old.rowid, old.title, old.text); END",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_au AFTER UPDATE OF title, text ON articles BEGIN "
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, title, text) "
        f"VALUES ('delete', old.rowid, old.title, old.text); "
        f"INSERT INTO {SEARCH_TABLE}(rowid, title, text) VALUES (new.rowid, new.title, new.text); END",
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')",
    )

    def serialise(self, connection: Connection) -> None:
        pass  # SQLite lets one writer in at a time already

    def create(self, connection: Connection) -> None:
        for statement in self._DDL:
            connection.execute(text(statement))

    def exists(self, connection: Connection) -> bool:
        # The triggers too: a schema revision that copies `articles` (SQLite alters a table by
        # copying it) drops them, and the index must then be made again and rebuilt.
        found = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name IN (:table, :ai, :ad, :au)"),
            {
                "table": SEARCH_TABLE,
                "ai": f"{SEARCH_TABLE}_ai",
                "ad": f"{SEARCH_TABLE}_ad",
                "au": f"{SEARCH_TABLE}_au",
            },
        ).scalar_one()
        return found == 4

    def match(self, terms: list[str]) -> ColumnElement[bool]:
        return text(
            f"articles.rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match)"
        ).bindparams(match=_fts_query(terms))

    def page(self, session: Session, terms: list[str], limit: int, offset: int) -> list[SearchHit]:
        rows = session.execute(
            text(
                f"SELECT a.id, bm25({SEARCH_TABLE}, 4.0, 1.0) AS rank, "
                f"snippet({SEARCH_TABLE}, 1, :mark_start, :mark_end, '…', {SNIPPET_WORDS}) "
                f"FROM {SEARCH_TABLE} JOIN articles AS a ON a.rowid = {SEARCH_TABLE}.rowid "
                f"WHERE {SEARCH_TABLE} MATCH :match ORDER BY rank, a.id LIMIT :limit OFFSET :offset"
            ),
            {
                "match": _fts_query(terms),
                "mark_start": MARK_START,
                "mark_end": MARK_END,
                "limit": limit,
                "offset": offset,
            },
        ).all()
        return [SearchHit(i, float(rank), snippet or "") for i, rank, snippet in rows]


class _TsVector:
    """PostgreSQL text search: a `tsvector` per article in a GIN-indexed table, kept by a trigger."""

    CONFIG = "storyline_search"
    # Titles weigh 4x text, as in bm25 above: ts_rank's weights are for D, C, B, A.
    _WEIGHTS = "{0.1, 0.1, 0.25, 1.0}"
    _LOCK = 0x5370_6C53  # the advisory lock of `serialise`
    _MAX_CHARS = 1_000_000  # indexed per text: a tsvector holds at most 1 MB
    _DOCUMENT = (
        f"setweight(to_tsvector('{CONFIG}', coalesce({{row}}.title, '')), 'A') || "
        f"setweight(to_tsvector('{CONFIG}', left(coalesce({{row}}.text, ''), {_MAX_CHARS})), 'B')"
    )
    _DDL = (
        f"CREATE TABLE IF NOT EXISTS {SEARCH_TABLE} ("
        "article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE, "
        "document TSVECTOR NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS ix_{SEARCH_TABLE}_document ON {SEARCH_TABLE} USING gin (document)",
        f"CREATE OR REPLACE FUNCTION {SEARCH_TABLE}_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN INSERT INTO {SEARCH_TABLE} (article_id, document) "
        f"VALUES (NEW.id, {_DOCUMENT.format(row='NEW')}) "
        "ON CONFLICT (article_id) DO UPDATE SET document = excluded.document; RETURN NULL; END $$",
        f"CREATE TRIGGER {SEARCH_TABLE}_refresh AFTER INSERT OR UPDATE OF title, text ON articles "
        f"FOR EACH ROW EXECUTE FUNCTION {SEARCH_TABLE}_refresh()",
        f"INSERT INTO {SEARCH_TABLE} (article_id, document) "
        f"SELECT a.id, {_DOCUMENT.format(row='a')} FROM articles AS a ON CONFLICT DO NOTHING",
    )

    def serialise(self, connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": self._LOCK})

    def create(self, connection: Connection) -> None:
        if not connection.execute(
            text("SELECT 1 FROM pg_ts_config WHERE cfgname = :name"), {"name": self.CONFIG}
        ).first():
            # Snowball's English stemmer without its stop-word list: "the" and "or" are words too.
            connection.execute(
                text(
                    f"CREATE TEXT SEARCH DICTIONARY {self.CONFIG}_stem "
                    "(TEMPLATE = snowball, Language = english)"
                )
            )
            connection.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {self.CONFIG} (COPY = english)"))
            fold = "unaccent, " if _unaccent(connection) else ""
            connection.execute(
                text(
                    f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING FOR "
                    f"asciiword, asciihword, hword_asciipart WITH {self.CONFIG}_stem; "
                    f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING FOR "
                    f"word, hword, hword_part WITH {fold}{self.CONFIG}_stem"
                )
            )
        for statement in self._DDL:
            connection.execute(text(statement))

    def exists(self, connection: Connection) -> bool:
        return connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": SEARCH_TABLE})

    def match(self, terms: list[str]) -> ColumnElement[bool]:
        return text(
            f"articles.id IN (SELECT article_id FROM {SEARCH_TABLE} "
            f"WHERE document @@ plainto_tsquery('{self.CONFIG}', :words))"
        ).bindparams(words=" ".join(terms))

    def page(self, session: Session, terms: list[str], limit: int, offset: int) -> list[SearchHit]:
        # Ranked from the stored vectors; only the page's texts are parsed again, for snippets.
        rows = session.execute(
            text(
                f"WITH query AS (SELECT plainto_tsquery('{self.CONFIG}', :words) AS q), "
                f"hits AS (SELECT s.article_id, ts_rank('{self._WEIGHTS}', s.document, query.q, 1) AS score "
                f"FROM {SEARCH_TABLE} AS s, query WHERE s.document @@ query.q "
                "ORDER BY score DESC, s.article_id LIMIT :limit OFFSET :offset) "
                f"SELECT hits.article_id, -hits.score, ts_headline('{self.CONFIG}', a.text, query.q, "
                ":options) FROM hits JOIN articles AS a ON a.id = hits.article_id, query "
                "ORDER BY hits.score DESC, hits.article_id"
            ),
            {
                "words": " ".join(terms),
                "limit": limit,
                "offset": offset,
                "options": f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxFragments=1, '
                f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, FragmentDelimiter=…",
            },
        ).all()
        return [SearchHit(i, float(rank), snippet or "") for i, rank, snippet in rows]


_INDEXES: dict[str, _SearchIndex] = {"sqlite": _Fts5(), "postgresql": _TsVector()}


def ensure_search_index(engine: Engine) -> bool:
    """Create the full-text index and its triggers where missing; return True if one is on.

    Idempotent and cheap when everything exists. On first creation over a filled store the index
    is filled from the articles (one pass). Dialects without an index here fall back to LIKE.
    """
    index = _INDEXES.get(engine.dialect.name)
    if index is None:
        return False
    with engine.begin() as connection:
        index.serialise(connection)
        if not index.exists(connection):
            index.create(connection)
    return True


def has_search_index(session: Session) -> bool:
    """Return whether the store has its dialect's full-text index (False where there is none)."""
    index = _INDEXES.get(session.get_bind().dialect.name)
    return index is not None and index.exists(session.connection())


def query_terms(user_query: str) -> list[str]:
    """Return the words of a user's query: at most MAX_TERMS, from its first MAX_QUERY_CHARS."""
    return _WORD.findall(user_query[:MAX_QUERY_CHARS])[:MAX_TERMS]


def article_match(session: Session, user_query: str) -> ColumnElement[bool] | None:
    """Return a condition on `articles` true for those matching the query; None if it has no words."""
    terms = query_terms(user_query)
    if not terms:
        return None
    index = _index_of(session)
    return index.match(terms) if index else _like_all(terms)


def search_articles(
    session: Session, user_query: str, limit: int = 20, offset: int = 0
) -> tuple[list[SearchHit], int]:
    """Return one page of articles matching the query, best first, and how many match in all."""
    terms = query_terms(user_query)
    if not terms:
        return [], 0
    index = _index_of(session)
    condition = index.match(terms) if index else _like_all(terms)
    total = session.scalar(select(func.count()).select_from(ArticleRow).where(condition)) or 0
    if index:
        return index.page(session, terms, limit, offset), total
    rows = session.execute(
        select(ArticleRow.id, ArticleRow.text)
        .where(condition)
        .order_by(ArticleRow.date.desc().nulls_last(), ArticleRow.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [SearchHit(i, 0.0, like_snippet(body, terms)) for i, body in rows], total


def like_snippet(body: str, terms: list[str], width: int = 160) -> str:
    """Return the part of `body` around the first matching term, matches marked (LIKE fallback)."""
    lowered = body.casefold()
    found = [p for p in (lowered.find(t.casefold()) for t in terms) if p >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    window = body[start : start + width]
    for term in sorted(set(terms), key=len, reverse=True):
        window = re.sub(
            re.escape(term), lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", window, flags=re.I
        )
    return ("…" if start else "") + window + ("…" if start + width < len(body) else "")


def _like_all(terms: list[str]) -> ColumnElement[bool]:
    """Every term in the title or the text, case-insensitively, with LIKE wildcards escaped."""
    clauses = []
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            or_(
                ArticleRow.title.ilike(pattern, escape="\\"),
                ArticleRow.text.ilike(pattern, escape="\\"),
            )
        )
    return and_(*clauses)



def _index_of(session: Session) -> _SearchIndex | None:
    """The session's full-text index, where it has one."""
    index = _INDEXES.get(session.get_bind().dialect.name)
    return index if index is not None and index.exists(session.connection()) else None


def _fts_query(terms: list[str]) -> str:
    """Return a safe FTS5 MATCH expression: every word quoted, all of them required."""
    return " ".join(f'"{term}"' for term in terms)


def _unaccent(connection: Connection) -> bool:
    """Return whether the `unaccent` dictionary is there, creating the extension if allowed."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except DBAPIError:  # not installed, or no right to create it: search works without
        return False
    return True
