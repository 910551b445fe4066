"""Schema revisions: old stores upgrade to head keeping every row, on SQLite and PostgreSQL.

The old store is real: tests/fixtures/store_0001.sql is a store the Storyline of 24 November
2026 (revision 0001, before revisions were recorded) made by ingesting two articles.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, insert, inspect, select, text
from sqlalchemy.pool import StaticPool
from typer.testing import CliRunner

from storyline.api import Storyline
from storyline.cli import app
from storyline.store import Batch, SchemaError, Store
from storyline.store.migrate import (
    LAST_UNRECORDED,
    alembic_config,
    head_revision,
    is_modelled,
    schema_engine,
    schema_state,
    upgrade_schema,
)
from storyline.store.schema import Base
from storyline.store.search import ensure_search_index

OLD_STORE = Path(__file__).parent / "fixtures" / "store_0001.sql"
REVISIONS = ("0001", "0002", "0003", "0004")  # every revision a store without a record may be at


@cache
def old_rows() -> dict[str, list[dict[str, Any]]]:
    """Return every row of the old store, typed as its columns say (datetimes, booleans, bytes)."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    with engine.connect() as connection:
        connection.connection.executescript(OLD_STORE.read_text(encoding="utf-8"))
        metadata = MetaData()
        metadata.reflect(connection)
        rows = {
            name: [dict(row._mapping) for row in connection.execute(select(table))]
            for name, table in metadata.tables.items()
        }
    engine.dispose()
    return rows


def migrate_to(url: str, revision: str, *, down: bool = False) -> None:
    """Run the revisions on the store at `url` up (or `down`) to `revision`."""
    engine = schema_engine(url)
    with engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)
    engine.dispose()


def build_old_store(url: str, *, recorded: bool) -> None:
    """Make the old store at `url`: at revision 0001 with its rows, recording it or not.

    On SQLite without a record it is the old code's own DDL, replayed; otherwise revision 0001
    builds the tables and the old store's rows are copied in.
    """
    if url.startswith("sqlite") and not recorded:
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.executescript(OLD_STORE.read_text(encoding="utf-8"))
        return
    migrate_to(url, "0001")
    copy_rows(url, old_rows())
    if not recorded:
        forget_revision(url)


def copy_rows(url: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(insert(table), rows[table.name])
                serial = "id" in table.c and isinstance(rows[table.name][0]["id"], int)
                if engine.dialect.name == "postgresql" and serial:
                    # rows copied with their ids: move the id sequence past them, as inserts do
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT max(id) FROM {table.name}))"
                        )
                    )
    engine.dispose()


def forget_revision(url: str) -> None:
    """Drop `alembic_version`, as if the store were made before revisions were recorded."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


# Columns a revision renamed since the baseline: (table, name at the baseline) -> name now.
RENAMED = {("claims", "story_id"): "thread_id"}


def table_rows(url: str, tables) -> dict[str, list[tuple]]:
    """Return the rows of `tables` in the store at `url`, each table sorted.

    A table of the baseline gives the baseline's columns (a renamed one by its name now, if it
    has it), so that a column a later revision adds does not count as a change of old rows.
    """
    baseline = {name: list(rows[0]) for name, rows in old_rows().items() if rows}
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine, only=list(tables))
    with engine.connect() as connection:
        found = {}
        for name, table in metadata.tables.items():
            columns = [
                table.c.get(RENAMED.get((name, column), column), table.c.get(column))
                for column in baseline.get(name, table.c.keys())
            ]
            rows = connection.execute(select(*columns))
            found[name] = sorted((tuple(row) for row in rows), key=repr)
    engine.dispose()
    return found


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def model_differences(url: str) -> list:
    """Return what Alembic's autogenerate finds between the store at `url` and the models."""
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_server_default": True, "include_object": is_modelled}
        )
        found = compare_metadata(context, Base.metadata)
    engine.dispose()
    return found


def recorded_revision(url: str) -> str | None:
    return schema_state(url).recorded


# --- a new store ----------------------------------------------------------------------------


def test_a_new_store_is_created_at_head_with_exactly_the_models(db_url: str) -> None:
    Store(db_url).close()
    assert recorded_revision(db_url) == head_revision()
    assert model_differences(db_url) == []


def test_running_every_revision_gives_exactly_the_models(db_url: str) -> None:
    migrate_to(db_url, head_revision())
    assert model_differences(db_url) == []
    assert recorded_revision(db_url) == head_revision()


def test_revision_0001_builds_the_schema_the_old_code_made(tmp_path: Path) -> None:
    replayed, migrated = f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}"
    build_old_store(replayed, recorded=False)
    migrate_to(migrated, "0001")

    def schema(url: str) -> dict[str, tuple]:
        engine = create_engine(url)
        inspector = inspect(engine)
        found = {
            table: (
                [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns(table)],
                inspector.get_pk_constraint(table)["constrained_columns"],
                sorted((k["constrained_columns"], k["referred_table"]) for k in inspector.get_foreign_keys(table)),
                sorted((i["name"], i["column_names"], bool(i["unique"])) for i in inspector.get_indexes(table)),
            )
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
        engine.dispose()
        return found

    assert schema(migrated) == schema(replayed)


# --- old stores ------------------------------------------------------------------------------


def test_a_store_behind_head_is_refused_and_named_the_command_that_upgrades_it(db_url: str) -> None:
    build_old_store(db_url, recorded=True)
    with pytest.raises(SchemaError, match=r"revision 0001 \(Baseline\).*storyline db upgrade --db "):
        Store(db_url)
    assert recorded_revision(db_url) == "0001"  # refused, not touched


def test_a_store_at_the_baseline_upgrades_to_head_keeping_every_row(db_url: str) -> None:
    build_old_store(db_url, recorded=True)
    before = table_rows(db_url, old_rows())

    state = upgrade_schema(db_url)

    assert (state.recorded, state.head) == ("0001", head_revision())
    assert recorded_revision(db_url) == head_revision()
    assert table_rows(db_url, old_rows()) == before
    assert model_differences(db_url) == []
    store = Store(db_url)
    story = store.stories()[0]
    assert story.headline == "Stoltenberg: NATO will not put combat troops on Ukrainian soil"
    assert story.article_count == 2
    with Storyline(db_url) as storyline:
        assert len(storyline.statements(story=story.id)) == len(before["statements"]) == 20
    assert store.known_article_ids(["stoltenberg-no-combat-troops-ukraine.md", "unseen"]) == {
        "stoltenberg-no-combat-troops-ukraine.md"
    }
    store.close()


def test_a_desk_searched_store_still_finds_new_articles_after_an_upgrade(db_url: str) -> None:
    # The desk made its search index on the old store; revision 0005 alters `articles` (SQLite
    # copies the table, dropping the index's triggers): the index must be made whole again.
    build_old_store(db_url, recorded=True)
    engine = create_engine(db_url)
    ensure_search_index(engine)
    upgrade_schema(db_url)
    ensure_search_index(engine)
    engine.dispose()
    store = Store(db_url)
    [old] = store.load_articles_by_id(["stoltenberg-no-combat-troops-ukraine.md"])
    later = replace(old, id="a-later-report.md", title="Gdańsk harbour reopens", content_hash="later")
    store.save_batch(Batch(articles=[later]))
    store.close()
    with Storyline(db_url) as storyline:
        assert [hit.article.id for hit in storyline.search("Gdansk harbour")] == ["a-later-report.md"]
        assert "stoltenberg-no-combat-troops-ukraine.md" in {
            hit.article.id for hit in storyline.search("Stoltenberg combat troops")
        }


def test_a_store_made_before_revisions_were_recorded_is_recognised_and_upgraded(db_url: str) -> None:
    build_old_store(db_url, recorded=False)
    before = table_rows(db_url, old_rows())
    state = schema_state(db_url)
    assert (state.recorded, state.matched) == (None, "0001")
    with pytest.raises(SchemaError, match="made before schema revisions were recorded; its tables are those of revision 0001"):
        Store(db_url)

    assert upgrade_schema(db_url).matched == "0001"

    assert recorded_revision(db_url) == head_revision()
    assert table_rows(db_url, old_rows()) == before
    assert model_differences(db_url) == []


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_tables_of_a_store_without_a_record_tell_its_revision(tmp_path: Path, revision: str) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate_to(url, revision)
    forget_revision(url)
    assert schema_state(url).matched == revision
    upgrade_schema(url)
    assert model_differences(url) == []


def test_a_store_of_the_last_version_without_records_opens_if_that_is_head(db_url: str) -> None:
    migrate_to(db_url, LAST_UNRECORDED)
    forget_revision(db_url)
    if head_revision() == LAST_UNRECORDED:
        Store(db_url).close()
        assert recorded_revision(db_url) == head_revision()
    else:
        with pytest.raises(SchemaError, match="storyline db upgrade"):
            Store(db_url)


def test_upgrading_a_store_at_head_changes_nothing(db_url: str) -> None:
    build_old_store(db_url, recorded=False)
    upgrade_schema(db_url)
    once = table_rows(db_url, [*old_rows(), "alembic_version"])

    again = upgrade_schema(db_url)

    assert again.recorded == again.head == head_revision()
    assert table_rows(db_url, [*old_rows(), "alembic_version"]) == once
    assert model_differences(db_url) == []


def test_downgrading_to_the_baseline_and_upgrading_again_keeps_the_old_rows(db_url: str) -> None:
    build_old_store(db_url, recorded=True)
    before = table_rows(db_url, old_rows())
    upgrade_schema(db_url)

    migrate_to(db_url, "0001", down=True)
    assert schema_state(db_url).recorded == "0001"
    assert table_names(db_url) == {*before, "alembic_version"}  # the tables of 0001, no other
    upgrade_schema(db_url)

    assert table_rows(db_url, old_rows()) == before
    assert model_differences(db_url) == []


def test_a_store_from_a_newer_storyline_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    for attempt in (lambda: Store(url), lambda: upgrade_schema(url)):
        with pytest.raises(SchemaError, match="revision 0999, which this Storyline does not know"):
            attempt()


def test_tables_older_than_the_baseline_are_refused_saying_what_they_lack(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    build_old_store(url, recorded=False)
    with sqlite3.connect(tmp_path / "store.db") as connection:
        connection.execute("ALTER TABLE articles DROP COLUMN story_reason")  # as before acac1ed
    for attempt in (lambda: Store(url), lambda: upgrade_schema(url)):
        with pytest.raises(SchemaError, match="closest is 0001: no articles.story_reason"):
            attempt()


# --- several processes at once -------------------------------------------------------------


def _open_and_count(url: str, barrier, results) -> None:
    barrier.wait()
    try:
        store = Store(url)
        results.put(("ok", store.count_articles()))
        store.close()
    except Exception as error:  # reported to the test, which names it
        results.put(("failed", repr(error)))


def _upgrade(url: str, barrier, results) -> None:
    barrier.wait()
    try:
        results.put(("ok", upgrade_schema(url).revision))
    except Exception as error:
        results.put(("failed", repr(error)))


def _run_at_once(target, url: str, processes: int = 6) -> list[tuple[str, Any]]:
    """Start `processes` processes that run `target` on `url` at the same instant; return what each says."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=target, args=(url, barrier, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        return [results.get(timeout=120) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()


def test_several_processes_opening_one_new_store_at_once_all_open_it(db_url: str) -> None:
    outcomes = _run_at_once(_open_and_count, db_url)
    assert outcomes == [("ok", 0)] * 6
    assert table_rows(db_url, ["alembic_version"]) == {"alembic_version": [(head_revision(),)]}
    assert model_differences(db_url) == []


def test_several_processes_upgrading_one_old_store_at_once_upgrade_it_once(db_url: str) -> None:
    build_old_store(db_url, recorded=False)
    before = table_rows(db_url, old_rows())
    outcomes = _run_at_once(_upgrade, db_url)
    assert sorted(outcomes) == [("ok", "0001")] + [("ok", head_revision())] * 5
    assert table_rows(db_url, old_rows()) == before
    assert model_differences(db_url) == []


# --- the command -----------------------------------------------------------------------------


def test_the_db_commands_show_and_upgrade_an_old_store(db_url: str) -> None:
    build_old_store(db_url, recorded=False)
    runner = CliRunner()

    refused = runner.invoke(app, ["stories", "--db", db_url])
    assert refused.exit_code == 2
    assert "storyline db upgrade --db" in refused.output and "Traceback" not in refused.output

    current = runner.invoke(app, ["db", "current", "--db", db_url])
    assert current.exit_code == 0
    assert "store: 0001 (Baseline), told by its tables" in current.output
    assert f"head:  {head_revision()}" in current.output

    upgraded = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"Upgraded from 0001 (Baseline) to {head_revision()}" in upgraded.output
    assert runner.invoke(app, ["db", "upgrade", "--db", db_url]).output.startswith("Already at")

    listed = runner.invoke(app, ["stories", "--db", db_url])
    assert listed.exit_code == 0
    assert "s556522af47b" in listed.output  # the old store's story


def test_the_db_commands_say_in_one_line_when_the_store_cannot_be_reached() -> None:
    result = CliRunner().invoke(app, ["db", "upgrade", "--db", "nosuchdialect://x"])
    assert result.exit_code == 2
    assert result.output.startswith("Cannot use the store:") and "Traceback" not in result.output
