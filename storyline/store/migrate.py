"""Schema revisions of the store (Alembic): which one a store is at, and bringing it to head.

The revisions live in `migrations/versions/`, one per schema change, 0001 being the store as
Storyline made it on 24 November 2026. A store records its revision in `alembic_version`. Stores
made before revisions were recorded have none: their tables and columns tell which of
0001..`LAST_UNRECORDED` they are at, and `upgrade_schema` records it before upgrading.

Every change of schema (creating a store, recording its revision, upgrading it) happens under a
lock, so processes that open one new or old store at once take turns: a PostgreSQL advisory lock
held for the transaction (PostgreSQL's DDL is transactional: a failed upgrade leaves the store as
it was), and SQLite's write lock taken up front with BEGIN IMMEDIATE, retried while another
writer holds it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, StaticPool

from storyline.store.schema import Base
from storyline.store.search import SEARCH_TABLE

MIGRATIONS = Path(__file__).with_name("migrations")
LAST_UNRECORDED = "0004"  # the newest schema a store can have without a recorded revision
_PG_LOCK = int.from_bytes(b"STORYLIN", "big")  # the advisory lock's key, one per database
_SQLITE_LOCK_SECONDS = 120.0  # how long to wait for another SQLite writer before giving up


class SchemaError(RuntimeError):
    """The store's schema is not the one this Storyline needs; the message says what to do."""


@dataclass(frozen=True)
class SchemaState:
    """Where a store's schema stands against this Storyline's revisions."""

    recorded: str | None  # the revision the store records, None if it records none
    matched: str | None  # without a recorded one: the revision its tables match, if any
    empty: bool  # no Storyline table at all: a new store
    head: str  # the revision this Storyline needs
    mismatch: str = ""  # when tables match no revision: how they differ from the closest one

    @property
    def revision(self) -> str | None:
        """Return the store's revision, recorded or told by its tables (None if neither)."""
        return self.recorded or self.matched


def is_modelled(_object, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic's `include_object`: compare the models' tables, not the full-text index's.

    The search index (`storyline.store.search`: SQLite's FTS5 table and its shadow tables,
    PostgreSQL's `article_search` table) is derived from `articles` and kept outside the models,
    so autogenerate must neither drop it nor count it as a difference.
    """
    derived = type_ == "table" and reflected and compare_to is None
    return not (derived and (name or "").startswith(SEARCH_TABLE))


def head_revision() -> str:
    """Return the revision this Storyline's models are at."""
    return _scripts().get_current_head()


def describe(revision: str | None) -> str:
    """Return a revision and the title of its description: "0003 (Watched feeds and fetched pages)"."""
    if revision is None:
        return "none"
    if revision not in _known():
        return f"{revision} (unknown to this Storyline)"
    return f"{revision} ({_scripts().get_revision(revision).doc.split(':')[0]})"


def prepare_schema(engine: Engine) -> None:
    """Make the store behind `engine` ready for this Storyline, or raise SchemaError saying why.

    A new (empty) database gets every table and is recorded at head; a store made before
    revisions were recorded whose tables are head's is recorded at head. A store behind head is
    refused, not upgraded: see `storyline.store.Store`. Costs one read of `alembic_version` when
    the store is at head; otherwise the lock is taken and the store read again under it.
    """
    with engine.connect() as connection:
        state = read_state(connection)
    if state.recorded == state.head:
        return
    # Anything else is decided under the lock: read without it, a store another process is
    # creating at this moment can show its tables before their record.
    with schema_lock(engine) as connection:
        state = read_state(connection)  # another process may have prepared it meanwhile
        if state.recorded == state.head:
            return
        if state.empty:
            _create(connection)
        elif state.recorded is None and state.matched == state.head:
            _stamp(connection, state.head)
        else:
            refuse(state, engine.url)


def upgrade_schema(url: str) -> SchemaState:
    """Bring the store at `url` to head, recording its revision first if it had none.

    Return the state it was in. Creates a new store when the database is empty. Holds the schema
    lock throughout; on PostgreSQL it all happens in one transaction. Raises SchemaError when the
    store is ahead of this Storyline or its tables match no revision.
    """
    engine = schema_engine(url)
    try:
        with schema_lock(engine) as connection:
            state = read_state(connection)
            if state.empty:
                _create(connection)
                return state
            if state.recorded not in (None, *_known()) or state.revision is None:
                refuse(state, engine.url)
            if state.recorded is None:
                _stamp(connection, state.matched)
            command.upgrade(alembic_config(connection), "head")
            return state
    finally:
        engine.dispose()


def schema_state(url: str) -> SchemaState:
    """Return where the store at `url` stands (a read: nothing is written or locked)."""
    engine = schema_engine(url)
    try:
        with engine.connect() as connection:
            return read_state(connection)
    finally:
        engine.dispose()


def read_state(connection: Connection) -> SchemaState:
    """Return where the store behind `connection` stands; tables are compared only when needed."""
    heads = MigrationContext.configure(connection).get_current_heads()
    recorded = ",".join(heads) or None
    tables = {} if recorded else _tables(connection)
    matched = _match(tables) if tables else None
    return SchemaState(
        recorded=recorded,
        matched=matched,
        empty=recorded is None and not tables,
        head=head_revision(),
        mismatch=_difference(tables) if tables and matched is None else "",
    )


def refuse(state: SchemaState, url: str | URL) -> None:
    """Raise the SchemaError that says why a store in `state` cannot be used, and what to do."""
    shown = make_url(url).render_as_string(hide_password=True)
    if state.recorded is not None and state.recorded not in _known():
        raise SchemaError(
            f"The store at {shown} is at schema revision {state.recorded}, which this Storyline "
            "does not know: a newer Storyline wrote it. Upgrade Storyline to open it."
        )
    if state.revision is None:
        raise SchemaError(
            f"The store at {shown} has Storyline tables but records no schema revision, and they "
            f"match none this Storyline can upgrade ({state.mismatch}). Ingest into a new store."
        )
    at = (
        f"is at schema revision {describe(state.recorded)}"
        if state.recorded
        else "was made before schema revisions were recorded; its tables are those of revision "
        + describe(state.matched)
    )
    raise SchemaError(
        f"The store at {shown} {at}. This Storyline needs {describe(state.head)}. "
        f"Back the store up, then run: storyline db upgrade --db {shown}"
    )


def schema_engine(url: str) -> Engine:
    """Return an engine for changing the schema: no pool, SQLite's foreign keys off.

    SQLite's batch mode copies a table and drops the old one, which enforced foreign keys would
    refuse; the copy keeps every row, so nothing is lost by not checking them meanwhile.
    """
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _foreign_keys_off)
    return engine


@contextmanager
def schema_lock(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that holds the store's schema lock; commit on exit.

    PostgreSQL: `pg_advisory_xact_lock`, released with the transaction. SQLite: BEGIN IMMEDIATE,
    retried for up to two minutes while another connection writes. Other databases: a plain
    transaction (no lock).
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        elif engine.dialect.name == "sqlite":
            _begin_immediate(connection)
        yield connection
        connection.commit()


def _begin_immediate(connection: Connection) -> None:
    deadline = time.monotonic() + _SQLITE_LOCK_SECONDS
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # waits the driver's busy timeout
            return
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            if time.monotonic() > deadline:
                raise SchemaError(
                    f"The store at {connection.engine.url} stayed locked by another writer for "
                    f"{_SQLITE_LOCK_SECONDS:.0f} s; try again when it is done."
                ) from error


def _create(connection: Connection) -> None:
    """Create every table of the models and record the store at head (the Alembic cookbook's way:
    the same schema as running every revision, which tests/test_migrations.py checks)."""
    Base.metadata.create_all(connection)
    _stamp(connection, head_revision())


def _stamp(connection: Connection, revision: str) -> None:
    MigrationContext.configure(connection).stamp(_scripts(), revision)


def alembic_config(connection: Connection | None) -> Config:
    """Return the Alembic configuration of Storyline's revisions, to run them over `connection`.

    For `alembic.command` calls (`command.downgrade(alembic_config(connection), "0003")`); the
    caller holds the lock and the transaction (see `schema_lock`).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(None))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _tables(connection: Connection) -> dict[str, frozenset[str]]:
    """Return the column names of each Storyline table in the store (other tables are ignored)."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    if not present & set(Base.metadata.tables):
        return {}  # a new store: no need to build the fingerprints
    known = set(Base.metadata.tables).union(*map(set, _fingerprints().values()))
    return {
        table: frozenset(column["name"] for column in inspector.get_columns(table))
        for table in sorted(present & known)
    }


def _match(tables: dict[str, frozenset[str]]) -> str | None:
    """Return the newest unrecorded revision with exactly these tables, each with its columns.

    Extra columns are allowed (a derived one a search index adds); a missing one is not.
    """
    for revision, expected in reversed(_fingerprints().items()):
        if expected.keys() == tables.keys() and all(expected[t] <= tables[t] for t in expected):
            return revision
    return None


def _difference(tables: dict[str, frozenset[str]]) -> str:
    """Say how `tables` differ from the unrecorded revision they are closest to."""

    def gaps(expected: dict[str, frozenset[str]]) -> list[str]:
        missing = [t for t in expected if t not in tables]
        missing += [f"{t}.{c}" for t in expected if t in tables for c in sorted(expected[t] - tables[t])]
        return [f"no {name}" for name in missing] + [f"extra {t}" for t in tables if t not in expected]

    revision, expected = min(_fingerprints().items(), key=lambda item: len(gaps(item[1])))
    return f"closest is {revision}: " + ", ".join(gaps(expected))


@lru_cache(maxsize=1)
def _fingerprints() -> dict[str, dict[str, frozenset[str]]]:
    """Return the tables and columns of each revision up to LAST_UNRECORDED, oldest first.

    Built by running the revisions on an in-memory SQLite database (tens of milliseconds), so
    they are the revisions' own truth. Only stores that record no revision need them.
    """
    order = [s.revision for s in _scripts().walk_revisions("base", LAST_UNRECORDED)][::-1]
    engine = create_engine("sqlite://", poolclass=StaticPool)
    prints: dict[str, dict[str, frozenset[str]]] = {}
    with engine.connect() as connection:
        for revision in order:
            command.upgrade(alembic_config(connection), revision)
            inspector = inspect(connection)
            prints[revision] = {
                table: frozenset(column["name"] for column in inspector.get_columns(table))
                for table in inspector.get_table_names()
                if table != "alembic_version"
            }
    engine.dispose()
    return prints


def _foreign_keys_off(connection, _record) -> None:
    connection.execute("PRAGMA foreign_keys=OFF")


__all__ = [
    "LAST_UNRECORDED",
    "alembic_config",
    "SchemaError",
    "SchemaState",
    "describe",
    "is_modelled",
    "head_revision",
    "prepare_schema",
    "read_state",
    "schema_engine",
    "schema_lock",
    "schema_state",
    "upgrade_schema",
]
