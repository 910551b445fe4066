"""Export what the store holds as JSON lines or CSV, streamed record by record."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from storyline.store import Store
from storyline.store.schema import (
    ClaimRow,
    EntityMentionRow,
    EntityRow,
    StatementRow,
    TimeExpressionRow,
)

ARTICLE_FIELDS = ("id", "source", "url", "date", "date_source", "title", "lang", "story_id", "duplicate_of")
QUOTE_FIELDS = (
    "article_id", "story_id", "speaker", "speaker_mention", "entity_id", "cue", "content", "start",
    "end", "direct", "said_on", "said_on_source",
)
TIME_FIELDS = ("article_id", "text", "start", "end", "type", "value", "mod")
CSV_LIST_SEPARATOR = "|"


def _articles(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    for row in store.iter_articles():
        record = {name: getattr(row, name) for name in ARTICLE_FIELDS}
        if with_text:
            record["text"] = row.text
        yield record


def _stories(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    offset = 0
    while page := store.stories(limit=500, offset=offset):
        for story in page:
            yield {
                "id": story.id,
                "headline": story.headline,
                "first_date": story.first_date,
                "last_date": story.last_date,
                "article_count": story.article_count,
                "source_count": story.source_count,
                "thread_id": story.thread_id,
                "article_ids": [a.id for a in store.story_articles(story.id)],
            }
        offset += len(page)


def _quotes(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    order = (StatementRow.article_id, StatementRow.start)
    for row in store.iter_rows(StatementRow, order):
        yield {name: getattr(row, name) for name in QUOTE_FIELDS}


def _times(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    order = (TimeExpressionRow.article_id, TimeExpressionRow.start)
    for row in store.iter_rows(TimeExpressionRow, order):
        yield {name: getattr(row, name) for name in TIME_FIELDS}


def _entities(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    mentions: dict[str, list[dict[str, Any]]] = {}
    order = (EntityMentionRow.entity_id, EntityMentionRow.article_id, EntityMentionRow.start)
    for mention in store.iter_rows(EntityMentionRow, order):
        if mention.entity_id:
            mentions.setdefault(mention.entity_id, []).append(
                {"article_id": mention.article_id, "text": mention.text, "start": mention.start,
                 "end": mention.end}
            )
    for row in store.iter_rows(EntityRow, (EntityRow.type, EntityRow.name)):
        yield {
            "id": row.id,
            "name": row.name,
            "type": row.type,
            "aliases": json.loads(row.aliases),
            "roles": json.loads(row.roles),
            "mentions": mentions.get(row.id, []),
        }


def _claims(store: Store, with_text: bool) -> Iterator[dict[str, Any]]:
    for row in store.iter_rows(ClaimRow, (ClaimRow.thread_id, ClaimRow.first_date, ClaimRow.id)):
        record = json.loads(row.record)
        yield {
            "id": record["id"],
            "thread_id": record.get("thread_id", record.get("story_id")),
            "text": record["text"],
            "first_speaker": record["first"]["speaker"],
            "first_date": record["first"]["date"],
            "first_source": record["first"]["source"],
            "verdicts": [
                {"kind": v["kind"], "reason": v["reason"], "statements": v["statement_ids"]}
                for v in record["verdicts"]
            ],
            "outlets": record["outlets"],
            "statements": [
                {key: s[key] for key in ("statement_id", "article_id", "story_id", "speaker", "source", "date", "content")}
                for s in record["statements"]
            ],
        }


EXPORTS: dict[str, Callable[[Store, bool], Iterator[dict[str, Any]]]] = {
    "articles": _articles,
    "stories": _stories,
    "quotes": _quotes,
    "entities": _entities,
    "times": _times,
    "claims": _claims,
}


def export_records(store: Store, kind: str, with_text: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one plain record per article, story, quote, entity, time expression or claim."""
    if kind not in EXPORTS:
        raise ValueError(f"nothing to export as {kind!r}; choose one of {', '.join(EXPORTS)}")
    return EXPORTS[kind](store, with_text)


def write_records(records: Iterable[dict[str, Any]], handle: TextIO, fmt: str) -> int:
    """Write records as JSON lines or CSV (lists joined with `|`); return how many were written."""
    count = 0
    writer: csv.DictWriter | None = None
    for record in records:
        if fmt == "jsonl":
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(record))
                writer.writeheader()
            writer.writerow({key: _csv_value(value) for key, value in record.items()})
        count += 1
    return count


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(
            json.dumps(item, ensure_ascii=False) if isinstance(item, dict) else str(item)
            for item in value
        )
    return value
