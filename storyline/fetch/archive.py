"""Raw responses kept as gzip WARC files, so any fetched article can be extracted again later.

`storyline ingest DIR` reads them back (storyline.read.warc). Bodies are stored as the client
received them after undoing any Content-Encoding (gzip, brotli): the record's HTTP headers say
so, with that header dropped and Content-Length set to the stored length.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import make_url
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.fetch import FetchResult

DEFAULT_FOLDER_NAME = "storyline-warc"
_DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def default_archive_folder(db_url: str) -> Path:
    """Return the WARC folder beside a SQLite store's file, or `./storyline-warc` for any other."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / DEFAULT_FOLDER_NAME
    return Path.cwd() / DEFAULT_FOLDER_NAME


class WarcArchive:
    """Appends response records to a WARC file, created by the first write after `close`.

    Each record is flushed as it is written, so a watch that is stopped loses at most the record
    it was writing (which `storyline ingest` then reports as truncated).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handle: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self.paths: list[Path] = []  # every file written, oldest first

    def write(self, result: FetchResult) -> None:
        """Add the response in `result` (one with a body) as a WARC response record."""
        writer = self._writer or self._open()
        phrase = _phrase(result.status or 200)
        headers = [(k, v) for k, v in result.headers if k.lower() not in _DROPPED_HEADERS]
        headers.append(("Content-Length", str(len(result.body))))
        record = writer.create_warc_record(
            result.final_url,
            "response",
            payload=io.BytesIO(result.body),
            warc_headers_dict={"WARC-Date": _warc_date(result.fetched_at)},
            http_headers=StatusAndHeaders(f"{result.status} {phrase}", headers, protocol="HTTP/1.1"),
        )
        writer.write_record(record)
        writer.out.flush()

    def close(self) -> None:
        """Close the current file; the next write starts a new one."""
        if self._handle is not None:
            self._handle.close()
        self._handle, self._writer = None, None

    def _open(self) -> WARCWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"storyline-watch-{stamp}-{os.getpid()}.warc.gz"
        self._handle = path.open("xb")
        self._writer = WARCWriter(self._handle, gzip=True)
        self._writer.write_record(
            self._writer.create_warcinfo_record(
                path.name, {"software": "storyline watch", "format": "WARC File Format 1.1"}
            )
        )
        self.paths.append(path)
        return self._writer


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
