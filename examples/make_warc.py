"""Rebuild examples/corpus/archive/captures.warc.gz from the pages kept in examples/warc_pages/.

The archive mimics a small crawl of one outlet: a warcinfo record, a robots.txt fetch, one request
record, one HTML response per page in warc_pages/ and a PNG logo that a reader must skip. Record
ids and dates are derived from the pages themselves, so running this again gives the same file
(warcio writes gzip members with a zero mtime).

    .venv/bin/python examples/make_warc.py
"""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
PAGES = HERE / "warc_pages"
OUTPUT = HERE / "corpus" / "archive" / "captures.warc.gz"
SITE = "https://www.southerncrossdaily.com.au"
CRAWL_START = "2022-01-06T00:30:00Z"
ROBOTS = (
    b"User-agent: *\nDisallow: /search\nDisallow: /account/\nSitemap: "
    + SITE.encode()
    + b"/sitemap.xml\n"
)
_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)"')
_PUBLISHED = re.compile(r'<meta property="article:published_time" content="([^"]+)"')


def record_id(uri: str, kind: str) -> str:
    """Return a WARC-Record-ID that depends only on the URI and record type."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, kind + ' ' + uri)}>"


def capture_date(page: str) -> str:
    """Return the WARC-Date of a page: three hours after its published time, in UTC."""
    published = datetime.fromisoformat(_PUBLISHED.search(page).group(1))
    return (published.astimezone(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def tiny_png() -> bytes:
    """Return a valid 2x2 grey PNG, built here so the archive needs no binary source file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80\x80" * 2, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def http_date(warc_date: str) -> str:
    """Return the HTTP Date header value for a WARC-Date."""
    moment = datetime.strptime(warc_date, "%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def write_response(writer: WARCWriter, uri: str, date: str, body: bytes, content_type: str) -> None:
    """Write one HTTP 200 response record."""
    headers = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Date", http_date(date)),
            ("Server", "nginx"),
            ("Content-Length", str(len(body))),
        ],
        protocol="HTTP/1.1",
    )
    record = writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": record_id(uri, "response")},
    )
    writer.write_record(record)


def write_request(writer: WARCWriter, uri: str, date: str) -> None:
    """Write the GET request record that a crawler keeps next to a response."""
    path = uri.removeprefix(SITE) or "/"
    headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [
            ("Host", "www.southerncrossdaily.com.au"),
            ("User-Agent", "storyline-example-crawler/0.1"),
            ("Accept", "text/html"),
        ],
        is_http_request=True,
    )
    record = writer.create_warc_record(
        uri,
        "request",
        payload=BytesIO(b""),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": record_id(uri, "request")},
    )
    writer.write_record(record)


def build(pages: Path = PAGES, output: Path = OUTPUT) -> int:
    """Write the archive and return the number of HTML responses in it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    sources = sorted(pages.glob("*.html"))
    with output.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        info = writer.create_warcinfo_record(
            output.name,
            {
                "software": "warcio (examples/make_warc.py)",
                "format": "WARC File Format 1.0",
                "description": "Example crawl of an invented outlet for Storyline",
            },
        )
        info.rec_headers.replace_header("WARC-Date", CRAWL_START)
        info.rec_headers.replace_header("WARC-Record-ID", record_id(output.name, "warcinfo"))
        writer.write_record(info)
        write_request(writer, SITE + "/robots.txt", CRAWL_START)
        write_response(
            writer, SITE + "/robots.txt", CRAWL_START, ROBOTS, "text/plain; charset=utf-8"
        )
        write_response(
            writer, SITE + "/static/img/logo-2x2.png", CRAWL_START, tiny_png(), "image/png"
        )
        for source in sources:
            page = source.read_text(encoding="utf-8")
            uri = _CANONICAL.search(page).group(1)
            write_response(
                writer, uri, capture_date(page), page.encode("utf-8"), "text/html; charset=utf-8"
            )
    return len(sources)


if __name__ == "__main__":
    count = build()
    print(f"wrote {count} HTML responses to {OUTPUT.relative_to(HERE.parent)}")
