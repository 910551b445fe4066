"""Full-text search over article titles and bodies: SQLite FTS5 where it exists, LIKE elsewhere.

The FTS5 index is an external-content table over `articles`, kept current by triggers, so every
writer (the pipeline, a script, the desk's ingest endpoint) updates it without knowing it exists.
User input never reaches FTS5 syntax: each word is quoted, so `"`, `NEAR(`, `*` or `a OR` are
searched for as words, never parsed as operators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, text
from sqlalchemy.orm import Session

from storyline.store.schema import ArticleRow

SEARCH_TABLE = "article_search"
MAX_QUERY_CHARS = 200  # longer queries are cut: nobody types more, and it bounds the work
MAX_TERMS = 12
MARK_START = "\ue000"  # private-use characters: cannot come from a web page's words
MARK_END = "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)

# Indexes the desk's read queries need beyond those of the schema: a mention's text (entity pages
# when entities are not resolved yet) and (story, source) / (story, lang) for the story filters.
_EXTRA_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_entity_mentions_text_label ON entity_mentions (text, label)",
    "CREATE INDEX IF NOT EXISTS ix_articles_source_story ON articles (source, story_id)",
    "CREATE INDEX IF NOT EXISTS ix_articles_lang_story ON articles (lang, story_id)",
)

_FTS_DDL = (
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
)


@dataclass(frozen=True)
class SearchHit:
    """One matching article: its id, a rank (lower is better) and a snippet with marked matches."""

    article_id: str
    rank: float
    snippet: str  # matches between MARK_START and MARK_END


def ensure_search_index(engine: Engine) -> bool:
    """Create the FTS5 index, its triggers and the desk's read indexes; return True if FTS5 is on.

    Idempotent and cheap when everything exists. On first creation over a filled store the index
    is rebuilt from the articles (one pass). Other dialects get nothing and fall back to LIKE.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.begin() as connection:
        existed = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": SEARCH_TABLE},
        ).first()
        for statement in _EXTRA_INDEXES:
            connection.execute(text(statement))
        if existed:
            return True
        for statement in _FTS_DDL:
            connection.execute(text(statement))
        connection.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')"))
    return True


def has_search_index(session: Session) -> bool:
    """Return whether the store has the FTS5 index (False on other dialects)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    found = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": SEARCH_TABLE},
    ).first()
    return found is not None


def query_terms(user_query: str) -> list[str]:
    """Return the words of a user's query: at most MAX_TERMS, from its first MAX_QUERY_CHARS."""
    return _WORD.findall(user_query[:MAX_QUERY_CHARS])[:MAX_TERMS]


def fts_query(user_query: str) -> str:
    """Return a safe FTS5 MATCH expression: every word quoted, all of them required ("" if none)."""
    return " ".join(f'"{term}"' for term in query_terms(user_query))


def article_match(session: Session, user_query: str) -> ColumnElement[bool] | None:
    """Return a condition on `articles` true for those matching the query; None if it has no words."""
    terms = query_terms(user_query)
    if not terms:
        return None
    if has_search_index(session):
        return text(
            f"articles.rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match)"
        ).bindparams(match=fts_query(user_query))
    return _like_all(terms)


def search_articles(
    session: Session, user_query: str, limit: int = 20, offset: int = 0
) -> tuple[list[SearchHit], int]:
    """Return one page of articles matching the query, best first, and how many match in all."""
    terms = query_terms(user_query)
    if not terms:
        return [], 0
    if has_search_index(session):
        match = fts_query(user_query)
        total = session.execute(
            text(f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :match"),
            {"match": match},
        ).scalar_one()
        rows = session.execute(
            text(
                f"SELECT a.id, bm25({SEARCH_TABLE}, 4.0, 1.0) AS rank, "
                f"snippet({SEARCH_TABLE}, 1, :mark_start, :mark_end, '…', 24) "
                f"FROM {SEARCH_TABLE} JOIN articles AS a ON a.rowid = {SEARCH_TABLE}.rowid "
                f"WHERE {SEARCH_TABLE} MATCH :match ORDER BY rank LIMIT :limit OFFSET :offset"
            ),
            {
                "match": match,
                "mark_start": MARK_START,
                "mark_end": MARK_END,
                "limit": limit,
                "offset": offset,
            },
        ).all()
        return [SearchHit(i, float(rank), snippet or "") for i, rank, snippet in rows], total
    condition = _like_all(terms)
    total = session.scalar(select(func.count()).select_from(ArticleRow).where(condition)) or 0
    rows = session.execute(
        select(ArticleRow.id, ArticleRow.text)
        .where(condition)
        .order_by(ArticleRow.date.desc(), ArticleRow.id)
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

