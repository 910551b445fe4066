"""`storyline watch`: feeds and pages over HTTP from a loopback site the tests serve themselves."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from storyline.cli import _watch_table, app
from storyline.desk import create_app
from storyline.fetch import Validators
from storyline.fetch.archive import WarcArchive, default_archive_folder
from storyline.fetch.feeds import Listing, MalformedFeed, parse_listing
from storyline.fetch.http import HttpFetcher
from storyline.fetch.pacing import HostPacer
from storyline.fetch.watch import PollReport, Watcher, article_id_for, read_feed_list
from storyline.model import Article
from storyline.pipeline import Ingestor, ingest_paths
from storyline.settings import Settings
from storyline.store import Store
from storyline.store.feeds import FeedState
from storyline.store.schema import ArticleRow, FetchedPageRow

from .fault_counts import record
from .loopback_site import FIXTURES, LoopbackSite, Reply

NEWS_PAGES = ["/news/harbour-crane-strike.html", "/news/library-reopens.html"]
ALL_GOOD_PAGES = [*NEWS_PAGES, "/wire/solar-farm-approved.html", "/archive/tram-line-opens.html"]
GOOD_FEEDS = ["/news/feed.rss", "/wire/feed.atom", "/sitemaps/index.xml"]


def watch_settings(tmp_path: Path, **changes: object) -> Settings:
    """Return settings for a fast watch: small time-outs, one quick retry, no per-host delay."""
    options = dict(
        db_url=f"sqlite:///{tmp_path / 'watch.db'}",
        embedder="none",
        watch_connect_timeout=2.0,
        watch_read_timeout=0.3,
        watch_retries=1,
        watch_backoff_seconds=0.01,
        watch_host_delay=0.0,
        watch_max_bytes=1024 * 1024,
    )
    return Settings(**{**options, **changes})


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        yield running


@pytest.fixture
def make_watcher(tmp_path: Path) -> Iterator[Callable[..., Watcher]]:
    """Return a factory of watchers over the test's store, each with its own store and client."""
    opened: list[tuple[Store, HttpFetcher]] = []

    def make(**changes: object) -> Watcher:
        settings = watch_settings(tmp_path, **changes)
        store, fetcher = Store(settings.db_url), HttpFetcher(settings)
        opened.append((store, fetcher))
        return Watcher(store, settings, fetcher, WarcArchive(tmp_path / "warc"))

    yield make
    for store, fetcher in opened:
        fetcher.close()
        store.close()


def page_requests(site: LoopbackSite) -> list[str]:
    """Return the paths of the HTML pages requested so far, in order."""
    return [path.split("?")[0] for path in site.paths() if path.split("?")[0].endswith(".html")]


def stored_articles(store: Store) -> dict[str, ArticleRow]:
    with store.session() as session:
        return {row.id: row for row in session.query(ArticleRow)}


# --- a poll ----------------------------------------------------------------------------------


def test_a_poll_stores_each_new_page_once(site: LoopbackSite, make_watcher) -> None:
    watcher = make_watcher()
    report = watcher.poll([site.url(path) for path in GOOD_FEEDS])

    assert sorted(page_requests(site)) == sorted([*ALL_GOOD_PAGES, "/moved/tram-line.html"])
    articles = stored_articles(watcher.store)
    assert len(articles) == 4 and report.ingest.added == 4
    crane = articles[article_id_for(f"https://{site.base[7:]}/news/harbour-crane-strike.html")]
    assert crane.title == "Crane operators at Port Varnel walk out over night-shift rota"
    assert crane.source == "Harbour Ledger" and crane.date == "2024-05-06"
    assert "Forty crane operators" in crane.text and "Send us your news" not in crane.text
    # a page with no title or date of its own takes its feed entry's
    library = next(a for a in articles.values() if a.url.endswith("/news/library-reopens.html"))
    assert library.title == "Riverside library reopens after two-year restoration"
    assert (library.date, library.date_source) == ("2024-05-05", "feed")
    # a sitemap page reached through a redirect is stored under the URL the sitemap lists
    tram = next(a for a in articles.values() if "tram" in a.id)
    assert tram.id.endswith("/moved/tram-line.html") and tram.url.endswith("/archive/tram-line-opens.html")
    assert tram.title == "First trams run on the new Quayside line"
    assert {f.url[len(site.base):]: f.new_articles for f in report.feeds.values()} == {
        "/news/feed.rss": 2, "/wire/feed.atom": 1, "/sitemaps/index.xml": 0, "/sitemaps/news.xml": 1,
    }


def test_article_ids_come_from_the_canonical_url() -> None:
    assert article_id_for("https://example.org/a/b") == "https://example.org/a/b"
    long = "https://example.org/" + "x" * 600
    assert len(article_id_for(long)) == 512 and article_id_for(long) == article_id_for(long)
    assert article_id_for(long) != article_id_for(long + "y")


def test_robots_txt_disallow_is_obeyed_and_read_once(site: LoopbackSite, make_watcher) -> None:
    watcher = make_watcher()
    first = watcher.poll([site.url("/news/feed.rss")])
    site.put("/news/feed.rss", (FIXTURES / "news" / "feed-updated.rss").read_bytes())
    watcher.poll([site.url("/news/feed.rss")])

    assert not site.requests_for("/private/embargoed-budget.html")
    assert [(p.origin, p.reason) for p in first.problems] == [
        (site.url("/private/embargoed-budget.html"), "blocked by robots.txt")
    ]
    assert len(site.requests_for("/robots.txt")) == 1
    assert all(r.headers["User-Agent"].startswith("Storyline/") for r in site.requests)


def test_robots_txt_missing_allows_all_and_unavailable_blocks_this_poll_only(
    site: LoopbackSite, make_watcher
) -> None:
    site.replies["/robots.txt"] = Reply(503)
    blocked = make_watcher().poll([site.url("/news/feed.rss")])
    assert [p.reason for p in blocked.problems] == [
        "robots.txt unavailable (HTTP 503 after 2 tries); not fetched this poll"
    ]
    assert not site.requests_for("/news/feed.rss")

    site.replies["/robots.txt"] = Reply(404)
    allowed = make_watcher().poll([site.url("/news/feed.rss")])
    assert not allowed.problems
    assert site.requests_for("/private/embargoed-budget.html")


# --- the next poll ---------------------------------------------------------------------------


def test_a_second_poll_asks_conditionally_and_fetches_no_page_again(
    site: LoopbackSite, make_watcher
) -> None:
    watcher = make_watcher()
    watcher.poll([site.url(path) for path in GOOD_FEEDS])
    pages_before = len(page_requests(site))
    second = watcher.poll([site.url(path) for path in GOOD_FEEDS])

    feed = site.requests_for("/news/feed.rss")[-1]
    assert feed.headers["If-None-Match"].startswith('"') and feed.headers["If-Modified-Since"]
    assert feed.status == 304
    assert second.feeds[site.url("/news/feed.rss")].status == "unchanged (304)"
    assert len(page_requests(site)) == pages_before and second.pages_fetched == 0
    # a sitemap index is read in full each time, so its sitemaps are always polled
    assert site.requests_for("/sitemaps/index.xml")[-1].status == 200
    assert site.requests_for("/sitemaps/news.xml")[-1].status == 304
    assert second.ingest.added == 0 and second.answered_any


def test_a_changed_feed_fetches_only_the_new_items_page(site: LoopbackSite, make_watcher) -> None:
    watcher = make_watcher()
    watcher.poll([site.url("/news/feed.rss")])
    before = len(page_requests(site))
    site.put("/news/feed.rss", (FIXTURES / "news" / "feed-updated.rss").read_bytes())
    report = watcher.poll([site.url("/news/feed.rss")])

    assert page_requests(site)[before:] == ["/news/ferry-timetable.html"]
    assert report.feeds[site.url("/news/feed.rss")].new_articles == 1
    assert len(stored_articles(watcher.store)) == 3


def test_a_restarted_watch_fetches_nothing_already_stored(site: LoopbackSite, make_watcher) -> None:
    make_watcher().poll([site.url("/news/feed.rss")])
    # the feed changes, and its old validators no longer match: every item is listed again
    site.put("/news/feed.rss", (FIXTURES / "news" / "feed-updated.rss").read_bytes())
    before = len(page_requests(site))
    restarted = make_watcher()  # a new store, client and pipeline over the same SQLite file
    report = restarted.poll([site.url("/news/feed.rss")])

    assert page_requests(site)[before:] == ["/news/ferry-timetable.html"]
    assert report.ingest.added == 1 and len(stored_articles(restarted.store)) == 3


def test_a_page_already_stored_by_another_route_is_not_fetched(
    site: LoopbackSite, make_watcher
) -> None:
    watcher = make_watcher()
    known = Article(
        "from-a-file", "Riverside library reopens", "The riverside library opened again on Sunday.",
        origin="library.jsonl:1", url=site.url("/news/library-reopens.html?utm_medium=email"),
    )
    Ingestor(watcher.store, watcher.settings).ingest([known])
    watcher.poll([site.url("/news/feed.rss")])

    assert page_requests(site) == ["/news/harbour-crane-strike.html"]


# --- what goes wrong -------------------------------------------------------------------------

FAILING_FEEDS = {
    "/feeds/missing.xml": "HTTP 404",
    "/feeds/error.xml": "HTTP 500 after 2 tries",
    "/feeds/slow.xml": "timed out (no data for 0.3 s) after 2 tries",
    "/feeds/loop-a.xml": "redirect loop after 2 hops",
    "/feeds/image.png": "content type image/png is not a feed",
    "/feeds/page.html": "content type text/html is not a feed",
    "/feeds/malformed.rss": "malformed feed: 8:0: no element found",
}
FAILING_PAGES = {
    "/bad/missing.html": "HTTP 404",
    "/bad/error.html": "HTTP 500 after 2 tries",
    "/bad/huge.html": "response larger than 1 MB limit",
    "/bad/slow.html": "timed out (no data for 0.3 s) after 2 tries",
    "/bad/loop-a.html": "redirect loop after 2 hops",
    "/bad/notes.txt": "content type text/plain is not a web page",
    "/bad/menu.html": "no article text found in the HTML (3 words of text)",
}


def test_each_failing_feed_and_page_is_named_once_with_its_reason(
    site: LoopbackSite, make_watcher
) -> None:
    watcher = make_watcher()
    report = watcher.poll([site.url(path) for path in [*FAILING_FEEDS, "/bad/feed.rss"]])

    named = [(p.origin[len(site.base):], p.reason) for p in report.problems]
    faults = {**FAILING_FEEDS, **FAILING_PAGES}
    record("watch: HTTP faults on the loopback site", cases=len(faults),
           lost=len(set(faults) - {origin for origin, _ in named}))
    assert sorted(named) == sorted(faults.items())
    assert len(site.requests_for("/feeds/error.xml")) == 2 and len(site.requests_for("/bad/error.html")) == 2
    assert sorted(p.origin[len(site.base):] for p in watcher.store.problems()) == sorted(
        [*FAILING_FEEDS, *FAILING_PAGES]
    )
    assert not report.ingest.added and stored_articles(watcher.store) == {}
    assert report.feeds[site.url("/bad/feed.rss")].errors == len(FAILING_PAGES)
    assert report.answered_any  # the bad pages' feed was fetched
    state = FeedState(watcher.store).feed(site.url("/feeds/missing.xml"))
    assert (state.failures, state.last_status, state.last_error) == (1, 404, "HTTP 404")


def test_failures_that_may_pass_are_tried_again_and_the_others_are_not(
    site: LoopbackSite, make_watcher
) -> None:
    watcher = make_watcher()
    watcher.poll([site.url("/bad/feed.rss"), site.url("/feeds/missing.xml")])
    before = len(site.paths())
    second = watcher.poll([site.url("/bad/feed.rss"), site.url("/feeds/missing.xml")])

    again = {path.split("?")[0] for path in site.paths()[before:]}
    assert again == {"/bad/feed.rss", "/feeds/missing.xml", "/bad/error.html", "/bad/slow.html"}
    assert site.requests_for("/bad/feed.rss")[-1].status == 200  # read in full, not 304
    assert sorted(p.origin[len(site.base):] for p in second.problems) == [
        "/bad/error.html", "/bad/slow.html", "/feeds/missing.xml"
    ]
    with watcher.store.session() as session:
        settled = {row.url[len(site.base):]: row.note for row in session.query(FetchedPageRow)}
    assert settled["/bad/missing.html"] == "HTTP 404" and "/bad/error.html" not in settled
    # a feed that stays broken is quarantined once, and counted at every poll
    assert [p.origin for p in watcher.store.problems()].count(site.url("/feeds/missing.xml")) == 1
    assert FeedState(watcher.store).feed(site.url("/feeds/missing.xml")).failures == 2


def test_a_huge_page_is_abandoned_at_the_cap_without_being_read(
    site: LoopbackSite, tmp_path: Path
) -> None:
    with HttpFetcher(watch_settings(tmp_path)) as fetcher:
        tracemalloc.start()
        result = fetcher.get(site.url("/bad/huge.html"))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert result.error == "response larger than 1 MB limit" and result.body == b""
    assert peak < 8 * 1024 * 1024
    deadline = time.monotonic() + 5
    while "/bad/huge.html" not in site.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "/bad/huge.html" in site.finished  # the server stopped: the client had hung up
    assert site.bytes_sent < 20 * 1024 * 1024


def test_retries_back_off_exponentially(site: LoopbackSite, tmp_path: Path) -> None:
    waits: list[float] = []
    settings = watch_settings(tmp_path, watch_retries=3, watch_backoff_seconds=0.5)
    with HttpFetcher(settings, sleep=waits.append) as fetcher:
        result = fetcher.get(site.url("/feeds/error.xml"), kind="feed")
    assert (result.status, result.error, result.transient) == (500, "HTTP 500 after 4 tries", True)
    assert waits == [0.5, 1.0, 2.0] and len(site.requests_for("/feeds/error.xml")) == 4


def test_requests_to_one_host_are_spaced_by_the_host_delay(site: LoopbackSite, tmp_path: Path) -> None:
    waits: list[float] = []
    frozen = time.monotonic()
    settings = watch_settings(tmp_path, watch_host_delay=5.0)
    with HttpFetcher(settings, clock=lambda: frozen, sleep=waits.append) as fetcher:
        for path in NEWS_PAGES:
            assert fetcher.get(site.url(path)).ok
    assert waits == [5.0, 5.0]  # robots.txt, then two pages: two waits


def test_host_pacer_waits_only_as_long_as_needed() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    pacer = HostPacer(2.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait("a.example")
    now[0] += 0.5
    pacer.wait("a.example")
    pacer.wait("b.example")
    now[0] += 3.0
    pacer.wait("a.example")
    assert waits == [1.5]
    HostPacer(0, clock=lambda: now[0], sleep=sleep).wait("a.example")
    assert waits == [1.5]


def test_a_conditional_get_that_matches_is_unchanged(site: LoopbackSite, tmp_path: Path) -> None:
    with HttpFetcher(watch_settings(tmp_path)) as fetcher:
        first = fetcher.get(site.url("/wire/feed.atom"), kind="feed")
        again = fetcher.get(site.url("/wire/feed.atom"), first.validators, kind="feed")
        by_date = fetcher.get(
            site.url("/wire/feed.atom"), Validators(last_modified=first.validators.last_modified), "feed"
        )
    assert first.ok and first.validators.etag and first.validators.last_modified
    assert again.unchanged and again.validators == first.validators and again.body == b""
    assert by_date.unchanged


# --- what a watch leaves behind --------------------------------------------------------------


def test_reingesting_the_watch_warc_gives_the_same_articles_text(
    site: LoopbackSite, make_watcher, tmp_path: Path
) -> None:
    watcher = make_watcher()
    watcher.poll([site.url(path) for path in GOOD_FEEDS])
    assert watcher.archive.paths and all(p.name.endswith(".warc.gz") for p in watcher.archive.paths)

    settings = watch_settings(tmp_path / "again")
    (tmp_path / "again").mkdir()
    again = Store(settings.db_url)
    summary = ingest_paths([tmp_path / "warc"], again, settings)
    watched = {a.canonical_url: a.text for a in stored_articles(watcher.store).values()}
    reread = {a.canonical_url: a.text for a in stored_articles(again).values()}
    again.close()
    assert summary.added == 4 and not summary.failed
    assert reread == watched


def test_the_desk_shows_an_article_a_watch_poll_ingested(site: LoopbackSite, make_watcher) -> None:
    watcher = make_watcher()
    with TestClient(create_app(watcher.settings.db_url, watcher.settings, api_token="")) as desk:
        assert desk.get("/api/articles").json()["total"] == 0
        assert desk.get("/api/articles").headers.get("x-storyline-cache") == "hit"
        watcher.poll([site.url("/wire/feed.atom")])
        listed = desk.get("/api/articles").json()
        page = desk.get("/")
    assert [item["title"] for item in listed["items"]] == [
        "Planners approve solar farm on former airfield at Dunmere"
    ]
    assert "Planners approve solar farm" in page.text


def test_feed_state_is_kept_in_the_store(site: LoopbackSite, make_watcher) -> None:
    watcher = make_watcher()
    watcher.poll([site.url("/news/feed.rss")])
    state = FeedState(watcher.store).feed(site.url("/news/feed.rss"))
    assert state.etag and state.last_modified and state.last_status == 200
    assert (state.failures, state.last_error) == (0, None) and state.last_polled_at is not None


# --- the command -----------------------------------------------------------------------------


def test_watch_command_once_polls_and_exits(site: LoopbackSite, tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "240", "STORYLINE_EMBEDDER": "none"})
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# the wire\n{site.url('/wire/feed.atom')}  # Northgate\n\n", encoding="utf-8")
    args = ["watch", site.url("/news/feed.rss"), "--feeds", str(feeds), "--once", "--host-delay", "0", "--db", db]

    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "poll: 2 feeds, 3 pages fetched, 3 new articles, 1 problem" in first.output
    assert f"{site.url('/private/embargoed-budget.html')}: blocked by robots.txt" in first.output
    assert list((tmp_path / "storyline-warc").glob("*.warc.gz"))  # beside the SQLite store

    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "0 pages fetched" in second.output
    assert "unchanged (304)" in second.output

    dead = runner.invoke(app, ["watch", site.url("/feeds/missing.xml"), "--once", "--db", db])
    assert dead.exit_code == 1 and f"{site.url('/feeds/missing.xml')}: HTTP 404" in dead.output
    assert runner.invoke(app, ["watch", "--once", "--db", db]).exit_code == 2


def test_live_table_has_a_row_per_feed() -> None:
    from storyline.fetch.watch import FeedReport

    report = PollReport({"http://a.example/feed.rss": FeedReport("http://a.example/feed.rss", "3 listed", 3, 2, 1)})
    console = Console(record=True, width=200)
    console.print(_watch_table(report, "next poll at 10:05:00"))
    text = console.export_text()
    assert "http://a.example/feed.rss" in text and "3 listed" in text and "next poll" in text


def test_feed_lists_skip_blank_lines_and_comments() -> None:
    text = "# feeds\nhttp://a.example/x.rss\n\n  http://b.example/y.xml   # wire\nhttp://c.example/z#top\n"
    assert read_feed_list(text) == [
        "http://a.example/x.rss", "http://b.example/y.xml", "http://c.example/z#top"
    ]


def test_warc_folder_defaults_beside_a_sqlite_store(tmp_path: Path) -> None:
    assert default_archive_folder(f"sqlite:///{tmp_path / 's.db'}") == tmp_path / "storyline-warc"
    assert default_archive_folder("sqlite://") == Path.cwd() / "storyline-warc"
    assert default_archive_folder("postgresql://u@h/db") == Path.cwd() / "storyline-warc"


# --- feeds as untrusted input ----------------------------------------------------------------


def test_listing_reads_rss_atom_and_sitemaps() -> None:
    sitemap = parse_listing((FIXTURES / "sitemaps" / "news.xml").read_bytes(), "http://h.example/s.xml")
    assert [(i.url, i.title, i.date) for i in sitemap.items] == [
        ("http://h.example/moved/tram-line.html", "First trams run on the new Quayside line", "2024-05-04")
    ]
    index = parse_listing((FIXTURES / "sitemaps" / "index.xml").read_bytes(), "http://h.example/i.xml")
    assert index.sitemaps == ["http://h.example/sitemaps/news.xml"] and not index.items
    atom = parse_listing((FIXTURES / "wire" / "feed.atom").read_bytes(), "http://h.example/f.atom")
    assert [i.url for i in atom.items] == ["http://h.example/wire/solar-farm-approved.html"]
    assert parse_listing(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "http://h.example/") == Listing()


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600) | st.text(max_size=600).map(lambda s: f"<rss><channel><item>{s}".encode()))
def test_listing_of_any_bytes_is_a_listing_or_a_malformed_feed(body: bytes) -> None:
    try:
        listing = parse_listing(body, "http://h.example/feed.xml")
    except MalformedFeed as error:
        assert str(error)
    else:
        assert all(item.url.startswith("http") for item in listing.items)


def test_listing_survives_impossible_references_and_year_zero_dates() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour &#xD800; Desk</title>'
        b"<item><title>Quay reopens &#99999999;</title><link>http://h.example/quay</link>"
        b"<pubDate>Sun, 02 May 0000 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    (item,) = parse_listing(body, "http://h.example/feed.xml").items
    assert item.url == "http://h.example/quay"
    assert item.date is None
    assert item.title and "\ufffd" in item.title
