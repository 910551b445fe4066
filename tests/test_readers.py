"""Readers: every reader keeps the same promises; each format's own details are pinned below."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.model import Article, ReadProblem
from storyline.read import READERS, read_paths, reader_for
from storyline.settings import Settings

BODY = (
    "The port authority said on Tuesday that 14 container ships were waiting outside the harbour "
    "after a strike by crane operators entered its third day.\n\n"
    '"We are losing a day of trade for every day the cranes stand still," the harbour master said.'
)
TITLE = "Ships queue outside the harbour as crane strike drags on"

PAGE = f"""<!doctype html><html><head><title>{TITLE} | Coastline Post</title>
<meta property="og:title" content="{TITLE}">
<meta property="og:site_name" content="Coastline Post">
<meta property="article:published_time" content="2022-03-08T07:30:00Z">
<link rel="canonical" href="https://coastlinepost.example/news/crane-strike?utm_source=rss">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie">We use cookies to improve your experience. <button>Accept</button></div>
<article><h1>{TITLE}</h1>
<p>The port authority said on Tuesday that 14 container ships were waiting outside the harbour
after a strike by crane operators entered its third day.</p>
<p>"We are losing a day of trade for every day the cranes stand still," the harbour master said.</p>
<p>Union leaders said they would meet the operators' association on Thursday, but gave no sign
that the walkout would end before the weekend.</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Celebrity chef opens bakery</a></li></ul></aside>
<section id="comments"><h3>Leave a Reply</h3><p>Great article!!! Visit my site for cheap watches</p></section>
<script>alert("x")</script>
</body></html>"""


def _write_feed(path: Path) -> None:
    path.write_text(
        f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Coastline Post</title><link>https://coastlinepost.example</link>
<item><title>{TITLE}</title><link>https://coastlinepost.example/news/crane-strike</link>
<pubDate>Tue, 08 Mar 2022 07:30:00 GMT</pubDate>
<content:encoded><![CDATA[<p>{BODY.split(chr(10))[0]}</p><p>Talks resume on Thursday.</p>]]></content:encoded></item>
<item><title>An entry with no text at all</title><link>https://coastlinepost.example/news/empty</link></item>
</channel></rss>""",
        encoding="utf-8",
    )


def _write_warc(path: Path) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for uri, content_type, payload in (
            ("https://coastlinepost.example/news/crane-strike", "text/html; charset=utf-8", PAGE.encode()),
            ("https://coastlinepost.example/robots.txt", "text/plain", b"User-agent: *\nAllow: /\n"),
        ):
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(payload), http_headers=headers,
                warc_headers_dict={"WARC-Date": "2022-03-08T09:00:00Z"},
            )
            writer.write_record(record)


def _write_good(folder: Path) -> dict[str, Path]:
    """Write one good file of every format and return them by reader name."""
    files = {
        "TextReader": folder / "strike.txt",
        "JsonLinesReader": folder / "strike.jsonl",
        "HtmlReader": folder / "strike.html",
        "FeedReader": folder / "strike.rss",
        "WarcReader": folder / "strike.warc.gz",
    }
    files["TextReader"].write_text(f"{TITLE}\n\n{BODY}\n", encoding="utf-8")
    files["JsonLinesReader"].write_text(
        json.dumps({"id": "cp-101", "title": TITLE, "text": BODY, "date": "2022-03-08",
                    "source": "Coastline Post", "url": "https://coastlinepost.example/news/crane-strike",
                    "lang": "en"}) + "\n",
        encoding="utf-8",
    )
    files["HtmlReader"].write_text(PAGE, encoding="utf-8")
    _write_feed(files["FeedReader"])
    _write_warc(files["WarcReader"])
    return files


@pytest.mark.parametrize("reader", READERS, ids=lambda r: type(r).__name__)
class TestEveryReader:
    """The shared promises: good input gives articles with text; bad input gives named problems."""

    def test_reads_articles_with_text_and_origin(self, reader, tmp_path: Path) -> None:
        path = _write_good(tmp_path)[type(reader).__name__]
        articles = [r for r in read_paths([path], Settings()) if isinstance(r, Article)]
        assert articles, "a good file yields at least one article"
        for article in articles:
            assert "container ships" in article.text
            assert article.title.startswith("Ships queue")
            assert str(path) in article.origin
            assert article.id

    def test_empty_file_is_a_named_problem(self, reader, tmp_path: Path) -> None:
        path = tmp_path / f"empty{reader.suffixes[0]}"
        path.write_bytes(b"")
        results = list(read_paths([path], Settings()))
        assert len(results) == 1 and isinstance(results[0], ReadProblem)
        assert str(path) in results[0].origin and "empty" in results[0].reason

    def test_binary_file_is_a_named_problem_not_a_crash(self, reader, tmp_path: Path) -> None:
        path = tmp_path / f"image{reader.suffixes[0]}"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
        results = list(read_paths([path], Settings()))
        assert results and all(isinstance(r, ReadProblem) for r in results)
        assert all(str(path) in r.origin for r in results)

    def test_oversized_file_is_refused_with_its_size(self, reader, tmp_path: Path) -> None:
        path = _write_good(tmp_path)[type(reader).__name__]
        tiny = Settings(max_file_bytes=64)
        results = list(read_paths([path], tiny))
        assert results and all(isinstance(r, ReadProblem) for r in results)


def test_reader_is_chosen_by_the_longest_suffix() -> None:
    assert type(reader_for(Path("a/b/captures.warc.gz"))).__name__ == "WarcReader"
    assert type(reader_for(Path("Story.MD"))).__name__ == "TextReader"
    assert reader_for(Path("photo.png")) is None


def test_text_headline_is_the_first_line_and_markdown_hashes_go(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(f"\n\n# {TITLE}\n\n{BODY}", encoding="utf-8")
    (article,) = read_paths([path], Settings())
    assert article.title == TITLE
    assert article.text.strip().startswith("The port authority")
    assert article.id == "note.md"


def test_undecodable_text_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Headline\n\nFirst line is fine.\nThe mayor of Malm\xf6 said so.\n")
    (problem,) = read_paths([path], Settings())
    assert isinstance(problem, ReadProblem)
    assert "line 4" in problem.reason and "UTF-8" in problem.reason


def test_jsonl_keeps_good_lines_and_names_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = {"id": "x-1", "title": "Harbour reopens", "text": "The harbour reopened on Friday.",
            "date": "2022-03-11T06:00:00Z", "source": "Coastline Post"}
    path.write_bytes(
        json.dumps(good).encode() + b"\n"
        + b'{"id": "x-2", "title": "Broken", "text": "unterminated\n'
        + b"[1, 2, 3]\n"
        + b'{"id": "x-4", "title": "No text"}\n'
        + b'{"id": "x-5", "text": "Caf\xe9 owners complain."}\n'
        + json.dumps({**good, "id": "x-6"}).encode() + b"\n"
    )
    results = list(read_paths([path], Settings()))
    articles = [r for r in results if isinstance(r, Article)]
    problems = {r.origin.rsplit(":", 1)[1]: r.reason for r in results if isinstance(r, ReadProblem)}
    assert [a.id for a in articles] == ["x-1", "x-6"]
    assert articles[0].source == "Coastline Post" and articles[0].date == "2022-03-11T06:00:00Z"
    assert "broken JSON" in problems["2"]
    assert "JSON object" in problems["3"]
    assert "text" in problems["4"]
    assert "UTF-8" in problems["5"]


def test_html_keeps_the_article_and_drops_page_furniture(tmp_path: Path) -> None:
    path = _write_good(tmp_path)["HtmlReader"]
    (article,) = read_paths([path], Settings())
    assert "Union leaders said they would meet" in article.text
    assert "cheap watches" not in article.text
    assert "Most read" not in article.text and "alert(" not in article.text
    assert article.date == "2022-03-08"
    assert article.source == "Coastline Post"


def test_html_without_an_article_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    (problem,) = read_paths([path], Settings())
    assert isinstance(problem, ReadProblem) and "no article" in problem.reason


def test_hostile_html_does_not_leak_script(tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    paragraphs = "".join(
        f"<p onclick=\"steal()\">Paragraph {n} of a long report on the council budget vote, "
        "which passed by a narrow margin after a night of debate.</p>" for n in range(6)
    )
    path.write_text(
        f"<html><head><title>Budget</title><script>document.cookie</script></head><body><article>"
        f"{paragraphs}<img src=x onerror=alert(1)><iframe src='javascript:alert(2)'></iframe>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (article,) = read_paths([path], Settings())
    assert "council budget vote" in article.text
    assert "document.cookie" not in article.text and "onerror" not in article.text


def test_feed_reports_the_broken_entry_and_keeps_the_good_one(tmp_path: Path) -> None:
    path = _write_good(tmp_path)["FeedReader"]
    results = list(read_paths([path], Settings()))
    (article,) = [r for r in results if isinstance(r, Article)]
    (problem,) = [r for r in results if isinstance(r, ReadProblem)]
    assert article.id == "strike.rss#https://coastlinepost.example/news/crane-strike"
    assert article.date == "2022-03-08" and article.source == "Coastline Post"
    assert "Talks resume on Thursday." in article.text.split("\n")
    assert "entry 2" in problem.origin and "no text" in problem.reason


def test_warc_reads_html_responses_only(tmp_path: Path) -> None:
    path = _write_good(tmp_path)["WarcReader"]
    results = list(read_paths([path], Settings()))
    (article,) = results
    assert article.id == "strike.warc.gz#https://coastlinepost.example/news/crane-strike"
    assert article.url == "https://coastlinepost.example/news/crane-strike"


def test_truncated_warc_is_reported(tmp_path: Path) -> None:
    good = _write_good(tmp_path)["WarcReader"].read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(good[: len(good) // 2])
    results = list(read_paths([path], Settings()))
    assert any(isinstance(r, ReadProblem) and str(path) in r.origin for r in results)


def test_folders_are_read_recursively_in_name_order_and_odd_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second\n\nBody two.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First\n\nBody one.", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nNo.", encoding="utf-8")
    results = list(read_paths([tmp_path, tmp_path / "missing"], Settings()))
    assert [r.id for r in results if isinstance(r, Article)] == ["a.txt", "b/two.txt"]
    ignored = [r for r in results if isinstance(r, ReadProblem) and r.ignored]
    assert [Path(r.origin).name for r in ignored] == ["logo.png"]
    assert any("no such file" in r.reason for r in results if isinstance(r, ReadProblem))


def test_gzip_is_not_mistaken_for_text(tmp_path: Path) -> None:
    path = tmp_path / "packed.txt"
    path.write_bytes(gzip.compress(b"Headline\n\nBody"))
    (problem,) = read_paths([path], Settings())
    assert isinstance(problem, ReadProblem)


def test_front_matter_gives_metadata_and_the_headline_still_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text(
        f"---\nsource: Coastline Post\ndate: 2022-03-08\nurl: https://coastlinepost.example/a\n"
        f"layout: post\n---\n# {TITLE}\n\n{BODY}\n",
        encoding="utf-8",
    )
    (article,) = read_paths([path], Settings())
    assert (article.title, article.source, article.date, article.url) == (
        TITLE, "Coastline Post", "2022-03-08", "https://coastlinepost.example/a"
    )
    assert article.text.strip().startswith("The port authority")
