"""WARC web archives, read with warcio: each HTML response goes through the HTML path."""

from __future__ import annotations

from collections.abc import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.model import Article, ReadProblem
from storyline.read.base import ReadResult, Source
from storyline.read.html import article_from_html
from storyline.settings import Settings


class WarcReader:
    """Streams `.warc` and `.warc.gz` files record by record."""

    suffixes = (".warc", ".warc.gz", ".arc", ".arc.gz")

    def read(self, source: Source, settings: Settings) -> Iterator[ReadResult]:
        """Yield the article of each HTML response; other records are passed over."""
        if source.path.stat().st_size == 0:
            yield ReadProblem(str(source.path), "empty file")
            return
        records = 0
        with source.path.open("rb") as handle:
            try:
                for number, record in enumerate(ArchiveIterator(handle), start=1):
                    records = number
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    uri = record.rec_headers.get_header("WARC-Target-URI") or f"record {number}"
                    origin = f"{source.path}#{uri}"
                    content_type = record.http_headers.get_header("Content-Type") or ""
                    if "html" not in content_type.lower():
                        continue
                    payload = record.content_stream().read(settings.max_file_bytes + 1)
                    if len(payload) > settings.max_file_bytes:
                        yield ReadProblem(origin, "response is over the size limit")
                        continue
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        yield ReadProblem(origin, "record is truncated (the file ends inside it)")
                        continue
                    result = article_from_html(
                        payload, article_id=f"{source.relative}#{uri}", origin=origin, url=uri
                    )
                    if isinstance(result, Article) and result.date is None:
                        captured = record.rec_headers.get_header("WARC-Date") or ""
                        result.date, result.date_source = captured[:10] or None, "capture"
                    yield result
            except (ArchiveLoadFailed, OSError, EOFError) as error:
                yield ReadProblem(str(source.path), f"broken WARC: {error}")
                return
        if records == 0:
            yield ReadProblem(str(source.path), "no WARC records found")
