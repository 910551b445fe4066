"""SQLAlchemy tables. Portable SQL only, so PostgreSQL can follow SQLite without touching a stage.

Text that comes from the input (ids, URLs, source names, language tags, cue phrases, terms) is
`Text`, of any length: PostgreSQL enforces a VARCHAR's length where SQLite does not, and a feed
item's id (`path#URL`) or a web page's `lang` would fail there alone. Lengths stay on values the
stages make themselves (hashes, dates, labels, story and entity ids).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of every Storyline table."""


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    source: Mapped[str | None] = mapped_column(Text, index=True)
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    date: Mapped[str | None] = mapped_column(String(32), index=True)
    date_source: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of: Mapped[str | None] = mapped_column(Text, index=True)
    story_id: Mapped[str | None] = mapped_column(ForeignKey("stories.id"), index=True)
    story_score: Mapped[float | None] = mapped_column(Float)
    story_reason: Mapped[str | None] = mapped_column(Text)  # JSON: why it joined its story
    ingested_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class ArticleEmbeddingRow(Base):
    """An article's sentence embedding, and the model that made it (vectors of two models differ)."""

    __tablename__ = "article_embeddings"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    model: Mapped[str] = mapped_column(Text)  # a name or a local path
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16, see storyline.embed.to_bytes


class RemovedLineRow(Base):
    __tablename__ = "removed_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))


class EntityRow(Base):
    """A person, organisation or place resolved across articles to one canonical name."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    aliases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of surface forms
    roles: Mapped[str] = mapped_column(Text, default="[]")  # JSON list ("press secretary")
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str | None] = mapped_column(Text)  # the resolver's record, JSON


class EntityMentionRow(Base):
    __tablename__ = "entity_mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(16))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)


class StatementRow(Base):
    """Who said what, when: one attributed statement, offsets into the article's clean text."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    story_id: Mapped[str | None] = mapped_column(String(64), index=True)
    speaker: Mapped[str | None] = mapped_column(Text)  # canonical name
    speaker_mention: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    cue: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    direct: Mapped[bool] = mapped_column(Boolean)
    said_on: Mapped[str | None] = mapped_column(String(32), index=True)
    said_on_source: Mapped[str | None] = mapped_column(String(32))


class QuantityRow(Base):
    """A number worth tracking, with what it counts and how approximate it is."""

    __tablename__ = "quantities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(Text)
    approximation: Mapped[str | None] = mapped_column(String(32))


class TimeExpressionRow(Base):
    __tablename__ = "time_expressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    mod: Mapped[str | None] = mapped_column(String(16))


class ClaimRow(Base):
    """A proposition one or more statements of a thread's stories make, with its verdicts (JSON)."""

    __tablename__ = "claims"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    thread_id: Mapped[str | None] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    first_date: Mapped[str | None] = mapped_column(String(32))
    verdicts: Mapped[str] = mapped_column(String(128), default="")  # "confirmed,repeated"
    statement_count: Mapped[int] = mapped_column(Integer, default=0)
    record: Mapped[str] = mapped_column(Text)


class StoryRow(Base):
    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    headline: Mapped[str] = mapped_column(Text, default="")
    first_date: Mapped[str | None] = mapped_column(String(32), index=True)
    last_date: Mapped[str | None] = mapped_column(String(32), index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    source_count: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[bytes | None] = mapped_column(LargeBinary)  # the clusterer's summary
    # the storyline the story's event belongs to: the id of its first story (None: its own)
    thread_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )


def story_thread() -> ColumnElement[str]:
    """Return a story's thread as SQL: stories stored before threads were recorded are each their own."""
    return func.coalesce(StoryRow.thread_id, StoryRow.id)


class StoryEventRow(Base):
    """The history of a story: created, merged, articles moved in or out, split."""

    __tablename__ = "story_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class TermFrequencyRow(Base):
    """In how many stored articles each term occurs: the clusterer's inverse document frequency."""

    __tablename__ = "term_frequencies"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
    articles: Mapped[int] = mapped_column(Integer, default=0)


class SourceLineRow(Base):
    """In how many articles of a source a short line occurs, to spot per-source boilerplate."""

    __tablename__ = "source_lines"

    source: Mapped[str] = mapped_column(Text, primary_key=True)
    line_key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha1 of the line key
    articles: Mapped[int] = mapped_column(Integer, default=0)


class LedgerRow(Base):
    """Every article id ever read, and what became of it, so no run counts or decides it twice.

    A row is written when the article's short lines are counted for per-source boilerplate
    (`outcome` still empty), and completed when the article is decided: "stored", "copy" (of
    `original`, identical once cleaned: not stored again) or "rejected" (no text after cleaning).
    """

    __tablename__ = "ledger"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    original: Mapped[str | None] = mapped_column(Text)


class ProblemRow(Base):
    """Input that could not be read: the quarantine list, so nothing is lost silently."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class MetaRow(Base):
    """Small named values the stages keep between runs (counts, format version)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


Index("ix_articles_story_date", ArticleRow.story_id, ArticleRow.date)
# The desk's filters: a mention's text (entity pages before entities are resolved), and
# (source, story) / (lang, story) for the story list filtered by outlet or language.
Index("ix_entity_mentions_text_label", EntityMentionRow.text, EntityMentionRow.label)
Index("ix_articles_source_story", ArticleRow.source, ArticleRow.story_id)
Index("ix_articles_lang_story", ArticleRow.lang, ArticleRow.story_id)


class FeedRow(Base):
    """A watched feed or sitemap and its fetch state: validators for the next conditional GET."""

    __tablename__ = "feeds"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status; None when none came
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed polls
    last_error: Mapped[str | None] = mapped_column(Text)


class FetchedPageRow(Base):
    """A page the watcher fetched and settled, so no watch fetches it again."""

    __tablename__ = "fetched_pages"

    canonical_url: Mapped[str] = mapped_column(Text, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    article_id: Mapped[str | None] = mapped_column(Text)  # None when it held no article
    feed_url: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[int | None] = mapped_column(Integer)  # HTTP status; None when not requested
    note: Mapped[str | None] = mapped_column(Text)  # why it holds no article
