"""WARC web archives, read with warcio: each HTML response goes through the HTML path."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source
from storyline.read.html import article_from_html
from storyline.settings import Settings

_NO_LENGTH = "its headers have no type or no length, so no record after it can be found"
_CUT_IN_HEADERS = "the file ends inside its headers"
_TRUNCATED = "record is truncated (the file ends inside it)"
_BAD_GZIP = "its gzip member is damaged or cut short"


class WarcReader:
    """Streams `.warc` and `.warc.gz` files record by record."""

    suffixes = (".warc", ".warc.gz", ".arc", ".arc.gz")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the article of each HTML response; other records are passed over.

        The records before a damaged one are kept; the damaged one ends the file with a problem.
        An archive without HTML responses is a problem too, so that no file goes unmentioned.
        """
        if source.path.stat().st_size == 0:
            yield ReadProblem(str(source.path), "empty file")
            return
        records = results = 0
        with source.path.open("rb") as handle:
            try:
                for records, record, payload in whole_records(handle, settings.max_file_bytes):
                    result = _record_result(record, payload, records, source, settings)
                    if result is not None:
                        results += 1
                        yield result
            except BrokenArchive as broken:
                yield ReadProblem(str(source.path), str(broken))
                return
        if records == 0:
            yield ReadProblem(str(source.path), "no WARC records found")
        elif results == 0:
            yield ReadProblem(str(source.path), f"no HTML responses among its {records} records")


class BrokenArchive(Exception):
    """Raised when an archive cannot be read on from one record; the message says why."""

    def __init__(self, number: int, detail: str) -> None:
        super().__init__(f"broken WARC: record {number} cannot be read (is the file cut short?): {detail}")


def whole_records(handle: BinaryIO, limit: int) -> Iterator[tuple[int, ArcWarcRecord, bytes | None]]:
    """Yield each record with its number and, for an HTML response, its body (`html_payload`).

    Raises `BrokenArchive` at the first record warcio cannot parse, whose headers declare no
    type or length, whose gzip member does not decompress whole, or that the file ends inside
    the headers of (warcio passes over those two without a word).
    """
    records = ArchiveIterator(handle)
    end = 0  # where the last record ends
    for number in count(1):
        try:
            record = next(records, None)
            if record is not None:
                payload = html_payload(record, limit)
                end = records.get_record_offset() + records.get_record_length()
        except Exception as error:  # warcio raises many types on a damaged archive
            raise BrokenArchive(number, _describe(error)) from error
        if record is None:
            if _text_after(handle, end):
                raise BrokenArchive(number, _CUT_IN_HEADERS)
            return
        if not record.rec_type or not _declared_length(record).isdigit():
            raise BrokenArchive(number, _NO_LENGTH)
        if not getattr(records.reader.decompressor, "eof", True):
            # warcio stops silently, a message on stderr, where a gzip member does not decompress
            raise BrokenArchive(number, _BAD_GZIP)
        yield number, record, payload


def html_payload(record: ArcWarcRecord, limit: int) -> bytes | None:
    """Return the body of an HTML response, at most `limit` + 1 bytes; None for other records."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None
    return record.content_stream().read(limit + 1)


def _record_result(
    record: ArcWarcRecord, payload: bytes | None, number: int, source: Source, settings: Settings
) -> ReadResult | None:
    """Return the article of one HTML response, why it has none, or None for other records."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or f"record {number}"
    origin = f"{source.path}#{uri}"
    if getattr(record.raw_stream, "limit", 0) > 0:
        return ReadProblem(origin, _TRUNCATED)
    if payload is None:
        return None
    if len(payload) > settings.max_file_bytes:
        return ReadProblem(origin, "response is over the size limit")
    result = article_from_html(payload, article_id=f"{source.relative}#{uri}", origin=origin, url=uri)
    if isinstance(result, Article) and result.date is None:
        captured = record.rec_headers.get_header("WARC-Date") or ""
        result.date, result.date_source = captured[:10] or None, "capture"
    return result


def _declared_length(record: ArcWarcRecord) -> str:
    """Return the length a record's headers declare, as written ("" when they declare none)."""
    name = "length" if record.format == "arc" else "Content-Length"
    return (record.rec_headers.get_header(name) or "").strip()


def _text_after(handle: BinaryIO, offset: int) -> bool:
    """Return whether anything but blank lines follows `offset` in the file."""
    handle.seek(offset)
    while chunk := handle.read(1 << 16):
        if chunk.strip():
            return True
    return False


def _describe(error: Exception, limit: int = 100) -> str:
    """Return what a warcio error says about the record it stopped at, in at most `limit`
    printable characters (its messages quote the bytes they stopped at)."""
    if not isinstance(error, ArchiveLoadFailed):
        return f"its headers or body are incomplete or malformed ({type(error).__name__})"
    words = " ".join(str(error).split())
    return words.encode("ascii", "backslashreplace").decode()[:limit]
