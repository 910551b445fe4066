"""The fault suite for input: every reader and the cleaner, fed generated bad input.

Each reader gets a valid file of its format, built here from sentences written for this suite,
broken the ways real files break: cut at a random byte, bytes that are not UTF-8, UTF-16 without
a byte-order mark, Latin-1, control characters, NUL bytes, a giant line, random bytes, an empty
file. Whatever it gets, `read_paths` must not raise; every problem must name the file (and the
line or entry where the format has them) with a reason; every article must have text, in valid
Unicode; and no record that survived the damage may vanish without an article or a problem.

The cleaner gets generated articles (news lines, boilerplate, machine-translation debris,
control characters, odd line breaks and spaces) and must not raise, must leave no control
character but the newline, and must account for every line: each non-empty line of the
normalised text is either removed whole (recorded with its line number) or kept, less the
trailing fragments and debris words it recorded.

Every case is counted in `tests.fault_counts`; runs are deterministic (`derandomize`).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.clean import clean_article
from storyline.clean.normalize import normalize_line_key, normalize_text
from storyline.clean.rules import MT_SENTENCE_DEBRIS
from storyline.model import Article, ReadProblem
from storyline.read import read_paths
from storyline.settings import Settings
from tests.fault_counts import record

READ_LIMIT = 64 * 1024  # small, so that a giant line crosses it without using much memory
READ_SETTINGS = Settings(db_url="sqlite://", max_file_bytes=READ_LIMIT)
FAULT_SETTINGS = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the seed corpus: three short reports from an invented harbour town -------------------


@dataclass(frozen=True)
class Report:
    """One invented news report."""

    slug: str
    title: str
    day: str
    paragraphs: tuple[str, ...]

    @property
    def url(self) -> str:
        """Return the report's address on the invented outlet's site."""
        return f"https://valmora-gazette.example/news/{self.slug}"


OUTLET = "Valmora Gazette"
REPORTS = (
    Report(
        "ferry-pier-closed",
        "Valmora shuts its old ferry pier after divers find cracked piles",
        "2023-05-02",
        (
            "The harbour board of Valmora voted on Tuesday to close the town's old ferry pier, "
            "after divers found cracks running through two of the oak piles that carry its deck.",
            '"We will not ask passengers to walk over a structure we would not let a delivery van '
            'drive on," said harbour engineer Tomás Reyl, who led the inspection.',
            "From Monday the ferries to Isle Brenna will berth at the cargo quay, which adds about "
            "ten minutes to each crossing and moves the ticket office into a portable cabin.",
            "Café owners along the promenade said the closure could not have come at a worse "
            "time, three weeks before the summer timetable begins.",
        ),
    ),
    Report(
        "brenna-fares-rise",
        "Brenna ferry fares to rise by a fifth from June",
        "2023-05-09",
        (
            "The operator of the Isle Brenna ferry will raise single fares from 4.50 to 5.40 euros "
            "on 1 June, blaming the price of fuel and a new agreement with its crews.",
            "Islanders who commute to Valmora every day keep their monthly pass at the old price "
            "until the end of the year, the operator's spokeswoman Inès Gårdh said.",
        ),
    ),
    Report(
        "library-reopens",
        "Valmora library reopens after a winter of roof repairs",
        "2023-05-13",
        (
            "The town library reopened on Saturday after five months of repairs to its leaking "
            "roof, with a queue of children at the doors before nine o'clock.",
            "Librarian Paulo Esteves said volunteers had dried, sorted and shelved about two "
            "thousand books over the winter, and that only forty were beyond saving.",
        ),
    ),
)
PIER = REPORTS[0]


@dataclass(frozen=True)
class Seed:
    """A valid file of one format, and what names each of its records in a problem's origin.

    `records` pairs each record's bytes in the file with the end of the origin that names it
    (`:3` for a JSON line, the link for a feed entry, `#uri` for a WARC record); a file of one
    article has none. `origin_tail` is the pattern every origin has after the file's path.
    """

    suffix: str
    data: bytes
    records: tuple[tuple[bytes, str], ...]
    origin_tail: str


def _page(report: Report) -> str:
    """Return an article page as outlets publish it: navigation and footer around the text."""
    body = "".join(f"<p>{escape(p)}</p>\n" for p in report.paragraphs)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)} | {OUTLET}</title>"
        f'<meta property="og:site_name" content="{OUTLET}">'
        f'<meta property="article:published_time" content="{report.day}T08:00:00Z">'
        f'<link rel="canonical" href="{report.url}"></head><body>\n'
        '<nav><a href="/">Home</a> <a href="/harbour">Harbour</a> <a href="/sport">Sport</a></nav>\n'
        f"<article><h1>{escape(report.title)}</h1>\n{body}</article>\n"
        f"<footer>© 2023 {OUTLET}. All rights reserved.</footer></body></html>\n"
    )


def _text_seed() -> Seed:
    text = PIER.title + "\n\n" + "\n\n".join(PIER.paragraphs) + "\n"
    return Seed(".txt", text.encode(), (), "")


def _jsonl_seed() -> Seed:
    lines = [
        json.dumps(
            {"id": r.slug, "title": r.title, "text": "\n".join(r.paragraphs), "date": r.day,
             "source": OUTLET, "url": r.url},
            ensure_ascii=False,
        ).encode() + b"\n"
        for r in REPORTS
    ]
    names = [f":{n}" for n in range(1, len(lines) + 1)]
    return Seed(".jsonl", b"".join(lines), tuple(zip(lines, names, strict=True)), r"(:\d+)?")


def _html_seed() -> Seed:
    return Seed(".html", _page(PIER).encode(), (), "")


def _rss_seed() -> Seed:
    items = [
        (
            f"<item><title>{escape(r.title)}</title><link>{r.url}</link>"
            f"<pubDate>{_rfc822(r.day)}</pubDate><description>"
            + escape("".join(f"<p>{escape(p)}</p>" for p in r.paragraphs))
            + "</description></item>\n"
        ).encode()
        for r in REPORTS
    ]
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{OUTLET}</title><link>https://valmora-gazette.example/</link>\n"
    ).encode()
    data = head + b"".join(items) + b"</channel></rss>\n"
    return Seed(".rss", data, tuple(zip(items, (r.url for r in REPORTS), strict=True)), _FEED_TAIL)


def _atom_seed() -> Seed:
    entries = [
        (
            f'<entry><title>{escape(r.title)}</title><link href="{r.url}"/>'
            f"<id>{r.url}</id><updated>{r.day}T08:00:00Z</updated>"
            '<content type="html">'
            + escape("".join(f"<p>{escape(p)}</p>" for p in r.paragraphs))
            + "</content></entry>\n"
        ).encode()
        for r in REPORTS
    ]
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{OUTLET}</title><id>https://valmora-gazette.example/</id>"
        "<updated>2023-05-13T08:00:00Z</updated>\n"
    ).encode()
    data = head + b"".join(entries) + b"</feed>\n"
    return Seed(".atom", data, tuple(zip(entries, (r.url for r in REPORTS), strict=True)), _FEED_TAIL)


def _warc_seed(compressed: bool) -> Seed:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compressed)
    robots = ("https://valmora-gazette.example/robots.txt", "text/plain", b"User-agent: *\n", "")
    pages = [(r.url, "text/html; charset=utf-8", _page(r).encode(), r.day) for r in REPORTS]
    records = []
    for number, (uri, content_type, body, day) in enumerate([robots, *pages], start=1):
        start = buffer.tell()
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        warc_headers = {  # fixed, so that the seed is the same file on every run
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>",
            "WARC-Date": f"{day or '2023-05-01'}T09:00:00Z",
        }
        writer.write_record(
            writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=headers, warc_headers_dict=warc_headers,
            )
        )
        if content_type.startswith("text/html"):
            records.append((buffer.getvalue()[start:], f"#{uri}"))
    suffix = ".warc.gz" if compressed else ".warc"
    return Seed(suffix, buffer.getvalue(), tuple(records), r"(#.+)?")


def _rfc822(day: str) -> str:
    return format_datetime(datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC))


_FEED_TAIL = r"(#entry \d+( \(.*\))?)?"
SEEDS = {
    seed.suffix: seed
    for seed in (
        _text_seed(), _jsonl_seed(), _html_seed(), _rss_seed(), _atom_seed(),
        _warc_seed(compressed=False), _warc_seed(compressed=True),
    )
}

# --- damage -----------------------------------------------------------------------------------

BAD_UTF8 = (b"\xff", b"\xfe\xfe", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80")
CONTROLS = "".join(
    chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
)

# Each damage takes hypothesis's `draw` and a valid file and gives the file broken one way.
Damage = Callable[[st.DrawFn, bytes], bytes]


def _insert(draw: st.DrawFn, data: bytes, piece: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + piece + data[at:]


def _truncated(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data) - 1))]


def _not_utf8(draw: st.DrawFn, data: bytes) -> bytes:
    return _insert(draw, data, draw(st.sampled_from(BAD_UTF8)))


def _utf16_without_bom(draw: st.DrawFn, data: bytes) -> bytes:
    return data.decode("utf-8", "replace").encode(draw(st.sampled_from(("utf-16-le", "utf-16-be"))))


def _latin1(draw: st.DrawFn, data: bytes) -> bytes:
    return data.decode("utf-8", "replace").encode("latin-1", "replace")


def _control_characters(draw: st.DrawFn, data: bytes) -> bytes:
    return _insert(draw, data, draw(st.text(CONTROLS, min_size=1, max_size=8)).encode())


def _nul_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    return _insert(draw, data, b"\x00" * draw(st.integers(1, 16)))


def _giant_line(draw: st.DrawFn, data: bytes) -> bytes:
    return _insert(draw, data, b"harbour " * draw(st.integers(READ_LIMIT // 64, READ_LIMIT // 4)))


def _random_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    return draw(st.binary(min_size=1, max_size=2048))


def _overwritten(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(0, len(data) - 1))
    piece = draw(st.binary(min_size=1, max_size=32))
    return data[:at] + piece + data[at + len(piece) :]


def _empty(draw: st.DrawFn, data: bytes) -> bytes:
    return b""


DAMAGES: tuple[Damage, ...] = (
    _truncated, _not_utf8, _utf16_without_bom, _latin1, _control_characters, _nul_bytes,
    _giant_line, _random_bytes, _overwritten, _empty,
)


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """Return `data` broken in one of the ways real files break."""
    return draw(st.sampled_from(DAMAGES))(draw, data)


# --- reading ----------------------------------------------------------------------------------


def read_file(name: str, data: bytes) -> tuple[Path, list[Article | ReadProblem]]:
    """Return the path a file was written to and everything `read_paths` gave for it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return path, list(read_paths([path], READ_SETTINGS))


def origin_faults(path: Path, results: list[Article | ReadProblem], tail: str) -> list[str]:
    """Return what is wrong with the results' origins, reasons and texts (nothing when all is well)."""
    faults = []
    origin = re.compile(re.escape(str(path)) + tail, re.DOTALL)
    for result in results:
        if not origin.fullmatch(result.origin):
            faults.append(f"origin {result.origin!r} does not name the file as {tail!r}")
        if isinstance(result, ReadProblem) and not result.reason.strip():
            faults.append(f"problem at {result.origin!r} has no reason")
        if isinstance(result, Article):
            if not result.text.strip():
                faults.append(f"article {result.id!r} has no text")
            faults.extend(_unicode_faults(result))
    return faults


def _unicode_faults(article: Article) -> list[str]:
    """Return the article's fields that are not valid Unicode (the store could not write them)."""
    fields = {
        "id": article.id, "title": article.title, "text": article.text,
        "source": article.source, "url": article.url, "date": article.date, "lang": article.lang,
    }
    faults = []
    for name, value in fields.items():
        try:
            (value or "").encode("utf-8")
        except UnicodeEncodeError:
            faults.append(f"article {article.id!r}: {name} is not valid Unicode")
    return faults


def lost_records(path: Path, data: bytes, seed: Seed, results: list[Article | ReadProblem]) -> int:
    """Return how many records of the file neither became an article nor got a problem.

    A file that gives nothing at all lost one record. A record of the seed counts only where
    the damage left its bytes whole; a problem naming the whole file accounts for all of them.
    """
    if not results:
        return 1
    if any(isinstance(r, ReadProblem) and r.origin == str(path) for r in results):
        return 0
    tails = [r.origin[len(str(path)) :] for r in results]
    if seed.suffix == ".jsonl":  # every line is a record, whatever the damage made of it
        names = [f":{n}" for n, line in enumerate(io.BytesIO(data), start=1) if line.strip()]
    else:
        names = [name for record_bytes, name in seed.records if record_bytes in data]
    return sum(not any(t == name or t.endswith(f"({name})") for t in tails) for name in names)


def check_damaged_file(seed: Seed, data: bytes, suite: str) -> None:
    """Read one damaged file and assert every promise of `read_paths`; count the case in `suite`."""
    try:
        path, results = read_file(f"damaged{seed.suffix}", data)
    except Exception:
        record(suite, cases=1, crashes=1)
        raise
    lost = lost_records(path, data, seed, results)
    record(suite, cases=1, lost=lost)
    assert lost == 0, f"{lost} records vanished: {results}"
    assert origin_faults(path, results, seed.origin_tail) == []


@pytest.mark.parametrize("suffix", SEEDS)
def test_seed_files_read_whole(suffix: str):
    seed = SEEDS[suffix]
    path, results = read_file(f"seed{suffix}", seed.data)
    articles = [r for r in results if isinstance(r, Article)]
    assert len(articles) == max(1, len(seed.records)) and len(articles) == len(results)
    assert origin_faults(path, results, seed.origin_tail) == []
    assert any("cracks running through two of the oak piles" in a.text for a in articles)


@pytest.mark.parametrize("suffix", SEEDS)
@FAULT_SETTINGS
@given(data=st.data())
def test_damaged_files_give_articles_or_named_problems(suffix: str, data: st.DataObject):
    seed = SEEDS[suffix]
    check_damaged_file(seed, data.draw(damaged(seed.data), label="file"), f"read {suffix}: damaged")


@FAULT_SETTINGS
@given(lines=st.lists(st.binary(max_size=300), min_size=1, max_size=12))
def test_every_json_line_gives_an_article_or_a_problem_naming_it(lines: list[bytes]):
    check_damaged_file(SEEDS[".jsonl"], b"\n".join(lines), "read .jsonl: random lines")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_RECORD = st.dictionaries(
    st.sampled_from(("id", "title", "text", "date", "source", "url", "lang", "extra")),
    _JSON | st.sampled_from(PIER.paragraphs),
)


@FAULT_SETTINGS
@given(records=st.lists(_RECORD, min_size=1, max_size=6))
def test_json_records_of_any_shape_give_articles_or_problems(records: list[dict]):
    data = b"".join(json.dumps(r).encode() + b"\n" for r in records)
    check_damaged_file(SEEDS[".jsonl"], data, "read .jsonl: records of any shape")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[" * 10_000, "nested too deeply"),
        (b'{"text": "The pier is shut.", "title": ' + b"7" * 5000 + b"}", "too many digits"),
        (b'{"text": "The pier \\ud800 is shut."}', "not valid Unicode"),
        (b'{"text": "The pier is shut.", "source": "Valmora \\udfff Gazette"}', "not valid Unicode"),
    ],
)
def test_json_lines_that_broke_the_reader_are_named_problems(line: bytes, reason: str):
    path, results = read_file("hostile.jsonl", line + b"\n")
    assert [type(r) for r in results] == [ReadProblem]
    assert results[0].origin == f"{path}:1" and reason in results[0].reason


def test_a_giant_json_line_is_skipped_without_reading_it_whole():
    lines = [b'{"text": "' + b"harbour " * (READ_LIMIT // 4) + b'"}', _jsonl_seed().data]
    path, results = read_file("giant.jsonl", b"\n".join(lines))
    assert isinstance(results[0], ReadProblem) and results[0].origin == f"{path}:1"
    assert "line is 131 kB, over the 66 kB limit" in results[0].reason
    assert [r.origin for r in results[1:]] == [f"{path}:{n}" for n in (2, 3, 4)]


def test_a_warc_cut_inside_a_record_header_is_a_named_problem():
    seed = SEEDS[".warc"]
    cut = seed.data.index(b"WARC-Target-URI", len(seed.data) - len(seed.records[-1][0]))
    path, results = read_file("cut.warc", seed.data[:cut])
    assert [r.origin for r in results[:2]] == [f"{path}#{r.url}" for r in REPORTS[:2]]
    assert isinstance(results[2], ReadProblem) and results[2].origin == str(path)
    assert "record 4" in results[2].reason and "cut short" in results[2].reason


def test_a_feed_with_impossible_character_references_keeps_its_entries():
    seed = SEEDS[".rss"]
    data = seed.data.replace(b"The harbour board", b"The &#xD800; &#99999999; &#1" + b"0" * 5000 + b"; board")
    path, results = read_file("refs.rss", data)
    assert [type(r) for r in results] == [Article] * 3
    assert "The \ufffd \ufffd \ufffd board of Valmora" in results[0].text


def test_a_feed_entry_dated_in_year_zero_keeps_no_date():
    data = SEEDS[".atom"].data.replace(b"2023-05-02T08:00:00Z", b"0000-05-02T08:00:00Z")
    _, results = read_file("year-zero.atom", data)
    assert [r.date for r in results] == [None, "2023-05-09", "2023-05-13"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (PIER.title.encode("utf-16-le"), "UTF-16"),
        (b"\xff\xfe" + PIER.title.encode("utf-16-le"), "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ],
)
def test_utf16_and_binary_text_files_say_which(data: bytes, reason: str):
    path, results = read_file("odd.txt", data)
    assert results == [ReadProblem(str(path), results[0].reason)] and reason in results[0].reason


def outcomes(name: str, data: bytes) -> list[tuple[str, str]]:
    """Return each result of reading a file as (its origin after the path, its reason or "article")."""
    path, results = read_file(name, data)
    return [
        (r.origin[len(str(path)) :], r.reason if isinstance(r, ReadProblem) else "article")
        for r in results
    ]


def test_a_warc_cut_inside_a_length_header_ends_with_a_named_problem():
    data = SEEDS[".warc"].data
    length = data.index(b"Content-Length: ", data.index(REPORTS[1].url.encode()))
    assert outcomes("cut.warc", data[: length + len(b"Content-Length: ")]) == [
        (f"#{PIER.url}", "article"),
        ("", "broken WARC: record 3 cannot be read (is the file cut short?): its headers have "
             "no type or no length, so no record after it can be found"),
    ]


def test_a_damaged_gzip_member_ends_the_archive_with_a_named_problem():
    seed = SEEDS[".warc.gz"]
    member = seed.records[1][0]
    middle = seed.data.index(member) + len(member) // 2
    read = outcomes("damaged.warc.gz", seed.data[:middle] + bytes(8) + seed.data[middle + 8 :])
    assert read[0] == (f"#{PIER.url}", "article") and len(read) == 2
    assert read[1][0] == "" and read[1][1].startswith("broken WARC: record 3 cannot be read")


def test_an_archive_without_html_responses_says_so():
    data = SEEDS[".warc"].data
    robots_only = data[: data.index(b"WARC/1.0", 1)]
    assert outcomes("robots.warc", robots_only) == [("", "no HTML responses among its 1 records")]


def test_a_feed_whose_damage_swallows_an_entry_says_how_many_are_missing():
    channel = b"</title><link>https://valmora-gazette.example/</link>"
    data = SEEDS[".rss"].data.replace(channel, channel[len(b"</title>") :], 1)
    read = outcomes("unclosed.rss", data)
    assert [origin for origin, _ in read[:2]] == [
        f"#entry {n} ({r.url})" for n, r in enumerate(REPORTS[1:], start=1)
    ]
    assert read[2][0] == "" and read[2][1].startswith("1 of 3 entries could not be read")


def test_a_feed_with_an_impossible_encoding_name_is_a_named_problem():
    data = SEEDS[".rss"].data.replace(b'encoding="utf-8"', b'encoding="\xffutf-8"')
    ((origin, reason),) = outcomes("encoding.rss", data)
    assert origin == "" and reason.startswith("feed cannot be parsed (UnicodeDecodeError")


def test_control_characters_in_a_feed_entry_leave_no_markup_in_its_text():
    data = SEEDS[".rss"].data.replace(b"close the town", b"close\x0c\x01 the town")
    _, results = read_file("controls.rss", data)
    assert [type(r) for r in results] == [Article] * 3
    assert "<p>" not in results[0].text
    assert "close the town's old ferry pier" in " ".join(results[0].text.split())


# --- cleaning ---------------------------------------------------------------------------------

SENTENCES = tuple(p for r in REPORTS for p in r.paragraphs)
BOILERPLATE = (
    "Leave a Reply", "Share this article", "Advertisement", "Published on 2 May 2023",
    "Read more: New summer timetable for the Brenna ferry", "(Editing by Anna Berg)",
    "Subscribe to our newsletter for free updates", "© 2023 Valmora Gazette. All rights reserved.",
    "By Tomás Reyl", "Kommentar schreiben", "Partager : Facebook Twitter",
)
TRAILERS = (" (Editing by Anna Berg)", " Share this article", " (Reporting by Inès Gårdh)")
DEBRIS = "the pier was closed on Tuesday Essence Ferries will use the cargo quay from Monday."
BREAKS = ("\n", "\r\n", "\r", "\n\n", "\n \n", "\u2028", "\x0b", "\x0c", "\x1c", "\x85", "\n\t\n")
ODD = CONTROLS + " \t\u00a0\u2009\u200b\u00ad\ufeff«»„“”‘’\u0301e"

_LINE = st.one_of(
    st.sampled_from(SENTENCES),
    st.sampled_from(BOILERPLATE),
    st.tuples(st.sampled_from(SENTENCES), st.sampled_from(TRAILERS)).map("".join),
    st.just(DEBRIS),
    st.just(PIER.title),
    st.text(ODD, max_size=20),
    st.text(max_size=60),
    st.integers(1, 400).map(lambda n: "harbour " * n),  # a giant line
)


@st.composite
def articles(draw: st.DrawFn) -> tuple[Article, frozenset[str]]:
    """Return a generated article and the line keys its source repeats in every article."""
    lines = draw(st.lists(_LINE, max_size=12))
    text = "".join(line + draw(st.sampled_from(BREAKS)) for line in lines)
    title = draw(st.one_of(st.just(PIER.title), st.text(ODD + "Valmora pier", max_size=30)))
    repeated = draw(st.sets(st.sampled_from(lines), max_size=2)) if lines else set()
    article = Article(id="generated", title=title, text=text, origin="generated", source=OUTLET)
    return article, frozenset(normalize_line_key(line) for line in repeated)


def _controls_in(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _kept_part(line: str, fragments: list[str], debris: int) -> str | None:
    """Return what should remain of a kept line, or None when its records do not fit it.

    The recorded trailing fragments must be the line's end, in order; each recorded debris
    word must be one the debris pattern finds, replaced by a full stop.
    """
    for fragment in reversed(fragments):
        line = line.rstrip()
        if not line.endswith(fragment):
            return None
        line = line[: -len(fragment)]
    if len(MT_SENTENCE_DEBRIS.findall(line)) != debris:
        return None
    return MT_SENTENCE_DEBRIS.sub(". ", line)


def unaccounted_lines(original: Article, cleaned: Article) -> list[str]:
    """Return the lines of the normalised input that are neither kept nor recorded as removed.

    An output line that no input line accounts for is reported too.
    """
    lost = []
    output = iter(line for line in cleaned.text.split("\n") if line)
    for number, line in enumerate(normalize_text(original.text).split("\n"), start=1):
        records = [r for r in cleaned.removed if r.line_no == number]
        if not line or any(r.text == line for r in records):
            continue
        debris = sum(r.reason == "machine-translation debris" for r in records)
        fragments = [r.text for r in records if r.reason != "machine-translation debris"]
        kept = _kept_part(line, fragments, debris)
        if kept is None or _squash(kept) != _squash(next(output, "")):
            lost.append(line)
    return lost + [f"(invented) {line}" for line in output]


@FAULT_SETTINGS
@given(generated=articles())
def test_the_cleaner_keeps_or_records_every_line(generated: tuple[Article, frozenset[str]]):
    article, repeated = generated
    try:
        cleaned = clean_article(article, repeated)
    except Exception:
        record("clean: lines accounted", cases=1, crashes=1)
        raise
    lost = unaccounted_lines(article, cleaned)
    record("clean: lines accounted", cases=1, lost=len(lost))
    assert lost == []
    assert _controls_in(cleaned.text) == set() and _controls_in(cleaned.title) == set()
    assert "\n" not in cleaned.title
    assert all(r.text and r.reason for r in cleaned.removed)


@FAULT_SETTINGS
@given(text=st.text(ODD + "ab \n\r»«‹›"))
def test_normalising_twice_gives_what_normalising_once_gives(text: str):
    try:
        once = normalize_text(text)
    except Exception:
        record("clean: normalise idempotent", cases=1, crashes=1)
        raise
    record("clean: normalise idempotent", cases=1)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("The pier\x00 is shut.\x07\nFerries use\x1b the quay.", "The pier is shut.\nFerries use the quay."),
        ("The pier is shut.\x0bFerries use the quay.\x85Fares rise.", "The pier is shut.\nFerries use the quay.\nFares rise."),
        ("The pier is shut.\u2028Ferries use the quay.", "The pier is shut.\nFerries use the quay."),
        ("Cafe\u200b\u0301 owners\x7f\x9b complain.", "Café owners complain."),
    ],
)
def test_the_cleaner_drops_control_characters_and_breaks_lines_at_separators(text: str, clean: str):
    cleaned = clean_article(Article(id="a", title="Pier\x00 shut\x0c", text=text, origin="a"))
    assert (cleaned.title, cleaned.text) == ("Pier shut", clean)


def test_removed_line_numbers_count_lines_of_the_normalised_text():
    text = "\n\nThe pier is shut.\x0bLeave a Reply\r\nFerries use the quay."
    cleaned = clean_article(Article(id="a", title="Pier", text=text, origin="a"))
    assert [(r.line_no, r.text) for r in cleaned.removed] == [(2, "Leave a Reply")]
    assert normalize_text(text).split("\n")[1] == "Leave a Reply"

