"""A store's content as plain, ordered data, so two stores can be compared for equality.

Only what a run decides is kept: ids, texts, decisions, counts and derived records. Clock times
(`ingested_at`, event times) and auto-increment row ids are left out; they differ between any two
runs and say nothing about what the runs decided.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storyline.store import Store
from storyline.store.schema import Base

_CLOCK_AND_ROW_IDS = {"ingested_at", "created_at", "updated_at", "at", "fetched_at", "last_polled_at"}
_NOT_DECISIONS = {("meta", "version")}  # bumped once per batch written: counts transactions


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Return every table as a sorted list of rows, without clock times or surrogate row ids."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            primary = {c.name for c in table.primary_key.columns}
            surrogate = primary if primary == {"id"} and _autoincrement(table) else set()
            columns = [
                c for c in table.columns if c.name not in _CLOCK_AND_ROW_IDS | surrogate
            ]
            rows = []
            for row in connection.execute(select(*columns)):
                if table.name == "meta" and (table.name, row[0]) in _NOT_DECISIONS:
                    continue
                rows.append(tuple(row))
            tables[table.name] = sorted(rows, key=repr)
    return tables


def differences(left: dict, right: dict, limit: int = 5) -> list[str]:
    """Return a readable line per table whose rows differ, with a few rows only on each side."""
    lines = []
    for name in sorted(set(left) | set(right)):
        a, b = set(left.get(name, [])), set(right.get(name, []))
        if a != b:
            only_a = sorted(a - b, key=repr)[:limit]
            only_b = sorted(b - a, key=repr)[:limit]
            lines.append(
                f"{name}: {len(a - b)} rows only in the first, {len(b - a)} only in the second; "
                f"first: {_short(only_a)}; second: {_short(only_b)}"
            )
        elif left.get(name) != right.get(name):
            lines.append(f"{name}: same rows, different multiplicity")
    return lines


def _short(rows: list[tuple[Any, ...]]) -> str:
    return "; ".join(repr(row)[:240] for row in rows)


def _autoincrement(table) -> bool:
    column = table.columns["id"]
    return column.type.python_type is int


__all__ = ["differences", "snapshot"]
