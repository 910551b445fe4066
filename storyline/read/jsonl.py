"""JSON lines: one article a line, with `id`, `title`, `text`, `date`, `source`, `url`, `lang`."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import BinaryIO

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source, describe_size
from storyline.settings import Settings

_FIELDS = ("title", "text", "date", "source", "url", "lang")
_SKIP_CHUNK = 1 << 20  # an over-long line is passed over this many bytes at a time
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonLinesReader:
    """Streams `.jsonl` files line by line, so a file of any size reads in constant memory."""

    suffixes = (".jsonl", ".ndjson")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield one article per good line and one problem per bad line; the rest goes on."""
        limit = settings.max_file_bytes
        any_line = False
        with source.path.open("rb") as handle:
            for line_no, (raw, size) in enumerate(bounded_lines(handle, limit), start=1):
                origin = f"{source.path}:{line_no}"
                if size > limit:
                    any_line = True
                    yield ReadProblem(
                        origin, f"line is {describe_size(size)}, over the {describe_size(limit)} limit"
                    )
                    continue
                if not raw.strip():
                    continue
                any_line = True
                yield parse_record(raw, origin, default_id=f"{source.relative}:{line_no}")
        if not any_line:
            yield ReadProblem(str(source.path), "empty file")


def bounded_lines(handle: BinaryIO, limit: int) -> Iterator[tuple[bytes, int]]:
    """Yield each line with its size; a line over `limit` bytes is cut there and the rest of it
    skipped a piece at a time, so memory stays bounded however long a line is."""
    while raw := handle.readline(limit + 1):
        size = len(raw)
        if size > limit and not raw.endswith(b"\n"):
            while rest := handle.readline(_SKIP_CHUNK):
                size += len(rest)
                if rest.endswith(b"\n"):
                    break
        yield raw, size


def parse_record(raw: bytes, origin: str, default_id: str) -> ReadResult:
    """Return the article in one JSON line, or why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return ReadProblem(origin, f"column {error.start + 1}: byte is not valid UTF-8")
    except json.JSONDecodeError as error:
        return ReadProblem(origin, f"broken JSON: {error.msg} at column {error.colno}")
    except RecursionError:
        return ReadProblem(origin, "broken JSON: arrays or objects nested too deeply")
    except ValueError:  # the only other: int() refuses numbers past Python's digit limit
        digits = sys.get_int_max_str_digits()
        return ReadProblem(origin, f"broken JSON: a number has too many digits (over {digits})")
    if not isinstance(record, dict):
        return ReadProblem(origin, f"expected a JSON object, found {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return ReadProblem(origin, "no `text` field")
    values = {name: _as_text(record.get(name)) for name in _FIELDS}
    article_id = _as_text(record.get("id")) or default_id
    for name, value in {**values, "text": text, "id": article_id}.items():
        if value and (surrogate := _SURROGATE.search(value)):
            return ReadProblem(
                origin,
                f"`{name}` is not valid Unicode: \\u{ord(surrogate.group()):04x} is half of a "
                "surrogate pair",
            )
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
