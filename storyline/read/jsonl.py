"""JSON lines: one article a line, with `id`, `title`, `text`, `date`, `source`, `url`, `lang`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source
from storyline.settings import Settings

_FIELDS = ("title", "text", "date", "source", "url", "lang")


class JsonLinesReader:
    """Streams `.jsonl` files line by line, so a file of any size reads in constant memory."""

    suffixes = (".jsonl", ".ndjson")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield one article per good line and one problem per bad line; the rest goes on."""
        any_line = False
        with source.path.open("rb") as handle:
            for line_no, raw in enumerate(handle, start=1):
                origin = f"{source.path}:{line_no}"
                if not raw.strip():
                    continue
                any_line = True
                if len(raw) > settings.max_file_bytes:
                    yield ReadProblem(origin, f"line is {len(raw) / 1e6:.0f} MB, over the limit")
                    continue
                yield parse_record(raw, origin, default_id=f"{source.relative}:{line_no}")
        if not any_line:
            yield ReadProblem(str(source.path), "empty file")


def parse_record(raw: bytes, origin: str, default_id: str) -> ReadResult:
    """Return the article in one JSON line, or why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return ReadProblem(origin, f"column {error.start + 1}: byte is not valid UTF-8")
    except json.JSONDecodeError as error:
        return ReadProblem(origin, f"broken JSON: {error.msg} at column {error.colno}")
    if not isinstance(record, dict):
        return ReadProblem(origin, f"expected a JSON object, found {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return ReadProblem(origin, "no `text` field")
    values = {name: _as_text(record.get(name)) for name in _FIELDS}
    article_id = _as_text(record.get("id")) or default_id
    return Article(
        id=article_id,
        title=values["title"] or "",
        text=text,
        origin=origin,
        source=values["source"],
        url=values["url"],
        date=values["date"],
        date_source="metadata" if values["date"] else None,
        lang=values["lang"],
    )


def _as_text(value: object) -> str | None:
    """Return a JSON value as a stripped string; None, "", "None" and "null" count as missing."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text in ("", "None", "null") else text
