"""The watcher: poll feeds, fetch the pages they list that are new, hand them to the pipeline.

A poll has three steps, each of which can die and be run again without losing or repeating the
others' work:

1. every feed is fetched, conditionally on what it answered last time (nothing is written yet);
2. the pages they list whose URL was never settled nor stored are fetched, archived as WARC,
   extracted (trafilatura) and ingested batch by batch; after each batch its pages are settled
   in the store, so they are never fetched again;
3. each feed's new validators are stored, so the next poll asks "changed since?".

A page that failed for a reason that may pass (time-out, 5xx, robots.txt unavailable) is left
unsettled and tried again at the next poll; any other failure (404, not a web page, too large,
blocked by robots.txt, no article in it) is settled with the reason.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from storyline.dedup import canonical_url
from storyline.fetch import NO_VALIDATORS, Fetcher, FetchResult, Validators
from storyline.fetch.archive import WarcArchive
from storyline.fetch.feeds import FeedItem, Listing, MalformedFeed, parse_listing
from storyline.model import Article, ReadProblem
from storyline.pipeline import Ingestor, IngestSummary
from storyline.read.base import ReadResult
from storyline.read.html import article_from_html
from storyline.settings import Settings
from storyline.store import Store
from storyline.store.feeds import FeedState, SettledPage
from storyline.store.schema import FeedRow

_MAX_ID_CHARS = 512  # ids stay readable, and far below PostgreSQL's B-tree entry limit (~2.7 kB)


@dataclass
class FeedReport:
    """How one feed fared in a poll: a line of the watch's table."""

    url: str
    status: str = "waiting"
    items: int = 0
    new_articles: int = 0
    errors: int = 0
    answered: bool = False  # the server gave a feed, or said it was unchanged


@dataclass
class PollReport:
    """What one poll did: per feed, the pages fetched, what the pipeline made of them, problems."""

    feeds: dict[str, FeedReport]
    pages_fetched: int = 0  # pages whose body came
    problems: list[ReadProblem] = field(default_factory=list)
    ingest: IngestSummary = field(default_factory=IngestSummary)

    @property
    def answered_any(self) -> bool:
        """Return whether at least one feed could be fetched (or was unchanged)."""
        return any(feed.answered for feed in self.feeds.values())


@dataclass(frozen=True)
class _PolledFeed:
    url: str
    result: FetchResult
    error: str | None
    repeated: bool  # the same error as at the feed's last poll


@dataclass(frozen=True)
class _NewPage:
    item: FeedItem
    canonical_url: str
    feed_url: str


@dataclass
class _Round:
    """One poll in progress: what it fetched, what it has still to record."""

    report: PollReport
    notify: Callable[[PollReport], None]
    polled: list[_PolledFeed] = field(default_factory=list)
    pages: list[_NewPage] = field(default_factory=list)
    settled: list[SettledPage] = field(default_factory=list)  # ingested, not yet recorded
    # feeds whose validators are not kept, so the next poll reads them in full: sitemap indexes
    # (their sitemaps are polled only when they are read) and feeds with pages to try again
    refetch: set[str] = field(default_factory=set)


def article_id_for(canonical: str) -> str:
    """Return the article id of the page at a canonical URL: the URL itself, hashed when too long."""
    if len(canonical) <= _MAX_ID_CHARS:
        return canonical
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"{canonical[: _MAX_ID_CHARS - 17]}#{digest}"


class Watcher:
    """Polls feeds into one store through one fetcher; the pipeline is loaded on first need."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        archive: WarcArchive,
        ingestor: Ingestor | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.fetcher = fetcher
        self.archive = archive
        self.state = FeedState(store)
        self._ingestor = ingestor

    @property
    def ingestor(self) -> Ingestor:
        """Return the pipeline, created the first time a poll has pages for it (spaCy loads once)."""
        if self._ingestor is None:
            self._ingestor = Ingestor(self.store, self.settings)
        return self._ingestor

    def poll(
        self, feed_urls: Sequence[str], on_change: Callable[[PollReport], None] | None = None
    ) -> PollReport:
        """Poll every feed once, ingest the new pages they list, and return what happened.

        `on_change` is called with the report each time a feed or page is done (for a live view).
        """
        run = _Round(PollReport({url: FeedReport(url) for url in feed_urls}), on_change or _ignore)
        self.fetcher.begin_poll()
        self._poll_feeds(feed_urls, run)
        broken = [feed for feed in run.polled if feed.error]
        if fresh := [ReadProblem(f.url, f.error) for f in broken if f.error and not f.repeated]:
            self.store.record_problems(fresh)  # a feed that stays broken is quarantined once
        if run.pages:
            results = self._fetch_pages(run)
            run.report.ingest = self.ingestor.ingest(results, lambda _n: self._settle(run))
            self._settle(run)
        for feed in run.polled:
            result = feed.result
            if feed.url in run.refetch:
                result = replace(result, validators=NO_VALIDATORS)
            self.state.record_poll(feed.url, result, feed.error)
        self.archive.close()
        run.report.problems = [
            *(ReadProblem(f.url, f.error) for f in broken if f.error), *run.report.ingest.failed
        ]
        return run.report

    def _poll_feeds(self, feed_urls: Sequence[str], run: _Round) -> None:
        """Fetch every feed (and the sitemaps a sitemap index lists), and note their new pages."""
        listed: dict[str, _NewPage] = {}
        queue, queued = deque(feed_urls), set(feed_urls)
        while queue:
            url = queue.popleft()
            feed = run.report.feeds.setdefault(url, FeedReport(url))
            feed.status = "fetching"
            run.notify(run.report)
            last = self.state.feed(url)
            result, listing, error = self._fetch_feed(url, last)
            repeated = error is not None and last is not None and last.last_error == error
            run.polled.append(_PolledFeed(url, result, error, repeated))
            feed.answered = result.ok or result.unchanged
            if error is not None:
                feed.status, feed.errors = error, 1
            elif listing is None:
                feed.status = "unchanged (304)"
            else:
                feed.items = len(listing.items) + len(listing.sitemaps)
                feed.status = f"{feed.items} listed"
                if listing.sitemaps:
                    run.refetch.add(url)
                for child in listing.sitemaps:
                    if child not in queued:
                        queued.add(child)
                        queue.append(child)
                for item in listing.items:
                    canonical = canonical_url(item.url)
                    if canonical and canonical not in listed:
                        listed[canonical] = _NewPage(item, canonical, url)
            run.notify(run.report)
        unseen = self.state.unseen(listed)
        run.pages = [page for canonical, page in listed.items() if canonical in unseen]

    def _fetch_feed(
        self, url: str, last: FeedRow | None
    ) -> tuple[FetchResult, Listing | None, str | None]:
        """Return the feed's answer, what it lists (None when unchanged), and why it failed."""
        validators = Validators(last.etag, last.last_modified) if last else NO_VALIDATORS
        result = self.fetcher.get(url, validators, kind="feed")
        if result.error is not None:
            return result, None, result.error
        if result.unchanged:
            return result, None, None
        self.archive.write(result)
        try:
            return result, parse_listing(result.body, result.final_url, result.content_type), None
        except MalformedFeed as error:
            return result, None, str(error)

    def _fetch_pages(self, run: _Round) -> Iterator[ReadResult]:
        """Yield each new page's article (or why there is none), noting the pages to settle."""
        for page in run.pages:
            result = self.fetcher.get(page.item.url, kind="page")
            if result.ok:
                run.report.pages_fetched += 1
                self.archive.write(result)
            extracted = self._extract(page, result)
            if isinstance(extracted, ReadProblem):
                run.report.feeds[page.feed_url].errors += 1
            if result.transient:
                run.refetch.add(page.feed_url)
            else:
                run.settled.append(
                    SettledPage(
                        page.canonical_url,
                        page.item.url,
                        extracted.id if isinstance(extracted, Article) else None,
                        page.feed_url,
                        result.fetched_at,
                        result.status,
                        extracted.reason if isinstance(extracted, ReadProblem) else None,
                    )
                )
            run.notify(run.report)
            yield extracted

    def _extract(self, page: _NewPage, result: FetchResult) -> ReadResult:
        """Return the article in a fetched page, with what its feed said filling the gaps."""
        if result.error is not None:
            return ReadProblem(page.item.url, result.error)
        extracted = article_from_html(
            result.body, article_id_for(page.canonical_url), result.final_url, result.final_url
        )
        if isinstance(extracted, ReadProblem):
            return ReadProblem(page.item.url, extracted.reason)
        if not extracted.title and page.item.title:
            extracted = replace(extracted, title=page.item.title)
        if not extracted.date and page.item.date:
            extracted = replace(extracted, date=page.item.date, date_source="feed")
        return extracted

    def _settle(self, run: _Round) -> None:
        """Record the pages ingested so far as settled, and count the articles they added.

        A page is settled once the pipeline decided its article (the store's ledger says
        stored, a copy of another or rejected), or at once when it had none.
        """
        if not run.settled:
            return
        outcomes = self.store.article_outcomes(p.article_id for p in run.settled if p.article_id)
        decided = [p for p in run.settled if p.article_id is None or p.article_id in outcomes]
        self.state.settle(_settled_as(page, outcomes) for page in decided)
        for page in decided:
            if page.article_id and outcomes[page.article_id][0] == "stored":
                run.report.feeds[page.feed_url].new_articles += 1
        run.settled = [p for p in run.settled if p.article_id and p.article_id not in outcomes]
        run.notify(run.report)


def _settled_as(page: SettledPage, outcomes: dict[str, tuple[str, str | None]]) -> SettledPage:
    """Return the page as it is recorded: with its article when stored, else why it is not."""
    if page.article_id is None:
        return page
    outcome, original = outcomes[page.article_id]
    if outcome == "stored":
        return page
    note = (
        f"not stored: the same text as {original}"
        if outcome == "copy"
        else "not stored: no text left after cleaning"
    )
    return replace(page, article_id=None, note=note)


def _ignore(_report: PollReport) -> None:
    """Take a report and do nothing with it (a poll nobody watches)."""


def read_feed_list(text: str) -> list[str]:
    """Return the feed URLs in a feed list: one a line; blank lines and `#` comments skipped."""
    urls = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [url for url in urls if url]
