"""Export stored articles and stories as JSON lines or CSV, streamed record by record."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from storyline.store import Store

ARTICLE_FIELDS = ("id", "source", "url", "date", "title", "lang", "story_id", "duplicate_of")
CSV_LIST_SEPARATOR = "|"


def export_records(store: Store, kind: str, with_text: bool = False) -> Iterator[dict[str, Any]]:
    """Yield one plain record per article or per story."""
    if kind == "articles":
        for row in store.iter_articles():
            record = {name: getattr(row, name) for name in ARTICLE_FIELDS}
            record["date_source"] = row.date_source
            if with_text:
                record["text"] = row.text
            yield record
    elif kind == "stories":
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
                    "article_ids": [a.id for a in store.story_articles(story.id)],
                }
            offset += len(page)
    else:
        raise ValueError(f"nothing to export as {kind!r}")


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
            writer.writerow(
                {
                    key: CSV_LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else value
                    for key, value in record.items()
                }
            )
        count += 1
    return count
